import { Command, Option } from "commander";
import pkg from "../../package.json" with { type: "json" };
import { register as registerPorts } from "./commands/ports.ts";
import { register as registerInfo } from "./commands/info.ts";
import { register as registerTare } from "./commands/tare.ts";
import { register as registerLive } from "./commands/live.ts";
import { register as registerRecord } from "./commands/record.ts";
import { register as registerExport } from "./commands/export.ts";
import { register as registerHistory } from "./commands/history.ts";
import { register as registerAudit } from "./commands/audit.ts";
import { register as registerEmulate } from "./commands/emulate.ts";
import { register as registerDemo } from "./commands/demo.ts";
import { register as registerCalibrate } from "./commands/calibrate.ts";
import { register as registerVerify } from "./commands/verify.ts";
import { register as registerDeploy } from "./commands/deploy.ts";
import { register as registerReport } from "./commands/report.ts";
import { register as registerWeb } from "./commands/web.ts";
import { register as registerKeys } from "./commands/keys.ts";
import { register as registerCheck } from "./commands/check.ts";
import { register as registerCertificate } from "./commands/certificate.ts";
import { register as registerWiring } from "./commands/wiring.ts";
import { register as registerLifter } from "./commands/lifter.ts";
import { register as registerGym } from "./commands/gym.ts";
import { register as registerMode } from "./commands/mode.ts";
import { register as registerNet } from "./commands/net.ts";

/**
 * `rackcell`: the laptop tool. Each command is one module in ./commands exporting
 * `register(program)`, imported and registered here explicitly (add yours below).
 */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name("rackcell")
    .version(pkg.version, "-V, --version", "print rackcell's version")
    .description("Smart barbell rack: load cells under the pins, a NodeMCU board, and this tool.\nWithout --port every command uses an emulated board.")
    .option("-p, --port <path>", "serial port of the board (default: $RACKCELL_PORT, else an emulated board)")
    .addOption(new Option("-u, --units <unit>", "force unit to show").choices(["kg", "N", "lbf"]).default("kg"))
    .option("--db <file>", "database file (default: $RACKCELL_DB, else ~/.rackcell/rackcell.db)")
    .option("--baud <rate>", "serial baud rate", "115200")
    .showHelpAfterError()
    .addHelpText("after", "\nStart here:\n  rackcell demo        an emulated rack pull, shown live\n  rackcell ports       find your board\n");
  registerPorts(program);
  registerInfo(program);
  registerTare(program);
  registerLive(program);
  registerRecord(program);
  registerExport(program);
  registerHistory(program);
  registerAudit(program);
  registerEmulate(program);
  registerDemo(program);
  registerCalibrate(program);
  registerVerify(program);
  registerDeploy(program);
  registerReport(program);
  registerWeb(program);
  registerKeys(program);
  registerCertificate(program);
  registerCheck(program);
  registerWiring(program);
  registerLifter(program);
  registerGym(program);
  registerMode(program);
  registerNet(program);
  return program;
}

const isMain = process.argv[1] !== undefined && /(?:rackcell(?:\.mjs)?|main\.ts)$/.test(process.argv[1]);
if (isMain) {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (err) {
    // a command whose action does not report its own errors still fails in one line, not a stack trace
    process.stderr.write(`rackcell: ${(err as Error).message}\n`);
    if (process.env.RACKCELL_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    process.exitCode = 1;
  }
  // Serial ports and timers can hold the loop open after a command finished: exit when done.
  // So a command's action must resolve only when the command is over (await Ctrl-C if it serves).
  process.exit(process.exitCode ?? 0);
}

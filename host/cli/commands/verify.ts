import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { loadBoard } from "../../build/boards.ts";
import { connectBoard } from "../board.ts";
import { action } from "../run.ts";
import { examples, globalOptions, wholeNumber } from "../options.ts";
import { CALIBRATED_PLATES, parsePlates } from "../../calibrate/plates.ts";
import { runVerification, validateVerifyPlan, type VerifyPlan } from "../../verify/run.ts";
import { certificateHtml, certificateJson, certificateSvg, certificateText } from "../../verify/render.ts";
import { Store } from "../../store/store.ts";
import { choosePlace, readJsonFile } from "./calibrate.ts";
import { DEFAULT_BOARD } from "../../paths.ts";
import { verificationCertificateId } from "../../verify/certificate-id.ts";

interface VerifyFlags {
  e?: string;
  max?: string;
  loads?: string;
  repeat?: string;
  repeats?: string;
  eccentric?: string;
  creep?: string;
  inService?: boolean;
  plates?: string;
  plan?: string;
  board?: string;
  tare?: boolean;
  settle?: number;
  read?: number;
  out?: string;
  yes?: boolean;
  json?: boolean;
}

const list = (s: string) => s.split(",").map((x) => Number(x.trim()));

export function register(program: Command): void {
  const cmd = program
    .command("verify")
    .description("verify the rack like a scale (OIML R76 class III): weighing test, repeatability, eccentricity, zero return, creep; writes a certificate")
    .option("--e <kg>", "verification interval e in kg (e.g. 0.5)")
    .option("--max <kg>", "Max of the instrument (default: all cells together)")
    .option("--loads <list>", "weighing-test loads in kg on both pins, e.g. 100,300,600,900")
    .option("--repeat <kg>", "repeatability load (weighed --repeats times, default 3)")
    .option("--repeats <n>", "how often the repeatability load is weighed")
    .option("--eccentric <kg>", "eccentricity load: on the left pin, the right pin, both")
    .option("--creep <kg@min>", "creep test: load and minutes, e.g. 900@30")
    .option("--in-service", "in-service MPE (double the initial-verification MPE)")
    .option("--plates <kind>", "calibrated | gym | gym:<pct>% | custom:<pct>% | custom:<kg>kg (default calibrated)")
    .option("--plan <file>", "a JSON plan with the same fields (e, max, loads, repeat, repeats, eccentric, creep, stage, plates)")
    .option("--board <name>", "board definition (default: what the board reports)")
    .option("--tare", "tare the empty pins first")
    .option("--settle <ms>", "wait after placing before reading (default 1500)", wholeNumber("--settle", 0, 600000))
    .option("--read <ms>", "averaging time per indication (default 1000)", wholeNumber("--read", 100, 600000))
    .option("--out <dir>", "where to write certificate.{json,txt,svg,html} (default .rackcell/certificates/<date>)")
    .option("--yes", "do not wait for Enter between steps (scripted use)")
    .option("--json", "print the certificate as JSON: numbers, units in the names")
    .action(action(async (flags: VerifyFlags, c: Command) => {
      const g = globalOptions(c);
      const log = (s: string) => process.stderr.write(`${s}\n`);
      const file = flags.plan ? readJsonFile(flags.plan) : {};
      const pick = <T>(flag: T | undefined, key: string): T | undefined => flag ?? (file[key] as T | undefined);
      const platesText = pick(flags.plates, "plates");
      const plates = platesText ? parsePlates(String(platesText)) : CALIBRATED_PLATES;
      if ("error" in plates) {
        log(`verify: ${plates.error}`);
        process.exitCode = 2;
        return;
      }
      const e = Number(pick(flags.e, "e"));
      const loadsRaw = pick<string | number[]>(flags.loads, "loads");
      const loads = Array.isArray(loadsRaw) ? loadsRaw.map(Number) : loadsRaw ? list(String(loadsRaw)) : [];
      const creepRaw = pick<string>(flags.creep, "creep");
      const creepM = creepRaw ? /^([\d.]+)@([\d.]+)$/.exec(String(creepRaw)) : null;
      if (creepRaw && !creepM) {
        log('verify: --creep wants <kg>@<minutes>, e.g. 900@30');
        process.exitCode = 2;
        return;
      }
      const num = (v: unknown) => (v === undefined ? undefined : Number(v));
      const plan: VerifyPlan = {
        intervalKg: e, capacityKg: num(pick(flags.max, "max")), stage: (flags.inService || file.stage === "in-service") ? "in-service" : "initial",
        plates, loads, repeatKg: num(pick(flags.repeat, "repeat")), repeats: num(pick(flags.repeats, "repeats")),
        eccentricityKg: num(pick(flags.eccentric, "eccentric")), tare: !!(flags.tare ?? file.tare),
        creep: creepM ? { kg: Number(creepM[1]), minutes: Number(creepM[2]) } : undefined,
      };
      // refuse a nonsense plan before touching the board, when we know which board it is
      const knownBoard = flags.board ?? (g.port ? undefined : DEFAULT_BOARD);
      const early = knownBoard ? validateVerifyPlan(loadBoard(knownBoard), plan) : [];
      if (early.length > 0) {
        log(`verify refused:\n${early.map((r) => `  - ${r}`).join("\n")}`);
        process.exitCode = 2;
        return;
      }
      const bc = await connectBoard(g, { scenario: "empty", emulatorBoard: flags.board, log });
      try {
        const board = loadBoard(flags.board ?? (bc.session.info.board || DEFAULT_BOARD));
        const res = await runVerification(bc.session, bc.session, board, plan, choosePlace(bc.emulator, board, !!flags.yes, log), {
          settleMs: flags.settle, readMs: flags.read, calId: bc.session.info.calibrationId, log,
        });
        if (!res.ok || !res.certificate) {
          log(`verify refused:\n${res.reasons.map((r) => `  - ${r}`).join("\n")}`);
          process.exitCode = 2;
          return;
        }
        const cert = res.certificate;
        const dir = flags.out ?? path.join(".rackcell", "certificates", new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19));
        fs.mkdirSync(dir, { recursive: true });
        const certJsonText = `${JSON.stringify(certificateJson(cert), null, 2)}\n`;
        fs.writeFileSync(path.join(dir, "certificate.json"), certJsonText);
        fs.writeFileSync(path.join(dir, "certificate.txt"), certificateText(cert));
        fs.writeFileSync(path.join(dir, "certificate.svg"), certificateSvg(cert));
        fs.writeFileSync(path.join(dir, "certificate.html"), certificateHtml(cert));
        try {
          const store = new Store(g.db);
          store.addCertificate({ board: board.name, build: bc.session.info.build, calibrationId: cert.setup.calId, passed: cert.overall === "pass", summary: `verification ${cert.overall}: ${cert.standard}`, certificate: cert });
          store.close();
        } catch (err) {
          log(`verify: not stored in the database (${(err as Error).message})`);
        }
        if (cert.overall === "pass") {
          // the board names a passed verification in the lifts it signs under this calibration
          const certId = verificationCertificateId(certJsonText);
          const r = await bc.session.command("vcert", [certId]);
          log(r.ok ? `verification certificate ${certId}: the board names it in every lift it signs under calibration ${cert.setup.calId}` : `the board did not take the certificate id ${certId} (${r.reason}): its signed lifts will not name it`);
        }
        process.stdout.write(flags.json ? `${JSON.stringify(certificateJson(cert), null, 2)}\n` : certificateText(cert));
        log(`certificate written to ${dir}/certificate.{json,txt,svg,html}`);
        if (cert.overall !== "pass") process.exitCode = 1;
      } finally {
        await bc.close();
      }
    }));
  examples(cmd, [
    "rackcell verify --e 0.5 --loads 100,300,600,900 --repeat 500 --eccentric 300",
    "rackcell verify --e 1 --in-service --plates gym:2% --loads 100,200,400 --repeat 200 --eccentric 150 --yes",
  ]);
}

import type { Command } from "commander";
import { runLive } from "../live-run.ts";
import { examples, globalOptions, positiveNumber } from "../options.ts";
import { action } from "../run.ts";

export function register(program: Command): void {
  const cmd = program
    .command("live")
    .description("live view: force per pin and total, a moving chart, the last lift (a rack pull's load on the pins and pull, an isometric pull's peak and time to peak), frame integrity (plain lines when not a terminal)")
    .option("--seconds <n>", "stop after n seconds", positiveNumber("--seconds"))
    .option("--after-lift <s>", "stop s seconds after the first lift", positiveNumber("--after-lift"))
    .option("--scenario <spec>", "emulated board only: scenario to play (e.g. empty, rackpull:kg=200)")
    .option("--plain", "plain lines even on a terminal")
    .action(action(async (o: { seconds?: number; afterLift?: number; scenario?: string; plain?: boolean }, c: Command) => {
      await runLive(globalOptions(c), { seconds: o.seconds, afterLiftS: o.afterLift, scenario: o.scenario, plain: o.plain });
    }));
  examples(cmd, [
    "rackcell live                                  # emulated board, empty pins",
    "rackcell --port /dev/ttyUSB0 --units lbf live",
    "rackcell live --scenario rackpull:kg=200 --after-lift 2",
    "rackcell live --seconds 10 | tee live.log       # plain lines, one per ~100 ms",
  ]);
}

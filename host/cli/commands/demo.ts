import type { Command } from "commander";
import { runLive } from "../live-run.ts";
import { examples, globalOptions, positiveNumber } from "../options.ts";
import { action } from "../run.ts";

/** A 200 kg rack pull: 5 s of empty pins (tare), the bar set down and weighed, pulled, held 2 s, set down. */
export const DEMO_SCENARIO = "rackpull:kg=200,emptyS=5,restS=3,holdS=2,afterS=6";

export function register(program: Command): void {
  const cmd = program
    .command("demo")
    .description("the README demo: an emulated board in real time on a pseudo-terminal, a 200 kg rack pull shown live until the lift is detected (≈15 s); with --port it drives a real board the same way")
    .option("--seconds <n>", "stop after n seconds at the latest", positiveNumber("--seconds"), 60)
    .option("--scenario <spec>", "emulated board only: another scenario", DEMO_SCENARIO)
    .option("--plain", "plain lines even on a terminal")
    .action(action(async (o: { seconds: number; scenario: string; plain?: boolean }, c: Command) => {
      const g = globalOptions(c);
      await runLive(g, { scenario: o.scenario, seconds: o.seconds, afterLiftS: 2, plain: o.plain });
    }));
  examples(cmd, ["rackcell demo", "rackcell demo --units lbf", "rackcell --port /dev/ttyUSB0 demo --seconds 120"]);
}

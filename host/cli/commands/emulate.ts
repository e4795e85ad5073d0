import type { Command } from "commander";
import { runEmulate } from "../emulated.ts";
import { examples } from "../options.ts";
import { action } from "../run.ts";

export function register(program: Command): void {
  const cmd = program
    .command("emulate")
    .description("run an emulated board (the real firmware in a Lua VM, load-cell physics) on a pseudo-terminal; prints its path and runs until Ctrl-C")
    .option("--board <name>", "board definition from boards/ (default nodemcu-v3-2pin)")
    .option("--scenario <spec>", "what happens on the pins: a name (empty, rackpull:kg=200, …) or a CSV file")
    .option("--fast", "run faster than real time")
    .option("--seed <n>", "noise seed, for a repeatable run", (t) => Number(t))
    .action(action(async (o: { board?: string; scenario?: string; fast?: boolean; seed?: number }) => {
      await runEmulate({ board: o.board, scenario: o.scenario, fast: o.fast ?? false, seed: o.seed });
    }));
  examples(cmd, [
    "rackcell emulate                               # then in another terminal: rackcell --port <printed path> live",
    "rackcell emulate --scenario rackpull:kg=200 --seed 7",
    "rackcell emulate --board nodemcu-v3-1pin --scenario my-pull.csv --fast",
  ]);
}

import type { Command } from "commander";
import { connectBoard } from "../board.ts";
import { examples, globalOptions, wholeNumber } from "../options.ts";
import { action } from "../run.ts";

export function register(program: Command): void {
  const cmd = program
    .command("tare")
    .description("zero the empty pins: the board averages readings per channel and keeps the new zero (saved with its calibration)")
    .option("--samples <n>", "readings to average per channel (8..1024, board default 64)", wholeNumber("--samples", 8, 1024))
    .action(action(async (o: { samples?: number }, c: Command) => {
      const g = globalOptions(c);
      const board = await connectBoard(g, { tare: false });
      try {
        process.stderr.write("taring: keep the pins empty and still…\n");
        const r = await board.session.tare(o.samples);
        if (!r.ok) throw new Error(r.reason);
        const i = board.session.info;
        for (let ch = 0; ch < i.channels; ch++) {
          process.stdout.write(`${i.channelNames[ch].padEnd(6)} zero ${r.fields[`z${ch}`]} counts (sd ${r.fields[`sd${ch}`] ?? "?"})\n`);
        }
        process.stdout.write(r.fields.saved === "1" ? "saved on the board\n" : "NOT saved on the board (calibration not saved yet?): it lasts until the next restart\n");
      } finally {
        await board.close();
      }
    }));
  examples(cmd, ["rackcell tare", "rackcell --port /dev/ttyUSB0 tare --samples 256"]);
}

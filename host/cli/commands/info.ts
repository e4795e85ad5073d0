import type { Command } from "commander";
import { isCalibrated } from "../../session/board-info.ts";
import { connectBoard } from "../board.ts";
import { examples, globalOptions } from "../options.ts";
import { action } from "../run.ts";

export function register(program: Command): void {
  const cmd = program
    .command("info")
    .description("connect, handshake and show what the board says about itself: firmware, build, rate, calibration")
    .option("--json", "print the raw info fields as JSON")
    .action(action(async (o: { json?: boolean }, c: Command) => {
      const g = globalOptions(c);
      const board = await connectBoard(g);
      const i = board.session.info;
      await board.close();
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ port: board.path, ...i.fields }, null, 2)}\n`);
        return;
      }
      const lines = [
        `port        ${board.path}${board.emulator ? " (emulated board)" : ""}`,
        `board       ${i.board}`,
        `firmware    ${i.firmware} (build ${i.build})`,
        `boot        #${i.boot}`,
        `rate        ${i.sps} samples/s`,
        `protocol    ${i.fields.mode ?? "rackcell"}`,
        `calibration ${i.calibration}${i.calibrationId ? ` (${i.calibrationId}${i.fields.caldate ? `, ${i.fields.caldate}` : ""})` : ""}`,
      ];
      for (let ch = 0; ch < i.channels; ch++) {
        lines.push(`  ${i.channelNames[ch].padEnd(6)} ${isCalibrated(i, ch) ? `${i.nPerCount[ch]} N/count, zero ${i.zeroCounts[ch]} counts` : "not calibrated (run `rackcell calibrate`)"}`);
      }
      process.stdout.write(`${lines.join("\n")}\n`);
    }));
  examples(cmd, ["rackcell info", "rackcell --port /dev/ttyUSB0 info", "rackcell info --json"]);
}

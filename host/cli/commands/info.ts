import type { Command } from "commander";
import { intervalMs, isCalibrated, ratePinWarnings, type BoardInfo } from "../../session/board-info.ts";
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
        process.stdout.write(`${JSON.stringify(infoJson(board.path, i), null, 2)}\n`);
        return;
      }
      process.stdout.write(`${infoText(board.path, !!board.emulator, i).join("\n")}\n`);
    }));
  examples(cmd, ["rackcell info", "rackcell --port /dev/ttyUSB0 info", "rackcell info --json"]);
}

/** What `rackcell info` prints: identity, rate, calibration per channel, and warnings (RATE pin low). */
export function infoText(port: string, emulated: boolean, i: BoardInfo): string[] {
  const lines = [
    `port        ${port}${emulated ? " (emulated board)" : ""}`,
    `board       ${i.board}`,
    `firmware    ${i.firmware} (build ${i.build})`,
    `boot        #${i.boot}`,
    `rate        ${i.sps} samples/s`,
    `calibration ${i.calibration}${i.calibrationId ? ` (${i.calibrationId}${i.fields.caldate ? `, ${i.fields.caldate}` : ""})` : ""}`,
  ];
  for (let ch = 0; ch < i.channels; ch++) {
    const us = i.conversionIntervalUs[ch];
    lines.push(`  ${i.channelNames[ch].padEnd(6)} ${isCalibrated(i, ch) ? `${i.nPerCount[ch]} N/count, zero ${i.zeroCounts[ch]} counts` : "not calibrated (run `rackcell calibrate`)"}` +
      (us > 0 ? `; converts every ${intervalMs(us)} ms` : ""));
  }
  for (const w of ratePinWarnings(i.sps, i.conversionIntervalUs, i.channelNames)) lines.push(`warning: ${w.text}`);
  return lines;
}

/** `rackcell info --json`: the board's fields as sent, the measured conversion intervals as numbers (µs, null where not measured), and the warnings. */
export function infoJson(port: string, i: BoardInfo): Record<string, unknown> {
  const warnings = ratePinWarnings(i.sps, i.conversionIntervalUs, i.channelNames).map((w) => w.text);
  const measured = i.conversionIntervalUs.some((us) => us > 0) ? { conversionIntervalUs: i.conversionIntervalUs.map((us) => (us > 0 ? us : null)) } : {};
  return { port, ...i.fields, ...measured, warnings };
}

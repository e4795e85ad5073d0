import type { Command } from "commander";
import { intervalMs, isCalibrated, ratePinWarnings, type BoardInfo } from "../../session/board-info.ts";
import { connectBoard } from "../board.ts";
import { networkStatus, networkText } from "../../gym/net-settings.ts";
import { examples, globalOptions } from "../options.ts";
import { action } from "../run.ts";

/** Fields of the info reply that infoJson names itself; any other field is passed on under `other`. */
const NAMED = /^(fw|build|board|ch|sps|cal|calid|caldate|stream|boot|mode|name\d+|k\d+|z\d+|cvus\d+|net|ssidhex|broker|rack|gym|netstate|netsent|netdrop|netfail|neterr)$/;
const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * `info --json`: what the board says, numbers as numbers (units in the names), one entry per
 * channel; the measured conversion intervals (µs, null where not measured) when the board sends
 * them, and the warnings (RATE pin low).
 */
export function infoJson(port: string, emulated: boolean, i: BoardInfo): Record<string, unknown> {
  const other: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(i.fields)) if (!NAMED.test(k)) other[k] = NUMBER.test(v) ? Number(v) : v;
  const bootNumber = Number(i.boot);
  return {
    port,
    emulated,
    board: i.board,
    firmware: i.firmware,
    build: i.build,
    bootNumber: i.boot !== "" && Number.isInteger(bootNumber) ? bootNumber : null,
    rateSps: i.sps,
    streaming: i.fields.stream === undefined ? null : i.fields.stream === "1",
    protocol: i.fields.mode ?? "rackcell",
    calibration: i.calibration,
    calibrationId: i.calibrationId,
    calibrationDate: i.fields.caldate ?? null,
    channels: i.channelNames.map((name, ch) => ({
      index: ch,
      name,
      calibrated: isCalibrated(i, ch),
      nPerCount: Number.isFinite(i.nPerCount[ch]) ? i.nPerCount[ch] : null,
      zeroCounts: Number.isFinite(i.zeroCounts[ch]) ? i.zeroCounts[ch] : null,
    })),
    ...(i.conversionIntervalUs.some((us) => us > 0) ? { conversionIntervalUs: i.conversionIntervalUs.map((us) => (us > 0 ? us : null)) } : {}),
    network: networkStatus(i.fields),
    warnings: ratePinWarnings(i.sps, i.conversionIntervalUs, i.channelNames).map((w) => w.text),
    other,
  };
}

export function register(program: Command): void {
  const cmd = program
    .command("info")
    .description("connect, handshake and show what the board says about itself: firmware, build, rate, calibration")
    .option("--json", "print it as JSON: numbers as numbers, units in the names, one entry per channel")
    .action(action(async (o: { json?: boolean }, c: Command) => {
      const g = globalOptions(c);
      const board = await connectBoard(g);
      const i = board.session.info;
      await board.close();
      if (o.json) {
        process.stdout.write(`${JSON.stringify(infoJson(board.path, board.emulator !== undefined, i), null, 2)}\n`);
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
    `protocol    ${i.fields.mode ?? "rackcell"}`,
    `calibration ${i.calibration}${i.calibrationId ? ` (${i.calibrationId}${i.fields.caldate ? `, ${i.fields.caldate}` : ""})` : ""}`,
  ];
  for (let ch = 0; ch < i.channels; ch++) {
    const us = i.conversionIntervalUs[ch];
    lines.push(`  ${i.channelNames[ch].padEnd(6)} ${isCalibrated(i, ch) ? `${i.nPerCount[ch]} N/count, zero ${i.zeroCounts[ch]} counts` : "not calibrated (run `rackcell calibrate`)"}` +
      (us > 0 ? `; converts every ${intervalMs(us)} ms` : ""));
  }
  if (i.fields.net !== undefined) lines.push(...networkText(networkStatus(i.fields)));
  for (const w of ratePinWarnings(i.sps, i.conversionIntervalUs, i.channelNames)) lines.push(`warning: ${w.text}`);
  return lines;
}


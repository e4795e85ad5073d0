/**
 * Chronojump's force-sensor commands (transient: proto-chronojump.ts loads it for a line and
 * releases it). Replies as Chronojump's desktop matches them:
 *   get_version:                 Force_Sensor-0.6
 *   get_transmission_format:     text
 *   tare:                        Taring OK:<offset>   (deferred: 64 frames; offset = the pins' zeros, see tareSum)
 *   get_tare:                    <offset>
 *   set_tare:<counts>;           Tare set   (shifts every channel's zero equally)
 *   calibrate:<kg>;              Calibrating OK:<counts per N>   (deferred: 64 frames with <kg> on the pins)
 *   get_calibration_factor:      <counts per N>  (1 / mean N per count of the channels)
 *   set_calibration_factor:<f>;  Calibration factor set   (every channel 1/f N per count)
 *   set_bps:115200;              Speed set to: 115200 bps   (the only speed: the UART is not changed)
 *   anything else, a malformed argument or a busy board: Not a valid command
 * rackcell's calibration is per pin: tare zeroes each pin; calibrate scales every pin's N/count
 * by one factor so the pins' sum reads the mass (equal N/count when none was calibrated), and
 * both are saved to cal.txt like rackcell's tare and save.
 */
import type { AppCtx } from "./types/rackcell.d.ts";
import { emptyCalChannel } from "../shared/board/calfile.ts";
import { parseDecimal } from "../shared/protocol/wire-number.ts";
import { writeLine } from "./sink.ts";

/** TODO(units): shared/units/force.ts's STANDARD_GRAVITY_MPS2 once it lands. */
const enum K { GRAVITY_MPS2 = 9.80665, SAMPLES = 64, MIN_CAL_COUNTS = 1000 }

function reply(text: string): void {
  writeLine(text, "", "\r\n");
}

/** The argument: the text between the last ":" and the last ";" (NaN when it is not a number). */
function numberArg(text: string): number {
  let colon = 0;
  let semi = 0;
  for (let i = 1; i <= text.length; i++) {
    const b = string.byte(text, i);
    if (b === 58) colon = i;
    else if (b === 59) semi = i;
  }
  if (colon === 0 || semi <= colon + 1) return 0 / 0;
  return parseDecimal(string.sub(text, colon + 1, semi - 1));
}

/** The channels' zeros summed in offset binary (counts + 2^23 each): never negative, as the desktop's `(\d+)` reads it. */
function tareSum(ctx: AppCtx): number {
  let sum = 0;
  for (let ch = 0; ch < ctx.board.nch; ch++) sum = sum + ctx.cal.ch[ch].zeroCounts + 8388608;
  return Math.floor(sum + 0.5);
}

/** Counts per N: 1 / the channels' mean N per count (0 when uncalibrated). */
function factor(ctx: AppCtx): number {
  let k = 0;
  for (let ch = 0; ch < ctx.board.nch; ch++) k = k + ctx.cal.ch[ch].nPerCount;
  return k > 0 ? ctx.board.nch / k : 0;
}

function collect(ctx: AppCtx, kind: string, forceN: number): void {
  const c = require("collect") as typeof import("./collect.ts");
  c.startCollect(ctx, kind, 0, -1, forceN, K.SAMPLES);
}

function saveCal(ctx: AppCtx): void {
  const store = require("calstore") as typeof import("./calstore.ts");
  if (ctx.cal.state !== "unsaved") store.save(ctx);
}

export function handle(ctx: AppCtx, name: string, text: string): void {
  const busy = ctx.cal.collector !== undefined;
  const nch = ctx.board.nch;
  if (name === "get_version") reply("Force_Sensor-0.6");
  else if (name === "get_transmission_format") reply("text");
  else if (name === "get_tare") reply(string.format("%d", tareSum(ctx)));
  else if (name === "get_calibration_factor") reply(string.format("%.6f", factor(ctx)));
  else if (name === "tare" && !busy) collect(ctx, "tare", 0);
  else if (name === "calibrate" && !busy) {
    const kg = numberArg(text);
    if (kg === kg && kg > 0 && kg < 100000) collect(ctx, "capture", kg * K.GRAVITY_MPS2);
    else reply("Not a valid command");
  } else if (name === "set_tare" && !busy) {
    const counts = numberArg(text);
    if (counts !== counts || counts !== Math.floor(counts) || counts < 0 || counts > 1e9) reply("Not a valid command");
    else {
      const shift = (counts - tareSum(ctx)) / nch;
      for (let ch = 0; ch < nch; ch++) ctx.cal.ch[ch].zeroCounts = ctx.cal.ch[ch].zeroCounts + shift;
      saveCal(ctx);
      reply("Tare set");
    }
  } else if (name === "set_calibration_factor" && !busy) {
    const f = numberArg(text);
    if (f !== f || f <= 0 || f > 1e9) reply("Not a valid command");
    else {
      for (let ch = 0; ch < nch; ch++) ctx.cal.ch[ch].nPerCount = 1 / f;
      saveCal(ctx);
      reply("Calibration factor set");
    }
  } else if (name === "set_bps" && numberArg(text) === 115200) reply("Speed set to: 115200 bps");
  else reply("Not a valid command");
}

/** The tare/calibrate run ended: apply, save, reply. */
export function finishRun(ctx: AppCtx): void {
  const collect = require("collect") as typeof import("./collect.ts");
  const [c, r] = collect.finishCollect(ctx);
  if (c === undefined) return;
  const nch = ctx.board.nch;
  const tare = c.kind === "tare";
  if (r.error !== "") {
    reply(tare ? `Taring failed: ${r.error}` : `Calibrating failed: ${r.error}`);
    return;
  }
  if (tare) {
    for (let ch = 0; ch < nch; ch++) ctx.cal.ch[ch].zeroCounts = r.means[ch];
    saveCal(ctx);
    reply(string.format("Taring OK:%d", tareSum(ctx)));
    return;
  }
  // counts above zero per pin, and the force the calibration in use reads from them
  let counts = 0;
  let readN = 0;
  let calibrated = true;
  for (let ch = 0; ch < nch; ch++) {
    const cc = ctx.cal.ch[ch];
    const d = r.means[ch] - cc.zeroCounts;
    counts = counts + d;
    readN = readN + cc.nPerCount * d;
    if (cc.nPerCount === 0) calibrated = false;
  }
  if (counts < K.MIN_CAL_COUNTS && counts > -K.MIN_CAL_COUNTS) {
    reply("Calibrating failed: no load on the pins");
    return;
  }
  for (let ch = 0; ch < nch; ch++) {
    const old = ctx.cal.ch[ch];
    const cc = emptyCalChannel();
    cc.zeroCounts = old.zeroCounts;
    cc.fitZeroCounts = old.zeroCounts;
    cc.nPerCount = calibrated && readN !== 0 ? old.nPerCount * (c.forceN / readN) : c.forceN / counts;
    ctx.cal.ch[ch] = cc;
  }
  ctx.cal.id = "chronojump";
  ctx.cal.date = "-";
  const store = require("calstore") as typeof import("./calstore.ts");
  store.save(ctx);
  reply(string.format("Calibrating OK:%.6f", factor(ctx)));
}

import type { AppCtx } from "./types/rackcell.d.ts";
import { decodeCalFile, emptyCalChannel, encodeCalFile, type CalChannel } from "../shared/board/calfile.ts";

/**
 * The calibration on flash (format: shared/board/calfile.ts). Saving is atomic against a power
 * cut at any step: 1 write cal.tmp, 2 close it, 3 remove cal.txt, 4 rename cal.tmp → cal.txt.
 * At boot `recover` finishes or undoes an interrupted save: a complete, valid cal.tmp with no
 * cal.txt (cut between 3 and 4) is renamed; any other cal.tmp (cut during 1–2, or after 2 with
 * the old file still there) is removed. So the board always comes back with the old or the new
 * calibration, never a torn one. Loaded only at boot and for `tare`/`save` (transient module).
 */
export const CAL_FILE = "cal.txt";
export const CAL_TMP = "cal.tmp";

export function recover(): void {
  if (!file.exists(CAL_TMP)) return;
  if (!file.exists(CAL_FILE)) {
    const text = file.getcontents(CAL_TMP);
    if (text !== undefined && decodeCalFile(text).error === "") {
      file.rename(CAL_TMP, CAL_FILE);
      return;
    }
  }
  file.remove(CAL_TMP);
}

function allCalibrated(ctx: AppCtx): boolean {
  for (let ch = 0; ch < ctx.nch; ch++) if (ctx.nPerCount[ch] === 0) return false;
  return true;
}

/** Reads cal.txt into ctx; returns a notice for an `M,` line ("" when calibrated). */
export function load(ctx: AppCtx): string {
  recover();
  const text = file.exists(CAL_FILE) ? file.getcontents(CAL_FILE) : undefined;
  if (text === undefined) {
    ctx.calState = "none";
    return "uncalibrated: no calibration file (streaming raw counts)";
  }
  const cal = decodeCalFile(text);
  if (cal.error === "" && cal.channels.length !== ctx.nch) cal.error = "channel count differs from the board";
  if (cal.error !== "") {
    ctx.calState = "corrupt";
    return `uncalibrated: calibration file corrupt (${cal.error}) - streaming raw counts`;
  }
  for (let ch = 0; ch < ctx.nch; ch++) {
    const c = cal.channels[ch];
    ctx.nPerCount[ch] = c.nPerCount;
    ctx.zeroCounts[ch] = c.zeroCounts;
    ctx.fitZeroCounts[ch] = c.fitZeroCounts;
    ctx.maxResidualN[ch] = c.maxAbsResidualN;
    ctx.residualSdN[ch] = c.residualSdN;
    ctx.calCounts[ch] = c.counts;
    ctx.calForceN[ch] = c.forceN;
    ctx.calResidualN[ch] = c.residualsN;
  }
  ctx.calId = cal.id;
  ctx.calDate = cal.date;
  if (allCalibrated(ctx)) {
    ctx.calState = "ok";
    return "";
  }
  ctx.calState = "none";
  return "uncalibrated: zero (tare) only - calibrate with capture fit save";
}

/** The file text for the calibration in ctx. */
export function fileText(ctx: AppCtx): string {
  const chans: CalChannel[] = [];
  for (let ch = 0; ch < ctx.nch; ch++) {
    const c = emptyCalChannel();
    c.nPerCount = ctx.nPerCount[ch];
    c.zeroCounts = ctx.zeroCounts[ch];
    c.fitZeroCounts = ctx.fitZeroCounts[ch];
    c.maxAbsResidualN = ctx.maxResidualN[ch];
    c.residualSdN = ctx.residualSdN[ch];
    c.counts = ctx.calCounts[ch];
    c.forceN = ctx.calForceN[ch];
    c.residualsN = ctx.calResidualN[ch];
    chans[ch] = c;
  }
  const id = ctx.calId === "" ? "none" : ctx.calId;
  const date = ctx.calDate === "" ? "-" : ctx.calDate;
  return encodeCalFile(id, date, chans);
}

/** Writes ctx's calibration atomically; "" on success, otherwise what failed. */
export function save(ctx: AppCtx): string {
  const text = fileText(ctx);
  file.remove(CAL_TMP);
  const fd = file.open(CAL_TMP, "w");
  if (fd === undefined) return "cannot create cal.tmp";
  const written = fd.write(text);
  fd.close();
  if (written === undefined) {
    file.remove(CAL_TMP);
    return "flash write failed";
  }
  const check = file.getcontents(CAL_TMP);
  if (check !== text) {
    file.remove(CAL_TMP);
    return "flash verify failed";
  }
  if (file.exists(CAL_FILE)) file.remove(CAL_FILE);
  if (!file.rename(CAL_TMP, CAL_FILE)) return "rename failed";
  ctx.calState = allCalibrated(ctx) ? "ok" : "none";
  ctx.unsaved = false;
  return "";
}

// The calibration on flash (format: shared/board/calfile.ts). Saving is atomic against a power
// cut at any step (flashfile.ts): 1 write cal.tmp, 2 close it, 3 remove cal.txt, 4 rename cal.tmp → cal.txt.
// At boot `recover` finishes or undoes an interrupted save: a complete, valid cal.tmp with no
// cal.txt (cut between 3 and 4) is renamed; any other cal.tmp (cut during 1–2, or after 2 with
// the old file still there) is removed. So the board always comes back with the old or the new
// calibration, never a torn one. Loaded only at boot and for `tare`/`save` (transient module).
import type { AppCtx } from "./types/rackcell.d.ts";
import { decodeCalFile, emptyCalChannel, encodeCalFile } from "../shared/board/calfile.ts";
import { replaceFile } from "./flashfile.ts";
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
  for (let ch = 0; ch < ctx.board.nch; ch++) if (ctx.cal.ch[ch].nPerCount === 0) return false;
  return true;
}

// Reads cal.txt into ctx (every channel uncalibrated without a valid one); returns a notice for an `M,` line ("" when calibrated).
export function load(ctx: AppCtx): string {
  for (let ch = 0; ch < ctx.board.nch; ch++) ctx.cal.ch[ch] = emptyCalChannel();
  recover();
  const text = file.exists(CAL_FILE) ? file.getcontents(CAL_FILE) : undefined;
  if (text === undefined) {
    ctx.cal.state = "none";
    return "uncalibrated: no calibration file (streaming raw counts)";
  }
  const cal = decodeCalFile(text);
  if (cal.error === "" && cal.channels.length !== ctx.board.nch) cal.error = "channel count differs from the board";
  if (cal.error !== "") {
    ctx.cal.state = "corrupt";
    return `uncalibrated: calibration file corrupt (${cal.error}) - streaming raw counts`;
  }
  for (let ch = 0; ch < ctx.board.nch; ch++) ctx.cal.ch[ch] = cal.channels[ch];
  ctx.cal.id = cal.id;
  ctx.cal.date = cal.date;
  if (allCalibrated(ctx)) {
    ctx.cal.state = "ok";
    return "";
  }
  ctx.cal.state = "none";
  return "uncalibrated: zero (tare) only - calibrate with capture fit save";
}

// The file text for the calibration in ctx.
export function fileText(ctx: AppCtx): string {
  const id = ctx.cal.id === "" ? "none" : ctx.cal.id;
  const date = ctx.cal.date === "" ? "-" : ctx.cal.date;
  return encodeCalFile(id, date, ctx.cal.ch);
}

// Writes ctx's calibration atomically (flashfile.ts); "" on success, otherwise what failed.
export function save(ctx: AppCtx): string {
  const error = replaceFile(CAL_FILE, CAL_TMP, fileText(ctx));
  if (error !== "") return error;
  ctx.cal.state = allCalibrated(ctx) ? "ok" : "none";
  return "";
}

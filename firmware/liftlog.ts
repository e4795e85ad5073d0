import type { AppCtx } from "./types/rackcell.d.ts";
import { liftBody, liftId } from "../shared/board/liftrecord.ts";
import { seal, sealSuffix } from "./framer.ts";

/**
 * Lift summaries (E records, shared/board/liftrecord.ts): written to the UART when the detector
 * completes a lift and appended to the flash ring `lifts.txt` (one sealed line each). Flash is
 * the only copy: no RAM ring (a few sealed lines would stay resident, ~250 B each, and grow
 * the streaming heap with every lift). The file is compacted to the newest KEEP lines
 * once it holds COMPACT_AT (temp file + rename; an interrupted compaction is finished or undone
 * at boot like the calibration). A torn last line (power cut during an append) fails its checksum
 * and is skipped. Ids continue across boots (the newest id on flash + 1).
 */
export const LIFTS_FILE = "lifts.txt";
export const LIFTS_TMP = "lifts.tmp";
const KEEP = 16;
const COMPACT_AT = 32;

/** The body of a sealed line, or "" when its checksum fails. */
function checked(line: string | undefined): string {
  if (line === undefined) return "";
  let n = line.length;
  while (n > 0 && (string.byte(line, n) === 10 || string.byte(line, n) === 13)) n = n - 1;
  if (n < 6) return "";
  const body = string.sub(line, 1, n - 5);
  return sealSuffix(body) === string.sub(line, n - 4, n) ? body : "";
}

/** Valid sealed lines of the flash ring, oldest first. */
function readAll(name: string): string[] {
  const out: string[] = [];
  const fd = file.open(name, "r");
  if (fd === undefined) return out;
  for (;;) {
    const line = fd.readline();
    if (line === undefined) break;
    const body = checked(line);
    if (body !== "" && liftId(body) > 0) out[out.length] = seal(body);
  }
  fd.close();
  return out;
}

function lineId(sealed: string): number {
  return liftId(string.sub(sealed, 1, sealed.length - 5));
}

export function init(ctx: AppCtx): void {
  if (file.exists(LIFTS_TMP)) {
    if (!file.exists(LIFTS_FILE)) file.rename(LIFTS_TMP, LIFTS_FILE);
    else file.remove(LIFTS_TMP);
  }
  const lines = readAll(LIFTS_FILE);
  let last = 0;
  for (let i = 0; i < lines.length; i++) {
    const id = lineId(lines[i]);
    if (id > last) last = id;
  }
  ctx.lastLiftId = last;
  ctx.liftFileLines = lines.length;
}

function compact(ctx: AppCtx): void {
  const lines = readAll(LIFTS_FILE);
  const from = lines.length > KEEP ? lines.length - KEEP : 0;
  const fd = file.open(LIFTS_TMP, "w");
  if (fd === undefined) return;
  let ok = true;
  for (let i = from; i < lines.length; i++) if (fd.write(lines[i] + "\n") === undefined) ok = false;
  fd.close();
  if (!ok) {
    file.remove(LIFTS_TMP);
    return;
  }
  file.remove(LIFTS_FILE);
  file.rename(LIFTS_TMP, LIFTS_FILE);
  ctx.liftFileLines = lines.length - from;
}

/** The detector completed a lift (ctx.det.summary): emit, keep in RAM, append to flash. */
export function record(ctx: AppCtx): void {
  const id = ctx.lastLiftId + 1;
  ctx.lastLiftId = id;
  const line = seal(liftBody(id, ctx.bootId, ctx.det.summary));
  uart.write(0, line, "\n");
  const fd = file.open(LIFTS_FILE, "a");
  if (fd === undefined) return;
  fd.write(line + "\n");
  fd.close();
  ctx.liftFileLines = ctx.liftFileLines + 1;
  if (ctx.liftFileLines >= COMPACT_AT) compact(ctx);
}

/** Sealed E lines with id > sinceId from flash, oldest first. */
export function since(_ctx: AppCtx, sinceId: number): string[] {
  const out: string[] = [];
  const lines = readAll(LIFTS_FILE);
  for (let i = 0; i < lines.length; i++) if (lineId(lines[i]) > sinceId) out[out.length] = lines[i];
  return out;
}

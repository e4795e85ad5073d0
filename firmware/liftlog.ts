/**
 * Lift summaries (E records, shared/board/liftrecord.ts): sent by the protocol when the detector
 * completes a lift (rackcell's E line) and appended to the flash ring `lifts.txt` (one sealed line each). Flash is
 * the only copy: no RAM ring (a few sealed lines would stay resident, ~250 B each, and grow
 * the streaming heap with every lift). The file is compacted to the newest KEEP lines
 * once it holds COMPACT_AT (temp file + rename; an interrupted compaction is finished or undone
 * at boot like the calibration). A torn last line (power cut during an append) fails its checksum
 * and is skipped. Ids continue across boots (the newest id on flash + 1).
 */
import type { AppCtx } from "./types/rackcell.d.ts";
import { liftBody, liftId } from "../shared/board/liftrecord.ts";
import { seal, sealSuffix } from "./framer.ts";
export const LIFTS_FILE = "lifts.txt";
export const LIFTS_TMP = "lifts.tmp";
const KEEP = 16;
const COMPACT_AT = 32;

/** Strips the line end a stored line carries. */
function bare(line: string): string {
  let n = line.length;
  while (n > 0 && (string.byte(line, n) === 10 || string.byte(line, n) === 13)) n = n - 1;
  return string.sub(line, 1, n);
}

/** The body of a sealed line, or "" when its checksum fails. */
function checked(line: string | undefined): string {
  if (line === undefined) return "";
  const sealed = bare(line);
  const n = sealed.length;
  if (n < 6) return "";
  const body = string.sub(sealed, 1, n - 5);
  return sealSuffix(body) === string.sub(sealed, n - 4, n) ? body : "";
}

/**
 * Reads lifts.txt one line at a time from byte `pos`: the next valid sealed E line with an id
 * above `sinceId`, and the offset after it ("" at the end). For the paced replay, which reads one
 * line per tick and so cannot keep the file open across ticks. Nothing but the current line is
 * held in RAM: the whole ring would be up to COMPACT_AT lines (≈ 8 KB) at once.
 */
function nextAfter(sinceId: number, pos: number): LuaMultiReturn<[string, number]> {
  const fd = file.open(LIFTS_FILE, "r");
  if (fd === undefined) return $multi("", pos);
  if (pos > 0) fd.seek("set", pos);
  for (;;) {
    const line = fd.readline();
    if (line === undefined) break;
    pos = pos + line.length;
    const body = checked(line);
    if (body !== "" && liftId(body) > sinceId) {
      fd.close();
      return $multi(line, pos);
    }
  }
  fd.close();
  return $multi("", pos);
}

/** Calls fn with each valid sealed line of lifts.txt and its body, oldest first, in one pass (one line in RAM). */
function eachLine(fn: (this: void, line: string, body: string) => void): void {
  const fd = file.open(LIFTS_FILE, "r");
  if (fd === undefined) return;
  for (;;) {
    const line = fd.readline();
    if (line === undefined) break;
    const body = checked(line);
    if (body !== "" && liftId(body) > 0) fn(line, body);
  }
  fd.close();
}

export function init(ctx: AppCtx): void {
  if (file.exists(LIFTS_TMP)) {
    if (!file.exists(LIFTS_FILE)) file.rename(LIFTS_TMP, LIFTS_FILE);
    else file.remove(LIFTS_TMP);
  }
  let last = 0;
  let count = 0;
  eachLine((_line, body) => {
    count = count + 1;
    const id = liftId(body);
    if (id > last) last = id;
  });
  ctx.lifts.lastId = last;
  ctx.lifts.fileLines = count;
}

/** Keeps the newest KEEP valid lines: copied line by line into the temp file, then renamed over. */
function compact(ctx: AppCtx): void {
  const skip = ctx.lifts.fileLines > KEEP ? ctx.lifts.fileLines - KEEP : 0;
  const fd = file.open(LIFTS_TMP, "w");
  if (fd === undefined) return;
  let ok = true;
  let seen = 0;
  let kept = 0;
  eachLine((line) => {
    seen = seen + 1;
    if (seen > skip) {
      if (fd.write(bare(line) + "\n") === undefined) ok = false;
      kept = kept + 1;
    }
  });
  fd.close();
  if (!ok) {
    file.remove(LIFTS_TMP);
    return;
  }
  file.remove(LIFTS_FILE);
  file.rename(LIFTS_TMP, LIFTS_FILE);
  ctx.lifts.fileLines = kept;
}

/** The detector completed a lift (ctx.run.det.summary): appends it to flash; returns its sealed line. */
export function record(ctx: AppCtx): string {
  const id = ctx.lifts.lastId + 1;
  ctx.lifts.lastId = id;
  const line = seal(liftBody(id, ctx.bootId, ctx.run.det.summary));
  const fd = file.open(LIFTS_FILE, "a");
  if (fd === undefined) return line;
  fd.write(line + "\n");
  fd.close();
  ctx.lifts.fileLines = ctx.lifts.fileLines + 1;
  if (ctx.lifts.fileLines >= COMPACT_AT) compact(ctx);
  return line;
}

/**
 * A paced replay for `lifts,<sinceId>`: each call gives the next E line with a higher id, read
 * from flash as it goes, then `reply(count)`, then undefined. A compaction in between (a lift
 * completed meanwhile) moves the lines: the replay then starts over from the top of the file,
 * above the last id it sent, so nothing is skipped or sent twice.
 */
export function replay(ctx: AppCtx, sinceId: number, reply: (this: void, count: number) => string): (this: void) => string | undefined {
  let above = sinceId;
  let pos = 0;
  let count = 0;
  let lines = ctx.lifts.fileLines;
  let done = false;
  return () => {
    if (done) return undefined;
    if (ctx.lifts.fileLines < lines) pos = 0;
    lines = ctx.lifts.fileLines;
    const [line, after] = nextAfter(above, pos);
    if (line === "") {
      done = true;
      return reply(count);
    }
    pos = after;
    count = count + 1;
    const body = bare(line);
    above = liftId(string.sub(body, 1, body.length - 5));
    return body;
  };
}

// Sliding window statistics over the last `size` samples (the "quiet period"
// window, ~1 s). Board-safe: the arrays are allocated once in windowCreate and
// a push does no allocation, so the on-board detector can call it per sample.
//
// Sums are kept relative to a reference value (`ref`) so that the variance of
// a 5000 N load with 1 N of noise is not lost to cancellation, and they are
// recomputed exactly every time the write index wraps, so rounding errors from
// add/remove never accumulate. JS and Lua run the same operations in the same
// order on IEEE doubles, so both give the same bits.

export interface WindowStats {
  size: number;
  vals: number[];
  /** sample times; absent in a window made without them (the board's: see windowCreate) */
  times: number[] | undefined;
  /** next slot to write (0-based) */
  idx: number;
  /** valid samples, at most size */
  count: number;
  ref: number;
  sumD: number;
  sumD2: number;
}

/**
 * `keepTimes` false: no times array (windowOldestMs then answers -1). The board's detector needs
 * no window times (they only give quietStartMs, which the board does not report) and an array of
 * ~80 doubles is ~1.3 KB of its heap.
 */
export function windowCreate(size: number, keepTimes = true): WindowStats {
  const grow: number[] = [];
  for (let i = 0; i < size; i++) grow.push(0);
  // Copied with a spread: in Lua `{unpack(grow)}` sizes the array part exactly (pushes grow it to
  // the next power of two: 128 slots for 80 samples).
  const vals = [...grow];
  return { size: size, vals: vals, times: keepTimes ? [...grow] : undefined, idx: 0, count: 0, ref: 0, sumD: 0, sumD2: 0 };
}

export function windowReset(w: WindowStats): void {
  w.idx = 0;
  w.count = 0;
  w.ref = 0;
  w.sumD = 0;
  w.sumD2 = 0;
}

function windowRecompute(w: WindowStats, ref: number): void {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < w.count; i++) {
    const d = w.vals[i] - ref;
    s = s + d;
    s2 = s2 + d * d;
  }
  w.ref = ref;
  w.sumD = s;
  w.sumD2 = s2;
}

export function windowPush(w: WindowStats, tMs: number, x: number): void {
  if (w.count === 0) {
    w.ref = x;
    w.sumD = 0;
    w.sumD2 = 0;
  }
  if (w.count < w.size) {
    w.count = w.count + 1;
  } else {
    const old = w.vals[w.idx] - w.ref;
    w.sumD = w.sumD - old;
    w.sumD2 = w.sumD2 - old * old;
  }
  const d = x - w.ref;
  w.sumD = w.sumD + d;
  w.sumD2 = w.sumD2 + d * d;
  w.vals[w.idx] = x;
  const times = w.times;
  if (times !== undefined) times[w.idx] = tMs;
  w.idx = w.idx + 1;
  if (w.idx >= w.size) {
    w.idx = 0;
    windowRecompute(w, x);
  }
}

export function windowFull(w: WindowStats): boolean {
  return w.count >= w.size;
}

export function windowMean(w: WindowStats): number {
  if (w.count === 0) return 0;
  return w.ref + w.sumD / w.count;
}

/** Sample standard deviation (n − 1); 0 for fewer than 2 samples. */
export function windowSd(w: WindowStats): number {
  if (w.count < 2) return 0;
  const v = (w.sumD2 - (w.sumD * w.sumD) / w.count) / (w.count - 1);
  return v > 0 ? Math.sqrt(v) : 0;
}

/** Time of the oldest sample in the window; -1 for a window made without times. */
export function windowOldestMs(w: WindowStats): number {
  const times = w.times;
  if (times === undefined) return -1;
  return w.count < w.size ? times[0] : times[w.idx];
}

// Small board-safe helpers on sampled series (timesMs[], values[]): sample
// period, linear interpolation, trapezoid integration, means. Pure functions,
// explicit loops, no allocation except where noted.

/** In-place insertion sort, ascending (stable, same result in JS and Lua). */
export function insertionSort(a: number[]): void {
  for (let i = 1; i < a.length; i++) {
    const v = a[i];
    let j = i - 1;
    while (j >= 0 && a[j] > v) {
      a[j + 1] = a[j];
      j = j - 1;
    }
    a[j + 1] = v;
  }
}

/**
 * Median sample interval in ms (robust to a dropped sample); 0 for < 2
 * samples. Allocates one array of intervals.
 */
export function medianPeriodMs(timesMs: number[]): number {
  const n = timesMs.length;
  if (n < 2) return 0;
  const d: number[] = [];
  for (let i = 1; i < n; i++) d.push(timesMs[i] - timesMs[i - 1]);
  insertionSort(d);
  const m = d.length;
  const h = Math.floor(m / 2);
  if (m - 2 * h === 1) return d[h];
  return (d[h - 1] + d[h]) / 2;
}

/**
 * Value at tMs by linear interpolation, searching forward from fromIndex
 * (whose time must be <= tMs). Returns the last value if tMs is past the end:
 * callers check coverage with lastTimeMs first.
 */
export function interpolateAt(timesMs: number[], values: number[], fromIndex: number, tMs: number): number {
  const n = timesMs.length;
  let i = fromIndex < 0 ? 0 : fromIndex;
  while (i + 1 < n && timesMs[i + 1] <= tMs) i = i + 1;
  if (i + 1 >= n || timesMs[i] >= tMs) return values[i];
  const t0 = timesMs[i];
  const t1 = timesMs[i + 1];
  return values[i] + ((values[i + 1] - values[i]) * (tMs - t0)) / (t1 - t0);
}

/**
 * Trapezoid integral of (values - offset) from sample fromIndex to time toMs,
 * in value·s (e.g. N·s). The last partial segment uses the interpolated end.
 */
export function integrateTo(timesMs: number[], values: number[], offset: number, fromIndex: number, toMs: number): number {
  const n = timesMs.length;
  let sum = 0;
  let i = fromIndex;
  while (i + 1 < n && timesMs[i + 1] <= toMs) {
    sum = sum + ((values[i] - offset + (values[i + 1] - offset)) / 2) * (timesMs[i + 1] - timesMs[i]);
    i = i + 1;
  }
  if (i + 1 < n && timesMs[i] < toMs) {
    const vEnd = interpolateAt(timesMs, values, i, toMs);
    sum = sum + ((values[i] - offset + (vEnd - offset)) / 2) * (toMs - timesMs[i]);
  }
  return sum / 1000;
}

/** Mean of values[from..to] inclusive; 0 if the range is empty. */
export function meanRange(values: number[], from: number, to: number): number {
  if (to < from || from < 0) return 0;
  let s = 0;
  for (let i = from; i <= to; i++) s = s + values[i];
  return s / (to - from + 1);
}

/** Largest |value| over [from..to] inclusive. */
export function maxAbsRange(values: number[], from: number, to: number): number {
  let m = 0;
  for (let i = from; i <= to; i++) {
    const v = values[i] < 0 ? -values[i] : values[i];
    if (v > m) m = v;
  }
  return m;
}

/** Any true flag in [from..to] inclusive. */
export function anyTrue(flags: boolean[], from: number, to: number): boolean {
  const last = to < flags.length - 1 ? to : flags.length - 1;
  for (let i = from < 0 ? 0 : from; i <= last; i++) {
    if (flags[i] === true) return true;
  }
  return false;
}

/** Signed asymmetry 100·(left − right)/(left + right); 0 when the sum is not positive. */
export function asymmetryPct(leftN: number, rightN: number): number {
  const sum = leftN + rightN;
  if (!(sum > 0)) return 0;
  return (100 * (leftN - rightN)) / sum;
}

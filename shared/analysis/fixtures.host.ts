// Test curves (host only: used by the *.test.ts files and the vector
// generator). Every curve is built from a few straight pieces or a closed
// formula so the expected numbers can be worked out on paper.

export interface Curve {
  timesMs: number[];
  forceN: number[];
}

/** Times 0, dt, 2·dt, ... for n samples. */
export function times(n: number, dtMs: number): number[] {
  const t: number[] = [];
  for (let i = 0; i < n; i++) t.push(i * dtMs);
  return t;
}

/** ±a alternating (+a on even samples): mean 0, SD a·sqrt(n/(n−1)) over an even count. */
export function alternating(i: number, a: number): number {
  return i % 2 === 0 ? a : -a;
}

/** Deterministic noise in [−a, a] (LCG), for curves where ties must not happen. */
export function lcgNoise(n: number, a: number, seed: number): number[] {
  const out: number[] = [];
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out.push((x / 4294967296) * 2 * a - a);
  }
  return out;
}

/**
 * The hand-checked isometric ramp at 100 Hz (dt 10 ms), 600 samples:
 *   i 0..199    200 ± 1 (alternating)             quiet, mean 200
 *   i 200..219  200 + (i − 199)·100 → 300..2200    +100 N per sample = 10 000 N/s
 *   i 220..419  2200                                plateau
 *   i 420..599  0                                   released
 */
export function isoRamp(): Curve {
  const t = times(600, 10);
  const f: number[] = [];
  for (let i = 0; i < 600; i++) {
    if (i < 200) f.push(200 + alternating(i, 1));
    else if (i < 220) f.push(200 + (i - 199) * 100);
    else if (i < 420) f.push(2200);
    else f.push(0);
  }
  return { timesMs: t, forceN: f };
}

/** F = base + fMax·(1 − e^(−k·(t − t0))) after t0 (s), base before; sampled every dtMs for durMs. */
export function expRise(base: number, fMax: number, k: number, t0Ms: number, dtMs: number, durMs: number): Curve {
  const n = Math.floor(durMs / dtMs);
  const t = times(n, dtMs);
  const f: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = (t[i] - t0Ms) / 1000;
    f.push(s > 0 ? base + fMax * (1 - Math.exp(-k * s)) : base);
  }
  return { timesMs: t, forceN: f };
}

/**
 * Sigmoid (zero-slope start, Hill-type) rise: F = base + fMax·(1 − e^(−k·(t − t0)))² after t0 (s).
 * Its slope is 0 at t0 and largest at the inflection, ln 2/k after t0, where F = base + fMax/4.
 */
export function sigmoidRise(base: number, fMax: number, k: number, t0Ms: number, dtMs: number, durMs: number): Curve {
  const n = Math.floor(durMs / dtMs);
  const t = times(n, dtMs);
  const f: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = (t[i] - t0Ms) / 1000;
    const x = s > 0 ? 1 - Math.exp(-k * s) : 0;
    f.push(base + fMax * x * x);
  }
  return { timesMs: t, forceN: f };
}

/**
 * The hand-checked rack pull at 80 SPS (dt 12.5 ms), 480 samples (6 s), pin load:
 *   i 0..159    W (rest, weighed)
 *   i 160..191  W − (i − 159)·W/32                  falls linearly, reaches 0 at i = 191
 *   i 192..271  0                                   held off the pins
 *   i 272..479  W2 (set down; W2 = W unless plates changed)
 */
export function rackPull(W: number, W2: number, noiseA: number): Curve {
  const t = times(480, 12.5);
  const p: number[] = [];
  for (let i = 0; i < 480; i++) {
    if (i < 160) p.push(W + alternating(i, noiseA));
    else if (i < 192) p.push(W - ((i - 159) * W) / 32);
    else if (i < 272) p.push(0);
    else p.push(W2 + alternating(i, noiseA));
  }
  return { timesMs: t, forceN: p };
}

/**
 * A rack pull with pre-tension at 80 SPS (dt 12.5 ms), 480 samples (6 s), pin load:
 *   i 0..119    W (bar resting, 1.5 s)
 *   i 120..123  W − (i − 119)·P/4                   pre-tension taken over 4 samples
 *   i 124..219  W − P                               pre-tension held 1.2 s
 *   i 220..251  (W − P)·(1 − (i − 219)/32)          the pull: reaches 0 at i = 251
 *   i 252..331  0                                   held off the pins (1 s)
 *   i 332..479  W2 (set down; W2 = W unless plates changed)
 * With P = 0 it is a pull straight from rest (onset i = 220).
 */
export function rackPullPreTension(W: number, P: number, W2: number): Curve {
  const t = times(480, 12.5);
  const p: number[] = [];
  for (let i = 0; i < 480; i++) {
    if (i < 120) p.push(W);
    else if (i < 124) p.push(W - ((i - 119) * P) / 4);
    else if (i < 220) p.push(W - P);
    else if (i < 252) p.push((W - P) * (1 - (i - 219) / 32));
    else if (i < 332) p.push(0);
    else p.push(W2);
  }
  return { timesMs: t, forceN: p };
}

/**
 * What an HX711 at period T reads from a force F(t): F averaged by the sinc⁴ decimation filter (the
 * cubic B-spline over 4·T, centred on the sample time), integrated numerically in 0.01·T steps.
 */
export function hx711Samples(force: (tMs: number) => number, periodMs: number, durMs: number): Curve {
  const n = Math.floor(durMs / periodMs);
  const t = times(n, periodMs);
  const bspline = (x: number): number => {
    const a = Math.abs(x);
    return a < 1 ? 2 / 3 - a * a + (a * a * a) / 2 : a < 2 ? ((2 - a) * (2 - a) * (2 - a)) / 6 : 0;
  };
  const f: number[] = [];
  for (let i = 0; i < n; i++) {
    let s = 0;
    let w = 0;
    for (let j = -200; j <= 200; j++) {
      const b = bspline(j / 100);
      s += b * force(t[i] + (j / 100) * periodMs);
      w += b;
    }
    f.push(s / w);
  }
  return { timesMs: t, forceN: f };
}

/**
 * A rack pull (`kg`, default 150) re-weighed, the bar taken off the pins 1 s after its set-down (the re-weigh
 * ≈ 40 ms before), the pins empty 3 s, then an isometric pull of 3000 N (the bar pushed up into
 * the pins: negative pin load) held 2.5 s, at 80 SPS with ±`noiseN` alternating noise.
 * Pieces (s): empty 2, resting 3, unload 0.3, held 1.5, set down 0.2, resting 1, taken off 0.3,
 * empty 3, rise 0.5, held 2.5, release 0.3, empty 3.
 */
export function rackPullBarOffThenIsometric(kg = 150, noiseN = 2): Curve {
  const W = kg * 9.80665;
  const pieces: [number, (u: number) => number][] = [
    [2, () => 0], [3, () => W], [0.3, (u) => W * (1 - u)], [1.5, () => 0], [0.2, (u) => W * u], [1, () => W],
    [0.3, (u) => W * (1 - u)], [3, () => 0], [0.5, (u) => -3000 * u], [2.5, () => -3000], [0.3, (u) => -3000 * (1 - u)], [3, () => 0],
  ];
  const timesMs: number[] = [];
  const forceN: number[] = [];
  for (const [durS, f] of pieces) {
    const n = Math.round(durS * 80);
    for (let k = 0; k < n; k++) {
      const i = timesMs.length;
      timesMs.push(i * 12.5);
      forceN.push(f(k / n) + alternating(i, noiseN));
    }
  }
  return { timesMs, forceN };
}

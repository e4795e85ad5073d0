/**
 * Validation curves: 1 kHz pin-load records of isometric pulls and rack pulls built from a
 * physiological force model, with the ground truth worked out from the model itself (not from
 * the sampled, noisy record).
 *
 * Lifter force (N, gross: what a force plate under the lifter would show minus body weight):
 *
 *   L(t) = Lb                                         t <= t0
 *   L(t) = Lb + A · R(s) · e^(−s/τf),  s = t − t0     t >  t0          (until release)
 *   R(s) = (1 − e^(−s/τ))^n
 *
 * n = 1 is the exponential rise Chronojump (and expmodel.host.ts) fits; n = 2 is a sigmoid
 * (Hill-like) rise that starts with zero slope, which the exponential model does not describe.
 * τ is set from the requested time to 90 % of A: s90 = τ · −ln(1 − 0.9^(1/n)). τf is a slow
 * fatigue decline (a few % per second) that gives the effort a true, rounded maximum: without
 * it "time to peak" on an exponential would be undefined. Release: the force falls linearly back
 * to Lb over releaseMs.
 *
 * Pins (positive = bar pushes down on the pin, the emulator's and detector's convention):
 *  - isometric: the bar (weight W) is under the pins and pushed up into them; pin load total is
 *    −(L − W) and the lifter force is W + |pin load|. Pre-tension: during the quiet period the
 *    lifter already pushes P into the pins (L = W + P). Missing pre-tension ("shock-loaded"):
 *    the pins read 0 until the pull starts (L = W).
 *  - rack pull: the bar (weight W) rests on the pins; pin load total is W − L until L reaches W
 *    (lift-off), 0 while the bar is held, then W again after the set-down. The bar is weighed
 *    resting alone; pre-tension means the lifter then takes P off the pins before pulling.
 * Asymmetry a (fraction): the left hand pulls (1 + a)/2 of the lifter's net force and the right
 * (1 − a)/2, so 100·(L − R)/(L + R) = 100·a. In a rack pull a pin cannot pull down: when the left
 * pin unloads first the bar pivots on the right pin, which then carries all of W − L.
 *
 * Noise: white, Gaussian, per pin, `noiseN` rms at 1 kHz (rack vibration, tremor, the force
 * plate's own noise); seeded so every record can be regenerated exactly.
 */

export const G = 9.80665;
export const RATE_HZ = 1000;

export type LiftKind = "isometric" | "rackpull";

export interface CurveSpec {
  id: string;
  kind: LiftKind;
  /** time from the start of the rise to 90 % of the rise amplitude A (ms) */
  riseTo90Ms: number;
  /** rise exponent n: 1 exponential, 2 sigmoid */
  shape: 1 | 2;
  /** isometric: peak gross lifter force (N). rack pull: the force the lifter is heading for (N, > W) */
  peakN: number;
  /** bar weight in kg (isometric: bar under the pins; rack pull: loaded bar on the pins) */
  barKg: number;
  /** pre-tension (N above W for isometric; taken off the pins for rack pulls); 0 = none */
  pretensionN: number;
  /** left/right asymmetry, % (0..20) */
  asymmetryPct: number;
  /** white noise per pin, N rms at 1 kHz */
  noiseN: number;
  /** fatigue time constant τf (s): larger = flatter plateau */
  fatigueS: number;
  seed: number;
}

/** Curve timing (ms). */
export interface CurveTiming {
  /** isometric: quiet with pre-tension from 0 (or pins empty); rack pull: bar resting from 0 */
  t0Ms: number;
  /** rack pull: pre-tension taken from pretensionStartMs over 300 ms */
  pretensionStartMs: number;
  /** release starts (isometric) / set-down starts (rack pull) */
  releaseMs: number;
  releaseDurMs: number;
  durationMs: number;
}

export interface Curve {
  spec: CurveSpec;
  timing: CurveTiming;
  /** 1 kHz times (ms) from 0 */
  timesMs: number[];
  /** pin load per pin (N), noise included */
  leftN: number[];
  rightN: number[];
  truth: IsometricTruth | RackPullTruth;
}

export const WINDOWS_MS = [50, 100, 150, 200, 250] as const;

export interface IsometricTruth {
  kind: "isometric";
  barN: number;
  /** gross lifter force during the quiet period (W + P) */
  baselineN: number;
  pretension: boolean;
  onsetMs: number;
  peakN: number;
  peakNetN: number;
  peakMs: number;
  timeToPeakMs: number;
  timeTo90PctMs: number;
  /** gross lifter force at onset + 50..250 ms */
  forceAtN: number[];
  /** (F(t0 + w) − F(t0)) / w, N/s */
  rfdNPerS: number[];
  /** ∫ (F − baseline) dt over the window, N·s */
  impulseNS: number[];
  peakRfd100NPerS: number;
  peakRfd200NPerS: number;
  asymmetryPct: number;
}

export interface RackPullTruth {
  kind: "rackpull";
  barN: number;
  barKg: number;
  pretension: boolean;
  /** start of the pull (the lifter's force leaves its pre-tension level) */
  onsetMs: number;
  liftOffMs: number;
  timeToLiftOffMs: number;
  /** (W − pre-tension) / time to lift-off: mean lifter RFD from onset to lift-off */
  breakawayRateNPerS: number;
  leftLiftOffMs: number;
  rightLiftOffMs: number;
  setDownMs: number;
  holdMs: number;
}

/** x90 of (1 − e^(−x))^n = 0.9. */
export function x90(n: number): number {
  return -Math.log(1 - Math.pow(0.9, 1 / n));
}

export function tauMs(spec: CurveSpec): number {
  return spec.riseTo90Ms / x90(spec.shape);
}

/** The noiseless gross lifter force model (N) at time tMs, ignoring release and lift-off. */
export interface ForceModel {
  (tMs: number): number;
}

export function timing(spec: CurveSpec): CurveTiming {
  if (spec.kind === "isometric") {
    const t0 = 2000;
    const release = t0 + Math.max(3000, 3 * spec.riseTo90Ms + 1500);
    return { t0Ms: t0, pretensionStartMs: 0, releaseMs: release, releaseDurMs: 300, durationMs: release + 300 + 1200 };
  }
  // rack pull: 1.5 s resting (weighed), pre-tension over 300 ms then held 1.2 s, pull, hold 2 s, set down, 2 s re-weigh
  const pre = 1500;
  const t0 = spec.pretensionN > 0 ? pre + 300 + 1200 : 2000;
  return { t0Ms: t0, pretensionStartMs: pre, releaseMs: -1, releaseDurMs: 150, durationMs: -1 };
}

function riseAmplitude(spec: CurveSpec, barN: number): { base: number; amp: number } {
  if (spec.kind === "isometric") {
    const base = barN + spec.pretensionN;
    return { base, amp: 0 }; // amp solved so the true peak equals spec.peakN (see isoModel)
  }
  return { base: spec.pretensionN, amp: spec.peakN - spec.pretensionN };
}

function riseShape(spec: CurveSpec, sMs: number): number {
  if (sMs <= 0) return 0;
  const x = 1 - Math.exp(-sMs / tauMs(spec));
  return spec.shape === 1 ? x : x * x;
}

/** Unit-amplitude shape with fatigue: R(s)·e^(−s/τf). */
function unitEffort(spec: CurveSpec, sMs: number): number {
  if (sMs <= 0) return 0;
  return riseShape(spec, sMs) * Math.exp(-sMs / (spec.fatigueS * 1000));
}

/** Maximum of unitEffort over s > 0: value and position (ms), by golden section (unimodal). */
export function unitPeak(spec: CurveSpec): { s: number; v: number } {
  let lo = 0;
  let hi = 20 * tauMs(spec) + 10000;
  const gr = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - gr * (hi - lo);
  let x2 = lo + gr * (hi - lo);
  let f1 = unitEffort(spec, x1);
  let f2 = unitEffort(spec, x2);
  for (let i = 0; i < 200; i++) {
    if (f1 >= f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - gr * (hi - lo);
      f1 = unitEffort(spec, x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + gr * (hi - lo);
      f2 = unitEffort(spec, x2);
    }
  }
  const s = (lo + hi) / 2;
  return { s, v: unitEffort(spec, s) };
}

/** Gross lifter force (N) of an isometric curve as a function of time (ms), noiseless. */
export function isoForceModel(spec: CurveSpec): ForceModel {
  const tm = timing(spec);
  const barN = spec.barKg * G;
  const base = barN + spec.pretensionN;
  const pk = unitPeak(spec);
  const amp = (spec.peakN - base) / pk.v;
  const tau = tauMs(spec);
  const tf = spec.fatigueS * 1000;
  const effort = (t: number): number => {
    const s = t - tm.t0Ms;
    if (s <= 0) return base;
    const x = 1 - Math.exp(-s / tau);
    return base + amp * (spec.shape === 1 ? x : x * x) * Math.exp(-s / tf);
  };
  const fRel = effort(tm.releaseMs);
  return (tMs: number): number => {
    if (tMs <= tm.releaseMs) return effort(tMs);
    const u = (tMs - tm.releaseMs) / tm.releaseDurMs;
    return u >= 1 ? barN : fRel + (barN - fRel) * u;
  };
}

/** Lifter force (N) of a rack pull before lift-off, noiseless (no fatigue: the bar leaves first). */
export function rackLifterForce(spec: CurveSpec, tMs: number): number {
  const tm = timing(spec);
  const { base, amp } = riseAmplitude(spec, spec.barKg * G);
  if (spec.pretensionN > 0 && tMs < tm.t0Ms) {
    const u = (tMs - tm.pretensionStartMs) / 300;
    return u <= 0 ? 0 : u >= 1 ? base : base * u;
  }
  return base + amp * riseShape(spec, tMs - tm.t0Ms);
}

/** First s (ms) where the rack-pull rise reaches `target` (N), analytic inverse. */
function rackTimeToForce(spec: CurveSpec, target: number): number {
  const { base, amp } = riseAmplitude(spec, spec.barKg * G);
  const r = (target - base) / amp;
  const x = spec.shape === 1 ? r : Math.sqrt(r);
  return -tauMs(spec) * Math.log(1 - x);
}

/** Seeded PRNG (mulberry32) and Gaussian (Box–Muller). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussian(next: () => number): () => number {
  let spare = NaN;
  return () => {
    if (spare === spare) {
      const s = spare;
      spare = NaN;
      return s;
    }
    let u = 0;
    while (u <= 1e-300) u = next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** Simpson integral of f over [a, b] with an even number of steps. */
function simpson(f: (t: number) => number, a: number, b: number, steps: number): number {
  const h = (b - a) / steps;
  let s = f(a) + f(b);
  for (let i = 1; i < steps; i++) s += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

function isoTruth(spec: CurveSpec): IsometricTruth {
  const tm = timing(spec);
  const barN = spec.barKg * G;
  const base = barN + spec.pretensionN;
  const F = isoForceModel(spec);
  const pk = unitPeak(spec);
  const peakMs = tm.t0Ms + pk.s;
  const peakN = spec.peakN;
  // time to 90 % of net peak: bisection on the (monotone before the peak) rise
  const target = base + 0.9 * (peakN - base);
  let lo = tm.t0Ms;
  let hi = peakMs;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (F(mid) >= target) hi = mid;
    else lo = mid;
  }
  const forceAtN: number[] = [];
  const rfd: number[] = [];
  const imp: number[] = [];
  for (const w of WINDOWS_MS) {
    const f = F(tm.t0Ms + w);
    forceAtN.push(f);
    rfd.push(((f - base) * 1000) / w);
    imp.push(simpson((t) => F(t) - base, tm.t0Ms, tm.t0Ms + w, 2000) / 1000);
  }
  const peakSliding = (w: number): number => {
    let best = 0;
    for (let s = 0; s <= pk.s; s += 0.1) {
      const r = ((F(tm.t0Ms + s + w) - F(tm.t0Ms + s)) * 1000) / w;
      if (r > best) best = r;
    }
    return best;
  };
  return {
    kind: "isometric",
    barN,
    baselineN: base,
    pretension: spec.pretensionN > 0,
    onsetMs: tm.t0Ms,
    peakN,
    peakNetN: peakN - base,
    peakMs,
    timeToPeakMs: pk.s,
    timeTo90PctMs: hi - tm.t0Ms,
    forceAtN,
    rfdNPerS: rfd,
    impulseNS: imp,
    peakRfd100NPerS: peakSliding(100),
    peakRfd200NPerS: peakSliding(200),
    asymmetryPct: spec.asymmetryPct,
  };
}

export const RACK_HOLD_MS = 2000;
export const RACK_REWEIGH_MS = 2000;

function rackTruth(spec: CurveSpec): { truth: RackPullTruth; timing: CurveTiming } {
  const tm = timing(spec);
  const barN = spec.barKg * G;
  const a = spec.asymmetryPct / 100;
  const liftOff = tm.t0Ms + rackTimeToForce(spec, barN);
  // the left pin unloads when L·(1 + a)/2 = W/2 (before lift-off when a > 0); the right at lift-off
  const leftTarget = barN / (1 + a);
  const leftOff = leftTarget <= spec.pretensionN ? tm.t0Ms : tm.t0Ms + rackTimeToForce(spec, leftTarget);
  const setDown = liftOff + RACK_HOLD_MS;
  const t: CurveTiming = { ...tm, releaseMs: setDown, durationMs: Math.ceil(setDown + tm.releaseDurMs + RACK_REWEIGH_MS) };
  return {
    timing: t,
    truth: {
      kind: "rackpull",
      barN,
      barKg: spec.barKg,
      pretension: spec.pretensionN > 0,
      onsetMs: tm.t0Ms,
      liftOffMs: liftOff,
      timeToLiftOffMs: liftOff - tm.t0Ms,
      breakawayRateNPerS: ((barN - spec.pretensionN) * 1000) / (liftOff - tm.t0Ms),
      leftLiftOffMs: leftOff - tm.t0Ms,
      rightLiftOffMs: liftOff - tm.t0Ms,
      setDownMs: setDown,
      holdMs: RACK_HOLD_MS,
    },
  };
}

/** Noiseless pin loads (left, right) at tMs; `iso` is isoForceModel(spec) for isometric curves. */
export function pinLoads(
  spec: CurveSpec,
  tm: CurveTiming,
  truth: IsometricTruth | RackPullTruth,
  tMs: number,
  iso?: ForceModel,
): [number, number] {
  const a = spec.asymmetryPct / 100;
  if (truth.kind === "isometric") {
    const F = iso ?? isoForceModel(spec);
    const net = F(tMs) - truth.barN; // >= 0: pushed into the pins
    return [(-net * (1 + a)) / 2, (-net * (1 - a)) / 2];
  }
  const W = truth.barN;
  if (tMs >= truth.liftOffMs && tMs < truth.setDownMs) return [0, 0];
  if (tMs >= truth.setDownMs) {
    const u = Math.min(1, (tMs - truth.setDownMs) / tm.releaseDurMs);
    return [(W / 2) * u, (W / 2) * u];
  }
  const L = rackLifterForce(spec, tMs);
  const left = Math.max(0, W / 2 - (L * (1 + a)) / 2);
  return [left, Math.max(0, W - L - left)];
}

export function buildCurve(spec: CurveSpec): Curve {
  let tm = timing(spec);
  let truth: IsometricTruth | RackPullTruth;
  if (spec.kind === "isometric") {
    truth = isoTruth(spec);
  } else {
    const r = rackTruth(spec);
    truth = r.truth;
    tm = r.timing;
  }
  const n = Math.floor(tm.durationMs) + 1;
  const g = gaussian(rng(spec.seed));
  const timesMs: number[] = [];
  const leftN: number[] = [];
  const rightN: number[] = [];
  const iso = spec.kind === "isometric" ? isoForceModel(spec) : undefined;
  for (let i = 0; i < n; i++) {
    const t = i;
    const [l, r] = pinLoads(spec, tm, truth, t, iso);
    timesMs.push(t);
    leftN.push(l + spec.noiseN * g());
    rightN.push(r + spec.noiseN * g());
  }
  return { spec, timing: tm, timesMs, leftN, rightN, truth };
}

/**
 * The validation set: a deterministic mix over the factors (rise time 150 ms..1 s, peak
 * 1500..5000 N, noise, pre-tension present/missing, asymmetry 0..20 %, exponential/sigmoid rise,
 * flat/peaked plateau), cycled with co-prime strides so small sets still cover every level.
 */
export function isometricSet(count: number, seed = 1): CurveSpec[] {
  const rise = [150, 250, 400, 600, 1000];
  const peak = [1500, 2500, 3500, 5000];
  const noise = [1, 4, 10];
  const pre = [200, 0, 400];
  const asym = [0, 5, 12, 20];
  const shape: (1 | 2)[] = [1, 2];
  const fatigue = [8, 30];
  const out: CurveSpec[] = [];
  for (let i = 0; i < count; i++) {
    const p = peak[(i * 3) % peak.length];
    const bar = 20 + 10 * (i % 5); // 20..60 kg
    out.push({
      id: `iso${String(i).padStart(2, "0")}`,
      kind: "isometric",
      riseTo90Ms: rise[i % rise.length],
      shape: shape[Math.floor(i / 5) % 2],
      peakN: p,
      barKg: bar,
      pretensionN: pre[(i * 7) % pre.length],
      asymmetryPct: asym[(i * 3 + 1) % asym.length],
      noiseN: noise[(i * 2) % noise.length],
      fatigueS: fatigue[Math.floor(i / 10) % 2],
      seed: seed * 10007 + i,
    });
  }
  return out;
}

export function rackPullSet(count: number, seed = 1): CurveSpec[] {
  const bar = [180, 260, 340, 420, 480];
  const over = [1.05, 1.15, 1.3];
  const rise = [200, 400, 700, 1000];
  const noise = [1, 4, 10];
  const pre = [0, 0.05, 0.15];
  const asym = [0, 8, 15];
  const out: CurveSpec[] = [];
  for (let i = 0; i < count; i++) {
    const kg = bar[i % bar.length];
    const W = kg * G;
    out.push({
      id: `rp${String(i).padStart(2, "0")}`,
      kind: "rackpull",
      riseTo90Ms: rise[(i * 3) % rise.length],
      shape: i % 3 === 2 ? 2 : 1,
      peakN: W * over[(i * 2) % over.length],
      barKg: kg,
      pretensionN: W * pre[Math.floor(i / 2) % pre.length],
      asymmetryPct: asym[(i * 2 + 1) % asym.length],
      noiseN: noise[(i * 5) % noise.length],
      fatigueS: 30,
      seed: seed * 20011 + i,
    });
  }
  return out;
}

/** Force-time CSV: `time_s,left_n,right_n` (pin load per pin, N; positive = bar pushes down). */
export function curveCsv(c: Curve): string {
  const lines: string[] = ["time_s,left_n,right_n"];
  for (let i = 0; i < c.timesMs.length; i++) {
    lines.push(`${(c.timesMs[i] / 1000).toFixed(3)},${c.leftN[i].toFixed(2)},${c.rightN[i].toFixed(2)}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Parses curveCsv output (header required). */
export function parseCurveCsv(text: string): { timesMs: number[]; leftN: number[]; rightN: number[] } {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  if (lines.length === 0 || !lines[0].startsWith("time_s")) throw new Error("curve CSV: missing header time_s,left_n,right_n");
  const timesMs: number[] = [];
  const leftN: number[] = [];
  const rightN: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i].split(",");
    if (f.length < 3) throw new Error(`curve CSV line ${i + 1}: expected 3 fields`);
    timesMs.push(Math.round(Number(f[0]) * 1e6) / 1e3);
    leftN.push(Number(f[1]));
    rightN.push(Number(f[2]));
  }
  return { timesMs, leftN, rightN };
}

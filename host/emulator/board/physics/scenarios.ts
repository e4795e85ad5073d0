/**
 * Scenarios: the physical force on each rack pin over time (N, positive = the bar pushes down
 * on the pin; time zero = power-on), with the ground truth a test compares the firmware's
 * findings against. Spec strings: `name` or `name:key=value,key=value` (see listScenarios()).
 *
 * Pins and channels: with 2 channels, channel 0 is the left pin and 1 the right; `balance` is
 * the left share (0.5 = even). With 1 channel (one cell under a combined bracket) it carries the
 * total. Channels beyond the second carry nothing.
 *
 * Forces are noise-free physics (the cell/HX711 add the measurement imperfections), except for
 * the lifter's physiological tremor (8–12 Hz, seeded), which is part of the real force. Every
 * truth time and peak is computed from the very force function the chip will sample (scans at
 * ≤ 1 ms, refined by bisection where it matters), so truth and force agree by construction.
 *
 * Physical constants and choices:
 * - g = 9.80665 m/s² (standard gravity, as plate masses are stated).
 * - Lifter force rise: "phys" = 1 − (1 + x)·e^(−x), x = (t − onset)/τ, a critically damped
 *   second-order rise (smooth start, S-shaped, as force–time curves of maximal pulls look);
 *   "exp" = 1 − e^(−x) (Chronojump's model F = Fmax·(1 − e^(−K(t − T0))), abrupt start).
 * - Bar on the pins as a mass on a spring: rack + pins + cells ≈ 2·10⁶ N/m in total (a stiff
 *   power rack: 100 kg deflects it 0.5 mm), damping ratio 0.08 (steel frame, bolted joints).
 *   These set the impact peak and the ringing (≈ 22 Hz with 100 kg, ≈ 11 Hz with 400 kg).
 *   Assumptions, not measurements; tune with `stiffness` and `zeta`.
 */
import { fcos, fexp, flog, fsin, rngCreate, rngNext } from "./fmath.ts";
import { checkKeys, has, num, parseSpec, str, type Params } from "./spec.ts";

export const G = 9.80665;
const TWO_PI = 6.283185307179586;
/** x at which 1 − (1 + x)·e^(−x) = 0.9 (solved numerically, checked in the tests). */
export const PHYS_X90 = 3.889720169867429;

export interface ScenarioTruth {
  kind: string;
  /** Mass that ends up resting on the pins (bar + plates), kg; for isometric the bar's mass. */
  massKg: number;
  /** Per channel: steady load before the event (N). */
  restLoadN: number[];
  /** Per channel: steady load at the end (N). */
  restLoadAfterN: number[];
  /** weigh / rackpull: when the load has finished arriving on the pins (s). */
  loadedS?: number;
  /** rackpull / isometric: first instant the lifter's force departs from the baseline (s). */
  onsetS?: number;
  /** rackpull: total pin load reaches 0 (s). */
  liftOffS?: number;
  /** rackpull: bar touches the pins again (s). */
  setDownS?: number;
  /** rackpull: setDownS − liftOffS (s). */
  holdS?: number;
  /** rackpull: liftOffS − onsetS (s). */
  timeToLiftOffS?: number;
  /** Largest |total pin load| of the event (N): set-down / impact peak, isometric peak. */
  peakN?: number;
  /** When peakN happens (s since power-on). */
  peakS?: number;
  /** isometric: peakS − onsetS (s). */
  timeToPeakS?: number;
  /** isometric: first time the net force reaches 90 % of the net peak, minus onsetS (s). */
  timeTo90S?: number;
  /** isometric: total pin load during the steady pre-tension (N, negative). */
  baselineN?: number;
  /** isometric: peakN − |baselineN| (N). */
  peakNetN?: number;
  /** isometric: the lifter's peak force, bar weight + peakN (N). */
  lifterPeakN?: number;
  /** isometric: the release starts (s). */
  releaseS?: number;
  /** drop: the bar hits the pins (s). */
  impactS?: number;
}

/**
 * @noSelf — function-typed properties take no hidden self in Lua (TSTL 1.37 ignores
 * noImplicitSelf for interface members), so Node and Lua call them the same way: obj.f(x).
 */
export interface Scenario {
  name: string;
  durationS: number;
  channels: number;
  description: string;
  forceN: (channel: number, tS: number) => number;
  truth: ScenarioTruth;
}

interface ScenarioInfo { name: string; description: string; example: string; keys: string[] }

const CATALOGUE: ScenarioInfo[] = [
  {
    name: "empty",
    description: "Empty pins for `dur` s (default 60): only noise, warm-up drift and creep recovery.",
    example: "empty:dur=600",
    keys: ["dur"],
  },
  {
    name: "weigh",
    description: "Plates placed on the pins at `atS` (default 5 s, gently over `placeS` 0.4 s) and left there until `dur` (30 s). " +
      "Mass: `kg` total (default 100) split by `balance` (left share, 0.5), or `kgL` and `kgR` per pin.",
    example: "weigh:kgL=60,kgR=40,atS=5,dur=30",
    keys: ["kg", "kgL", "kgR", "balance", "atS", "placeS", "dur"],
  },
  {
    name: "rackpull",
    description: "Empty pins for `emptyS` (5 s, tare), a bar of `kg` (400) placed over `placeS` (0.5 s) and resting `restS` (5 s); " +
      "the lifter pulls with a physiological rise to `strength`×weight (1.15) reaching 90 % in `riseS` (0.8 s), so the pin load falls to 0 at lift-off; " +
      "held off the pins `holdS` (3 s); set down at `contactMps` (0.1 m/s) with an impact overshoot and ringing (`stiffness` 2e6 N/m, `zeta` 0.08); " +
      "resting `afterS` (5 s). `balance` = left share (0.5), `tremor` = relative tremor amplitude (0.003).",
    example: "rackpull:kg=480,balance=0.52,holdS=2",
    keys: ["kg", "balance", "emptyS", "placeS", "restS", "strength", "riseS", "holdS", "contactMps", "stiffness", "zeta", "afterS", "tremor"],
  },
  {
    name: "isometric",
    description: "Isometric pull with the bar under the pins (pin load negative): `quietS` (5 s) empty, pre-tension of `preN` (300 N total) " +
      "reached over `setupS` (1 s) and held `preS` (1.5 s); at onset the force rises as preN + fmax·(1 − e^(−t/tau)) (`model=exp`, default) " +
      "or with a smooth physiological start (`model=phys`), `fmax` 3000 N, `tau` 0.15 s, for `pullS` (4 s); released over `releaseS` (0.3 s); " +
      "`afterS` (3 s). `kg` = bar mass for the lifter's force (100), `balance` (0.5), `tremor` (0.005).",
    example: "isometric:fmax=4000,tau=0.12,preN=250",
    keys: ["kg", "balance", "quietS", "setupS", "preN", "preS", "fmax", "tau", "model", "pullS", "releaseS", "afterS", "tremor"],
  },
  {
    name: "drop",
    description: "Empty pins for `quietS` (5 s), then a bar of `kg` (100) released `dropCm` (2 cm) above the pins: impact spike and damped ringing " +
      "(`stiffness` 2e6 N/m, `zeta` 0.08), then resting for `afterS` (5 s). `balance` (0.5). Big drops saturate the HX711.",
    example: "drop:kg=150,dropCm=5",
    keys: ["kg", "dropCm", "balance", "quietS", "stiffness", "zeta", "afterS"],
  },
];

export function listScenarios(): { name: string; description: string; example: string }[] {
  const out: { name: string; description: string; example: string }[] = [];
  for (const s of CATALOGUE) {
    out.push({ name: s.name, description: s.description, example: s.example });
  }
  out.push({
    name: "csv",
    description: "Replay of recorded forces: scenarioFromCsv(text). Columns: time (s), then the force per pin (N); optional header; " +
      "'#' comments; blank lines ignored; linear interpolation between rows, first/last value held outside.",
    example: "time_s,left_N,right_N\n0,0,0\n1.5,1200,1180",
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Small helpers (TSTL-safe: no regex, explicit comparisons)

function ramp(u: number): number {
  if (u <= 0) return 0;
  if (u >= 1) return 1;
  return (1 - fcos(3.141592653589793 * u)) / 2;
}

/** Share of the total carried by a channel. */
function pinShare(channels: number, channel: number, left: number): number {
  if (channels <= 1) return channel === 0 ? 1 : 0;
  if (channel === 0) return left;
  if (channel === 1) return 1 - left;
  return 0;
}

function perChannel(channels: number, total: number, left: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < channels; c++) out.push(total * pinShare(channels, c, left));
  return out;
}

/** Physiological tremor: three seeded sines at 8–12 Hz, result within [−1, 1]. */
function makeTremor(seed: number): (tS: number) => number {
  const r = rngCreate(seed, 11);
  const f1 = TWO_PI * (8 + 4 * rngNext(r));
  const f2 = TWO_PI * (8 + 4 * rngNext(r));
  const f3 = TWO_PI * (8 + 4 * rngNext(r));
  const p1 = TWO_PI * rngNext(r);
  const p2 = TWO_PI * rngNext(r);
  const p3 = TWO_PI * rngNext(r);
  return (tS: number): number => (fsin(f1 * tS + p1) + fsin(f2 * tS + p2) + fsin(f3 * tS + p3)) / 3;
}

/**
 * Builds a scenario from a spec string. Throws a message string (not an Error: TSTL's Error
 * needs debug.getinfo, absent under the NodeMCU profile) for unknown names, unknown or
 * duplicate keys and out-of-range values.
 */
export function scenarioByName(spec: string, channels: number, seed: number): Scenario {
  const p = parseSpec(spec);
  let info: ScenarioInfo | undefined;
  for (const s of CATALOGUE) if (s.name === p.name) info = s;
  if (info === undefined) {
    const names: string[] = [];
    for (const s of CATALOGUE) names.push(s.name);
    throw `unknown scenario "${p.name}": choose one of ${names.join(", ")} (or load a CSV)`;
  }
  if (!(channels >= 1)) throw `scenario ${p.name}: channels must be at least 1`;
  checkKeys(p, info.keys);
  if (p.name === "empty") return makeEmpty(p, channels, info);
  if (p.name === "weigh") return makeWeigh(p, channels, info);
  if (p.name === "rackpull") return makeRackPull(p, channels, seed, info);
  if (p.name === "isometric") return makeIsometric(p, channels, seed, info);
  return makeDrop(p, channels, info);
}

function zeros(channels: number): number[] {
  return perChannel(channels, 0, 0.5);
}

function makeEmpty(p: Params, channels: number, info: ScenarioInfo): Scenario {
  const dur = num(p, "dur", 60, 0.001, 1e7);
  return {
    name: "empty", durationS: dur, channels, description: info.description,
    forceN: (_channel: number, _tS: number): number => 0,
    truth: { kind: "empty", massKg: 0, restLoadN: zeros(channels), restLoadAfterN: zeros(channels) },
  };
}

function makeWeigh(p: Params, channels: number, info: ScenarioInfo): Scenario {
  const perPin = has(p, "kgL") || has(p, "kgR");
  if (perPin && (has(p, "kg") || has(p, "balance"))) throw "scenario weigh: give either kg (+ balance) or kgL/kgR, not both";
  const kgL = perPin ? num(p, "kgL", 0, 0, 100000) : 0;
  const kgR = perPin ? num(p, "kgR", 0, 0, 100000) : 0;
  const kg = perPin ? kgL + kgR : num(p, "kg", 100, 0, 100000);
  const left = perPin ? (kg > 0 ? kgL / kg : 0.5) : num(p, "balance", 0.5, 0, 1);
  const atS = num(p, "atS", 5, 0, 1e6);
  const placeS = num(p, "placeS", 0.4, 0, 60);
  const dur = num(p, "dur", 30, 0.001, 1e7);
  const W = kg * G;
  const forceN = (channel: number, tS: number): number => {
    const share = pinShare(channels, channel, left);
    if (tS < atS) return 0;
    if (placeS > 0 && tS < atS + placeS) return W * share * ramp((tS - atS) / placeS);
    return W * share;
  };
  return {
    name: "weigh", durationS: dur < atS + placeS ? atS + placeS : dur, channels, description: info.description, forceN,
    truth: {
      kind: "weigh", massKg: kg, restLoadN: zeros(channels), restLoadAfterN: perChannel(channels, W, left), loadedS: atS + placeS,
    },
  };
}

/** Pin load while the bar settles onto the pins after contact at speed v (t' = s since contact). */
function makeContact(W: number, massKg: number, v: number, k: number, zeta: number, releaseTauS: number):
  (tp: number) => number {
  const wn = Math.sqrt(k / massKg);
  const wd = wn * Math.sqrt(1 - zeta * zeta);
  const amp = (k * v) / wd; // spring force of the velocity-driven free oscillation
  // Once both transients are below a quarter ulp of W the formula gives exactly W (1 − e^−x
  // rounds to 1 below 2^−54; W + osc rounds to W when |osc| < W·2^−54): return W from then on,
  // the same bits faster (the HX711 model samples this 2,000 times per simulated second).
  const tQuiet = Math.max(releaseTauS > 0 ? 40 * releaseTauS : 0, amp > 0 ? (flog(amp / W) + 56 * 0.6931471805599453) / (zeta * wn) : 0);
  return (tp: number): number => {
    if (tp < 0) return 0;
    if (tp > tQuiet && W > 0) return W;
    const settle = releaseTauS > 0 ? W * (1 - fexp(-tp / releaseTauS)) : W;
    const f = settle + amp * fexp(-zeta * wn * tp) * fsin(wd * tp);
    return f > 0 ? f : 0;
  };
}

/** Largest value of f on [a, b] by a scan at step dt: [value, time]. */
function scanPeak(f: (t: number) => number, a: number, b: number, dt: number): number[] {
  let best = f(a);
  let bestT = a;
  const n = Math.floor((b - a) / dt);
  for (let i = 1; i <= n; i++) {
    const t = a + i * dt;
    const v = f(t);
    if (v > best) { best = v; bestT = t; }
  }
  return [best, bestT];
}

function makeRackPull(p: Params, channels: number, seed: number, info: ScenarioInfo): Scenario {
  const kg = num(p, "kg", 400, 1, 5000);
  const left = num(p, "balance", 0.5, 0, 1);
  const emptyS = num(p, "emptyS", 5, 0, 1e5);
  const placeS = num(p, "placeS", 0.5, 0, 60);
  const restS = num(p, "restS", 5, 0, 1e5);
  const strength = num(p, "strength", 1.15, 1.001, 10);
  const riseS = num(p, "riseS", 0.8, 0.01, 30);
  const holdS = num(p, "holdS", 3, 0, 1e4);
  const contactMps = num(p, "contactMps", 0.1, 0, 5);
  const stiffness = num(p, "stiffness", 2e6, 1e3, 1e9);
  const zeta = num(p, "zeta", 0.08, 0.001, 0.99);
  const afterS = num(p, "afterS", 5, 0, 1e5);
  const tremorAmp = num(p, "tremor", 0.003, 0, 0.05);
  const tremor = makeTremor(seed);
  const W = kg * G;
  const tau = riseS / PHYS_X90;
  const loadedS = emptyS + placeS;
  const onsetS = loadedS + restS;
  const lifter = (tS: number): number => {
    if (tS <= onsetS) return 0;
    const x = (tS - onsetS) / tau;
    const s = 1 - (1 + x) * fexp(-x);
    return strength * W * s * (1 + tremorAmp * tremor(tS));
  };
  // Lift-off: first time W − lifter ≤ 0 (1 ms scan, then bisection to 1e-9 s).
  let lo = onsetS;
  let hi = onsetS;
  for (let i = 1; i <= 600000; i++) {
    hi = onsetS + i * 0.001;
    if (W - lifter(hi) <= 0) break;
    lo = hi;
  }
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (W - lifter(mid) <= 0) hi = mid;
    else lo = mid;
  }
  const liftOffS = hi;
  const setDownS = liftOffS + holdS;
  // The lifter lets go of the bar over ~0.15 s (time constant 0.05 s) while it rings on the pins.
  const contact = makeContact(W, kg, contactMps, stiffness, zeta, 0.05);
  const total = (tS: number): number => {
    if (tS < emptyS) return 0;
    if (tS < loadedS) return W * ramp((tS - emptyS) / placeS);
    if (tS < liftOffS) {
      const f = W - lifter(tS);
      return f > 0 ? f : 0;
    }
    if (tS < setDownS) return 0;
    return contact(tS - setDownS);
  };
  const peak = scanPeak(total, setDownS, setDownS + 0.5, 0.0001);
  return {
    name: "rackpull",
    durationS: setDownS + afterS,
    channels,
    description: info.description,
    forceN: (channel: number, tS: number): number => total(tS) * pinShare(channels, channel, left),
    truth: {
      kind: "rackpull", massKg: kg, restLoadN: perChannel(channels, W, left), restLoadAfterN: perChannel(channels, W, left),
      loadedS, onsetS, liftOffS, setDownS, holdS, timeToLiftOffS: liftOffS - onsetS, peakN: peak[0], peakS: peak[1],
    },
  };
}

function makeIsometric(p: Params, channels: number, seed: number, info: ScenarioInfo): Scenario {
  const kg = num(p, "kg", 100, 0, 5000);
  const left = num(p, "balance", 0.5, 0, 1);
  const quietS = num(p, "quietS", 5, 0, 1e5);
  const setupS = num(p, "setupS", 1, 0, 60);
  const preN = num(p, "preN", 300, 0, 1e6);
  const preS = num(p, "preS", 1.5, 0, 1e4);
  const fmax = num(p, "fmax", 3000, 0, 1e6);
  const tau = num(p, "tau", 0.15, 0.001, 30);
  const model = str(p, "model", "exp", ["exp", "phys"]);
  const pullS = num(p, "pullS", 4, 0.01, 1e4);
  const releaseS = num(p, "releaseS", 0.3, 0, 60);
  const afterS = num(p, "afterS", 3, 0, 1e5);
  const tremorAmp = num(p, "tremor", 0.005, 0, 0.05);
  const tremor = makeTremor(seed);
  const phys = model === "phys";
  const onsetS = quietS + setupS + preS;
  const relS = onsetS + pullS;
  const endS = relS + releaseS;
  /** Magnitude of the total pin load (the bar pushes up: the pin load is its negative). */
  const pushN = (tS: number): number => {
    if (tS < quietS) return 0;
    if (tS < quietS + setupS) return preN * ramp((tS - quietS) / setupS);
    if (tS <= onsetS) return preN;
    if (tS < relS) {
      const x = (tS - onsetS) / tau;
      const g = phys ? 1 - (1 + x) * fexp(-x) : 1 - fexp(-x);
      return preN + fmax * g * (1 + tremorAmp * tremor(tS));
    }
    if (tS < endS) {
      const x = pullS / tau;
      const g = phys ? 1 - (1 + x) * fexp(-x) : 1 - fexp(-x);
      const atRelease = preN + fmax * g * (1 + tremorAmp * tremor(relS));
      return atRelease * (1 - ramp((tS - relS) / releaseS));
    }
    return 0;
  };
  const peak = scanPeak(pushN, onsetS, endS, 0.0005);
  // Time to 90 % of the net peak (first crossing, 0.5 ms scan then bisection).
  const target = preN + 0.9 * (peak[0] - preN);
  let lo = onsetS;
  let hi = peak[1];
  for (let t = onsetS; t <= peak[1]; t = t + 0.0005) {
    if (pushN(t) >= target) { hi = t; break; }
    lo = t;
  }
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (pushN(mid) >= target) hi = mid;
    else lo = mid;
  }
  return {
    name: "isometric",
    durationS: endS + afterS,
    channels,
    description: info.description,
    forceN: (channel: number, tS: number): number => -pushN(tS) * pinShare(channels, channel, left),
    truth: {
      kind: "isometric", massKg: kg, restLoadN: zeros(channels), restLoadAfterN: zeros(channels),
      onsetS, baselineN: -preN, peakN: peak[0], peakS: peak[1], timeToPeakS: peak[1] - onsetS,
      timeTo90S: hi - onsetS, peakNetN: peak[0] - preN, lifterPeakN: kg * G + peak[0], releaseS: relS,
    },
  };
}

function makeDrop(p: Params, channels: number, info: ScenarioInfo): Scenario {
  const kg = num(p, "kg", 100, 1, 5000);
  const dropCm = num(p, "dropCm", 2, 0, 100);
  const left = num(p, "balance", 0.5, 0, 1);
  const quietS = num(p, "quietS", 5, 0, 1e5);
  const stiffness = num(p, "stiffness", 2e6, 1e3, 1e9);
  const zeta = num(p, "zeta", 0.08, 0.001, 0.99);
  const afterS = num(p, "afterS", 5, 0, 1e5);
  const W = kg * G;
  const h = dropCm / 100;
  const impactS = quietS + Math.sqrt((2 * h) / G);
  const v = Math.sqrt(2 * G * h);
  // Mass on a spring from first contact: x(0) = 0, x'(0) = v, equilibrium W/k.
  const wn = Math.sqrt(stiffness / kg);
  const wd = wn * Math.sqrt(1 - zeta * zeta);
  const ds = W / stiffness;
  const c2 = (v - zeta * wn * ds) / wd;
  const total = (tS: number): number => {
    if (tS < impactS) return 0;
    const tp = tS - impactS;
    const x = ds + fexp(-zeta * wn * tp) * (-ds * fcos(wd * tp) + c2 * fsin(wd * tp));
    const f = stiffness * x;
    return f > 0 ? f : 0;
  };
  const peak = scanPeak(total, impactS, impactS + 0.3, 0.00005);
  return {
    name: "drop",
    durationS: impactS + afterS,
    channels,
    description: info.description,
    forceN: (channel: number, tS: number): number => total(tS) * pinShare(channels, channel, left),
    truth: {
      kind: "drop", massKg: kg, restLoadN: zeros(channels), restLoadAfterN: perChannel(channels, W, left),
      impactS, peakN: peak[0], peakS: peak[1],
    },
  };
}

/**
 * An HX711 with a load cell on its input, in virtual time (µs since power-on).
 *
 * One piece on purpose (over 450 lines): createHx711Chip is one closure over one chip's state,
 * and the conversion windows, the digital filter, the shift register, power-down and the faults
 * act on that state at every PD_SCK edge. Split across modules, the state would travel in a
 * table through every call on the emulator's hottest path (a bit-banged read is ~50 edges per
 * sample), and the model below would be read in pieces.
 *
 * Model (what each part does and why):
 * - Input: the force from `source(tS)` goes through the bridge transfer (cell.ts: span,
 *   nonlinearity, zero balance, creep, temperature) to a differential voltage, and through the
 *   PGA to the modulator's normalised input x = V·gain / (0.5·AVDD), with AVDD = excitation
 *   (E+ is tied to AVDD on the common modules), so counts are ratiometric.
 * - Conversions: back-to-back windows of one output period T (10 or 80 SPS × a per-chip rate
 *   factor within ±rateTolerance, plus rms jitterFrac per period). DOUT falls at each window end.
 * - Digital filter: each output is a weighted average of the input over the last FOUR windows,
 *   weighted by the cubic B-spline = four box filters of length T in cascade, i.e. the impulse
 *   response of a sinc⁴ decimation filter. That reproduces the datasheet's settling time of four
 *   periods (400 ms at 10 SPS, 50 ms at 80 SPS), an S-shaped step response, and notches at
 *   multiples of the output rate. The input is integrated at sub-steps (env.subStepUs, 1 ms by
 *   default; midpoint rule). Frequencies above 1/(2·subStep) alias: rack forces have nothing
 *   there, but pass a smaller subStepUs to study fast vibration.
 * - After power-on and after every power-down the filter starts empty: the first three outputs
 *   after a (re)start are unsettled (they ramp up from 0), the fourth is settled. A gain or
 *   channel change is a step at the modulator input: outputs mix old and new gain for up to four
 *   periods (bogde/HX711 PR #80 reports wrong first values after power_up / set_gain).
 * - Output: signed 24-bit, round to nearest, clipped at 8388607 / −8388608 (0x7FFFFF / 0x800000).
 *   Input-referred Gaussian noise per output (datasheet 50 nV / 90 nV rms at gain 128; assumed
 *   constant in counts at other gains), rare spikes (spikeProb per conversion, ±2^10…2^17 counts),
 *   rare bogus words 2^n − 1 (bogusProb per read).
 * - Readout, bit-banged (`clock`): the word is latched at the first rising edge; after rising
 *   edge n (1…24) DOUT shows bit 24−n (MSB first); the 25th rising edge raises DOUT; 25/26/27
 *   pulses select A128/B32/A64 for the next conversion. PD_SCK high > 60 µs powers the chip down
 *   (DOUT high, no conversions, counted once); the following falling edge resets it: timing
 *   restarts from that edge, filter empty, mode back to A128. High time > 50 µs during a read
 *   (datasheet T3 max) but ≤ 60 µs counts a timing violation and still shifts.
 * - Readout at C speed (`readWord`): what NodeMCU's read_sample() returns when DOUT is low.
 *   If DOUT is high (no fresh conversion, powered down, stuck, or a bit-banged read in progress)
 *   it returns −1: read_sample() would shift out all ones (the first 1 sign-extends), and a
 *   timing violation is counted. NodeMCU's hx711.read() busy-waits for DOUT low first (up to
 *   HX711_MAX_WAIT) and raises "ADC timeout!": the runtime should wait until nextReadyUs(t)
 *   and raise that error when it is Infinity or beyond the driver's timeout. Note that
 *   hx711.read() ends with PD_SCK high (sleep) and starts with it low (wake = reset), so every
 *   hx711.read() in this model returns the FIRST, unsettled conversion after a reset.
 * - A conversion that completes while the previous one is still unread replaces it (`unread`).
 *   A conversion that completes during a bit-banged read overwrites the shift register: the
 *   remaining bits come from the new word (timing violation).
 * - Faults: "disconnect" = the signal wires are open, the input floats: the output wanders by
 *   about 30 % of full scale per √s and is often pinned at a rail (users of unconnected HX711s
 *   report drifting values and 8388607). "stuck" = the chip stops converting and DOUT stays high
 *   forever (nextReadyUs = Infinity; the NodeMCU driver then raises "ADC timeout!"); "none"
 *   after "stuck" restarts the chip like a reset.
 *
 * Determinism: all randomness comes from seeded Lehmer streams (fmath.ts) that depend only on
 * (seed, channel) and on the number of conversions/reads, never on how often DOUT is polled;
 * math uses fmath's exp/log, so Node and Lua 5.1 give identical counts.
 */
import { bridgeFs, resolveEnvironment, type CellEnvironment, type CellSpec } from "./cell.ts";
import { fexp, pow2, rngCreate, rngGauss, rngNext } from "./fmath.ts";

export type Hx711Fault = "none" | "disconnect" | "stuck";

export interface Hx711Counters { conversions: number; unread: number; timingViolations: number; powerDowns: number }

/** Read-only facts about a chip, for tests and the emulator's status display. */
export interface Hx711Info {
  /** Nominal conversion period of this chip (µs), after its rate factor, before jitter. */
  periodUs: number;
  /** Effective output rate (SPS). */
  rateSps: number;
  /** Mode of the conversion in progress: 0 = A128, 1 = B32, 2 = A64. */
  mode: number;
  poweredDown: boolean;
  fault: Hx711Fault;
  /** Sub-steps per conversion window. */
  subSteps: number;
  /** Counts per unit of cell output FS at gain 128 (ideal: ratedOutput/1000 × 128 × 2^24). */
  countsPerFs128: number;
}

/**
 * @noSelf — function-typed properties take no hidden self in Lua (TSTL 1.37 ignores
 * noImplicitSelf for interface members), so Node and Lua call them the same way: obj.f(x).
 */
export interface Hx711Chip {
  dout: (tUs: number) => 0 | 1;
  nextReadyUs: (tUs: number) => number;
  clock: (level: 0 | 1, tUs: number) => void;
  readWord: (tUs: number, mode: 0 | 1 | 2) => number;
  setFault: (kind: Hx711Fault) => void;
  counters: () => Hx711Counters;
  info: () => Hx711Info;
}

/**
 * @noSelf — function-typed properties take no hidden self in Lua (TSTL 1.37 ignores
 * noImplicitSelf for interface members), so Node and Lua call them the same way: obj.f(x).
 */
export interface Hx711Options {
  cell: CellSpec;
  rateSps: 10 | 80;
  seed: number;
  channel: number;
  source: (tS: number) => number;
  env?: Partial<CellEnvironment>;
}

const FULL = 8388608; // 2^23
const TWO24 = 16777216;
const MAX_CODE = 8388607;
const MIN_CODE = -8388608;
/** Datasheet: PD_SCK high for more than 60 µs enters power-down. */
export const POWER_DOWN_US = 60;
/** Datasheet T3: PD_SCK high time max 50 µs during a read. */
export const T3_MAX_US = 50;
/** Outputs needed to settle (datasheet settling time / period = 400/100 = 50/12.5 = 4). */
export const FILTER_PERIODS = 4;

const STREAM_CONST = 1;
const STREAM_CONV = 2;
const STREAM_READ = 3;
const STREAM_FAULT = 4;

interface ChipState {
  // constants
  periodUs: number;
  nSub: number;
  w0: number[];
  w1: number[];
  w2: number[];
  w3: number[];
  fsV: number; // V per FS of the cell
  avdd: number;
  capacityN: number;
  nonlin: number;
  span0: number;
  zeroFs: number;
  chipOffV: number;
  tcZero: number;
  tcSpan: number;
  creepFs: number;
  creepAlpha: number;
  warmUpK: number;
  warmUpTauS: number;
  walkSd: number;
  noiseCounts: number;
  jitterFrac: number;
  spikeProb: number;
  bogusProb: number;
  wiredA: boolean;
  // slow state
  creep: number;
  walkK: number;
  span: number;
  cFs: number;
  // conversion timing and filter
  wStart: number;
  wEnd: number;
  validFromUs: number;
  a0: number;
  a1: number;
  a2: number;
  a3: number;
  mode: number;
  prevMode: number;
  modeSwitchUs: number;
  // output register and readout
  fresh: boolean;
  latest: number;
  pulses: number;
  latched: number; // raw 24-bit pattern 0 … 2^24−1
  sckHigh: boolean;
  sckRiseUs: number;
  down: boolean;
  fault: Hx711Fault;
  floatX: number;
  lastT: number;
  // counters
  conversions: number;
  unread: number;
  violations: number;
  powerDowns: number;
}

/** Gain by mode (0 = A128, 1 = B32, 2 = A64). */
function gainOf(mode: number): number {
  if (mode === 1) return 32;
  if (mode === 2) return 64;
  return 128;
}

/** Signed code → the 24-bit pattern the chip shifts out. */
function toRaw(code: number): number {
  return code < 0 ? code + TWO24 : code;
}

/** 2^n − 1 as a signed 24-bit value (n = 24 → all ones = −1). */
function bogusWord(n: number): number {
  return n >= 24 ? -1 : pow2(n) - 1;
}

export function createHx711Chip(opts: Hx711Options): Hx711Chip {
  const env = resolveEnvironment(opts.env);
  const cell = opts.cell;
  const source = opts.source;
  const rc = rngCreate(opts.seed * 16 + opts.channel, STREAM_CONST);
  const rv = rngCreate(opts.seed * 16 + opts.channel, STREAM_CONV);
  const rr = rngCreate(opts.seed * 16 + opts.channel, STREAM_READ);
  const rf = rngCreate(opts.seed * 16 + opts.channel, STREAM_FAULT);

  // Per-chip constants, always drawn in the same order.
  const uRate = rngNext(rc);
  const uZero = rngNext(rc);
  const uSpan = rngNext(rc);
  const uOff = rngNext(rc);
  const uTcz = rngNext(rc);
  const uTcs = rngNext(rc);
  const rateFactor = env.rateScale > 0 ? env.rateScale : 1 + env.rateTolerance * (2 * uRate - 1);
  const periodUs = 1e6 / (opts.rateSps * rateFactor);
  let nSub = Math.ceil(periodUs / env.subStepUs);
  if (nSub < 1) nSub = 1;

  // Sinc⁴ weights per sub-step: a sample at position u in the newest window contributes to the
  // output of this window (piece (1−u)³/6), of the next (piece (3u³−6u²+4)/6), of the one after
  // (piece (−3u³+3u²+3u+1)/6) and of the fourth (piece u³/6). The pieces sum to 1 at every u.
  const w0: number[] = [];
  const w1: number[] = [];
  const w2: number[] = [];
  const w3: number[] = [];
  for (let i = 0; i < nSub; i++) {
    const u = (i + 0.5) / nSub;
    const v = 1 - u;
    w0.push((v * v * v) / 6 / nSub);
    w1.push((3 * u * u * u - 6 * u * u + 4) / 6 / nSub);
    w2.push((-3 * u * u * u + 3 * u * u + 3 * u + 1) / 6 / nSub);
    w3.push((u * u * u) / 6 / nSub);
  }

  const fsV = (cell.ratedOutputMvPerV / 1000) * cell.excitationV;
  const noiseV = opts.rateSps === 80 ? env.noiseV80 : env.noiseV10;
  const S: ChipState = {
    periodUs,
    nSub,
    w0, w1, w2, w3,
    fsV,
    avdd: cell.excitationV,
    capacityN: cell.capacityN,
    nonlin: env.nonlinearityFs,
    span0: 1 + env.spanTolerance * (2 * uSpan - 1),
    zeroFs: env.zeroBalanceFs * (2 * uZero - 1),
    chipOffV: env.chipOffsetV * (2 * uOff - 1),
    tcZero: env.tcZeroFsPerK * (2 * uTcz - 1),
    tcSpan: env.tcSpanPerK * (2 * uTcs - 1),
    creepFs: env.creepFs,
    creepAlpha: 1 - fexp(-periodUs / 1e6 / env.creepTauS),
    warmUpK: env.warmUpK,
    warmUpTauS: env.warmUpTauS,
    walkSd: env.ambientWalkKPerSqrtH * Math.sqrt(periodUs / 1e6 / 3600),
    // Output-referred noise in counts: noise V × 128 / (0.5·AVDD) × 2^23 (kept at other gains).
    noiseCounts: (noiseV * 128 * TWO24) / cell.excitationV,
    jitterFrac: env.jitterFrac,
    spikeProb: env.spikeProb,
    bogusProb: env.bogusProb,
    wiredA: env.wiredTo !== "B",
    creep: 0,
    walkK: 0,
    span: 0,
    cFs: 0,
    wStart: 0,
    wEnd: periodUs,
    validFromUs: 0,
    a0: 0, a1: 0, a2: 0, a3: 0,
    mode: 0,
    prevMode: 0,
    modeSwitchUs: -1,
    fresh: false,
    latest: 0,
    pulses: 0,
    latched: 0,
    sckHigh: false,
    sckRiseUs: 0,
    down: false,
    fault: "none",
    floatX: 0,
    lastT: 0,
    conversions: 0,
    unread: 0,
    violations: 0,
    powerDowns: 0,
  };
  S.span = S.span0;
  S.cFs = S.zeroFs;

  /** Integrates the current window [wStart, wEnd) into the four filter accumulators. */
  const integrateWindow = (): void => {
    const n = S.nSub;
    const start = S.wStart;
    const h = (S.wEnd - start) / n;
    // x = y·mul + add for the mode before and after a switch inside this window.
    const gp = gainOf(S.prevMode);
    const gc = gainOf(S.mode);
    const wiredP = (S.prevMode === 1) !== S.wiredA;
    const wiredC = (S.mode === 1) !== S.wiredA;
    const kp = (2 * gp) / S.avdd;
    const kc = (2 * gc) / S.avdd;
    const mulP = wiredP ? S.span * S.fsV * kp : 0;
    const mulC = wiredC ? S.span * S.fsV * kc : 0;
    const addP = ((wiredP ? S.cFs * S.fsV : 0) + S.chipOffV) * kp;
    const addC = ((wiredC ? S.cFs * S.fsV : 0) + S.chipOffV) * kc;
    const cap = S.capacityN;
    const nl4 = 4 * S.nonlin;
    const validFrom = S.validFromUs;
    const switchAt = S.modeSwitchUs;
    const w0 = S.w0;
    const w1 = S.w1;
    const w2 = S.w2;
    const w3 = S.w3;
    let a0 = S.a0;
    let a1 = S.a1;
    let a2 = S.a2;
    let a3 = S.a3;
    let sumY = 0;
    let nY = 0;
    for (let i = 0; i < n; i++) {
      const t = start + (i + 0.5) * h;
      if (t >= validFrom) {
        let mul = mulC;
        let add = addC;
        if (t < switchAt) {
          mul = mulP;
          add = addP;
        }
        let x = add;
        if (mul !== 0) {
          // bridgeFs inlined (hot loop): y = F/cap + 4·nl·(F/cap)·(1 − |F/cap|)
          const f = source(t / 1e6) / cap;
          const af = f < 0 ? -f : f;
          const y = f + nl4 * f * (1 - af);
          sumY = sumY + y;
          nY = nY + 1;
          x = y * mul + add;
        }
        a0 = a0 + x * w0[i];
        a1 = a1 + x * w1[i];
        a2 = a2 + x * w2[i];
        a3 = a3 + x * w3[i];
      }
    }
    S.a0 = a0;
    S.a1 = a1;
    S.a2 = a2;
    S.a3 = a3;
    // Creep follows the mean load of the window (first order, time constant creepTauS).
    if (nY > 0) S.creep = S.creep + S.creepAlpha * (sumY / nY - S.creep);
  };

  /** Completes the conversion window ending at S.wEnd. */
  const processWindow = (): void => {
    if (S.fault === "stuck") {
      // The modulator is dead: no conversion, DOUT stays high; time just passes.
      S.wStart = S.wEnd;
      S.wEnd = S.wStart + S.periodUs;
      return;
    }
    integrateWindow();
    let xf = S.a0;
    S.a0 = S.a1;
    S.a1 = S.a2;
    S.a2 = S.a3;
    S.a3 = 0;
    S.prevMode = S.mode;
    if (S.fault === "disconnect") {
      S.floatX = S.floatX + 0.3 * Math.sqrt(S.periodUs / 1e6) * rngGauss(rf);
      // Bounded at ±1.5 full scale: beyond ±1 the output is clipped, so it spends long
      // stretches pinned at a rail.
      if (S.floatX > 1.5) S.floatX = 1.5;
      if (S.floatX < -1.5) S.floatX = -1.5;
      xf = S.floatX;
    }
    // Per-conversion draws: always the same five, whatever is used.
    const gNoise = rngGauss(rv);
    const uSpike = rngNext(rv);
    const uMag = rngNext(rv);
    const gJit = rngGauss(rv);
    const gWalk = rngGauss(rv);
    let counts = xf * FULL + gNoise * S.noiseCounts;
    if (uSpike < S.spikeProb) {
      // Log-uniform magnitude 2^10 … 2^17 counts; the sign comes from the same draw.
      const e = uMag < 0.5 ? uMag * 2 : (uMag - 0.5) * 2;
      const mag = fexp(0.6931471805599453 * (10 + 7 * e));
      counts = counts + (uMag < 0.5 ? -mag : mag);
    }
    let code = Math.floor(counts + 0.5);
    if (code > MAX_CODE) code = MAX_CODE;
    if (code < MIN_CODE) code = MIN_CODE;
    S.conversions = S.conversions + 1;
    if (S.pulses >= 1 && S.pulses <= 24) {
      // A bit-banged read is in progress: the shift register is overwritten.
      S.latched = toRaw(code);
      S.violations = S.violations + 1;
    } else {
      if (S.fresh) S.unread = S.unread + 1;
      S.fresh = true;
      S.latest = code;
    }
    // Slow state for the next window: ambient walk, warm-up, creep → zero and span.
    S.walkK = S.walkK + gWalk * S.walkSd;
    const dT = S.warmUpK * (1 - fexp(-S.wEnd / 1e6 / S.warmUpTauS)) + S.walkK;
    S.span = S.span0 * (1 + S.tcSpan * dT);
    S.cFs = S.zeroFs + S.creepFs * S.creep + S.tcZero * dT;
    let j = gJit;
    if (j > 3) j = 3;
    if (j < -3) j = -3;
    S.wStart = S.wEnd;
    S.wEnd = S.wStart + S.periodUs * (1 + S.jitterFrac * j);
  };

  /** Restart after power-down or a cleared "stuck": empty filter, A128, timing from tUs. */
  const restart = (tUs: number): void => {
    S.down = false;
    S.wStart = tUs;
    S.wEnd = tUs + S.periodUs;
    S.validFromUs = tUs;
    S.a0 = 0;
    S.a1 = 0;
    S.a2 = 0;
    S.a3 = 0;
    S.mode = 0;
    S.prevMode = 0;
    S.modeSwitchUs = -1;
    S.fresh = false;
    S.pulses = 0;
  };

  const clampT = (tUs: number): number => {
    if (tUs < S.lastT) return S.lastT;
    S.lastT = tUs;
    return tUs;
  };

  /** Runs every conversion that completes at or before tUs (stopping at a power-down). */
  const advance = (tUs: number): void => {
    let limit = tUs;
    if (S.sckHigh && tUs > S.sckRiseUs + POWER_DOWN_US) {
      limit = S.sckRiseUs + POWER_DOWN_US;
      if (!S.down) {
        S.down = true;
        S.powerDowns = S.powerDowns + 1;
      }
    }
    while (S.wEnd <= limit) processWindow();
  };

  const selectMode = (mode: number, tUs: number): void => {
    S.mode = mode;
    S.modeSwitchUs = tUs;
  };

  /** Latches the fresh conversion for a read, sometimes as a bogus 2^n − 1 word. */
  const takeWord = (): number => {
    const uB = rngNext(rr);
    const uN = rngNext(rr);
    S.fresh = false;
    if (uB < S.bogusProb) return bogusWord(16 + Math.floor(uN * 9));
    return S.latest;
  };

  /** Bit b (0 = LSB) of the latched word, for b = 23 … 0 (a table: DOUT is read very often). */
  const POW = [] as number[];
  for (let b = 0; b <= 24; b++) POW.push(pow2(b));

  const dout = (tUs: number): 0 | 1 => {
    // clampT and advance inlined for the common case (no conversion due, PD_SCK low).
    let t = tUs;
    if (t < S.lastT) t = S.lastT;
    else S.lastT = t;
    if (S.sckHigh || S.wEnd <= t) advance(t);
    if (S.down || S.fault === "stuck") return 1;
    const p = S.pulses;
    if (p >= 1 && p <= 24) {
      const q = Math.floor(S.latched / POW[24 - p]);
      return q % 2 === 1 ? 1 : 0;
    }
    return S.fresh ? 0 : 1;
  };

  const nextReadyUs = (tUs: number): number => {
    const t = clampT(tUs);
    advance(t);
    if (S.fault === "stuck" || S.down) return Infinity;
    if (S.sckHigh && S.wEnd > S.sckRiseUs + POWER_DOWN_US) return Infinity;
    return S.wEnd;
  };

  const clock = (level: 0 | 1, tUs: number): void => {
    let t = tUs;
    if (t < S.lastT) t = S.lastT;
    else S.lastT = t;
    if (level === 1) {
      if (S.sckHigh) return;
      if (S.wEnd <= t) advance(t);
      S.sckHigh = true;
      S.sckRiseUs = t;
      if (S.fault === "stuck") return;
      const p = S.pulses;
      if (p >= 1 && p <= 23) {
        S.pulses = p + 1;
      } else if (p === 24) {
        S.pulses = 25;
        selectMode(0, t);
      } else if ((p === 0 || p >= 25) && S.fresh) {
        S.latched = toRaw(takeWord());
        S.pulses = 1;
      } else if (p === 25 || p === 26) {
        S.pulses = p + 1;
        selectMode(p === 25 ? 1 : 2, t);
      } else {
        // Clocking while DOUT is high (nothing to read) or more than 27 pulses.
        S.violations = S.violations + 1;
      }
      return;
    }
    if (!S.sckHigh) return;
    advance(t);
    const highUs = t - S.sckRiseUs;
    S.sckHigh = false;
    if (S.down) {
      restart(t);
    } else if (highUs > T3_MAX_US && S.pulses >= 1 && S.pulses <= 27) {
      S.violations = S.violations + 1;
    }
  };

  const readWord = (tUs: number, mode: 0 | 1 | 2): number => {
    const t = clampT(tUs);
    advance(t);
    if (S.fault === "stuck" || S.down || !S.fresh || (S.pulses >= 1 && S.pulses <= 24)) {
      S.violations = S.violations + 1;
      return -1;
    }
    const word = takeWord();
    S.pulses = 25 + mode;
    selectMode(mode, t);
    return word;
  };

  const setFault = (kind: Hx711Fault): void => {
    if (kind === S.fault) return;
    const was = S.fault;
    S.fault = kind;
    if (kind === "disconnect") S.floatX = S.latest / FULL; // floats away from the last value
    if (was === "stuck") restart(S.lastT);
  };

  const counters = (): Hx711Counters => ({
    conversions: S.conversions,
    unread: S.unread,
    timingViolations: S.violations,
    powerDowns: S.powerDowns,
  });

  const info = (): Hx711Info => ({
    periodUs: S.periodUs,
    rateSps: 1e6 / S.periodUs,
    mode: S.mode,
    poweredDown: S.down,
    fault: S.fault,
    subSteps: S.nSub,
    countsPerFs128: (cell.ratedOutputMvPerV / 1000) * 128 * TWO24,
  });

  return { dout, nextReadyUs, clock, readWord, setFault, counters, info };
}

/** The ideal count for a steady force (no imperfections), for tests and documentation. */
export function idealCounts(cell: CellSpec, forceN: number, mode: 0 | 1 | 2): number {
  const x = ((bridgeFs(forceN, cell.capacityN, 0) * cell.ratedOutputMvPerV) / 1000) * 2 * gainOf(mode);
  let code = Math.floor(x * FULL + 0.5);
  if (code > MAX_CODE) code = MAX_CODE;
  if (code < MIN_CODE) code = MIN_CODE;
  return code;
}

/**
 * The load cell under a rack pin and its surroundings, as numbers.
 *
 * Units: "FS" = fraction of the cell's rated output (1 FS = ratedOutput mV/V × excitation V,
 * the bridge output at rated capacity). Positive force = the bar pushes down on the pin.
 */

export interface CellSpec { capacityN: number; ratedOutputMvPerV: number; excitationV: number }

/**
 * Everything about one installed cell + HX711 that is not in the board file. Defaults
 * (DEFAULT_ENVIRONMENT) are typical datasheet values for a C3-class S-beam / shear-beam cell
 * and a common green HX711 module; IDEAL_ENVIRONMENT switches every imperfection off.
 * Per-chip values marked "bound" are drawn once per chip, uniformly within ±bound, from the seed.
 */
export interface CellEnvironment {
  /** Terminal nonlinearity, quadratic bow, max deviation at half capacity (FS). */
  nonlinearityFs: number;
  /** Zero balance (output with no load), bound (FS). */
  zeroBalanceFs: number;
  /** Rated-output (span) tolerance, bound (fraction). */
  spanTolerance: number;
  /** Creep at rated capacity after a long time under constant load (FS); first-order. */
  creepFs: number;
  /** Creep time constant (s). */
  creepTauS: number;
  /** Self-heating after power-on: temperature rise of bridge/board (K), exponential. */
  warmUpK: number;
  /** Warm-up time constant (s). */
  warmUpTauS: number;
  /** Ambient temperature random walk (K per √hour). */
  ambientWalkKPerSqrtH: number;
  /** Temperature effect on zero, bound (FS per K); sign per chip. */
  tcZeroFsPerK: number;
  /** Temperature effect on span, bound (fraction per K); sign per chip. */
  tcSpanPerK: number;
  /** HX711 input offset, bound (V). */
  chipOffsetV: number;
  /** Input-referred rms noise at gain 128, RATE = 10 SPS (V). */
  noiseV10: number;
  /** Input-referred rms noise at gain 128, RATE = 80 SPS (V). */
  noiseV80: number;
  /** Internal-oscillator tolerance of the output rate, bound (fraction). */
  rateTolerance: number;
  /** If > 0: a fixed rate factor instead of a drawn one (e.g. 1.15 for the "92 SPS" boards). */
  rateScale: number;
  /** Period-to-period jitter of the conversion period, rms (fraction; clipped at 3×). */
  jitterFrac: number;
  /** Probability per conversion of a single-conversion spike. */
  spikeProb: number;
  /** Probability per read of a bogus word 2^n − 1 (n = 16…24; 24 gives −1). */
  bogusProb: number;
  /** Sub-step for integrating the force over a conversion window (µs). */
  subStepUs: number;
  /** Which HX711 input the cell is wired to; the other input reads only offset and noise. */
  wiredTo: "A" | "B";
}

/**
 * Sources for the defaults (rounded, typical, not worst case):
 * - nonlinearity 0.02 % FS, zero balance ±1 % RO, TC zero 0.02 % RO/10 K, TC span 0.017 %/10 K:
 *   the usual "C3" S-beam datasheet lines (e.g. "Non-linearity ≤ ±0.02 % F.S., Zero balance
 *   ±1 % F.S., Temp. effect on zero 0.02 % F.S./10 °C, on span 0.017 %/10 °C").
 * - creep 0.02 % FS over 30 min at capacity (brief; OIML R60 C3 allows about 0.025 %): modelled
 *   as first order with τ = 10 min, so 95 % of it has happened after 30 min.
 * - span tolerance ±0.1 % ("Rated output 2.0 ± 0.002 mV/V").
 * - HX711 datasheet (Avia Semiconductor, rev. 2.0): input noise 50 nV rms at gain 128, RATE = 0
 *   (10 SPS) and 90 nV rms at RATE = 1 (80 SPS); input offset drift 6 nV/°C; settling time
 *   400 ms / 50 ms; PD_SCK high > 60 µs powers down; full scale ±0.5·AVDD/gain.
 *   The datasheet ratio 80/10 SPS is 1.8×; a plain white-noise average would give √8 ≈ 2.8×,
 *   users report something in between. We use the datasheet figures.
 * - HX711 input offset ±20 µV: an assumption (the datasheet gives no initial-offset figure);
 *   it is tared away anyway.
 * - rate ±1 % and 0.1 % jitter: assumptions for the internal RC oscillator (the datasheet gives
 *   "10/80 Hz typ."; users report 10.x and ~92 Hz boards, see rateScale).
 * - warm-up 2 K with τ = 5 min (bridge self-heating: 4.3 V across 350 Ω is 53 mW per cell) and
 *   an ambient walk of 0.5 K/√h: assumptions, chosen so the zero drifts by a few hundred counts
 *   over the first tens of minutes, as users of HX711 scales report.
 * - spikes and bogus 2^n − 1 words, 1 in 5000: the rate the brief asks for; reports on the
 *   bogde/HX711 and olkal/HX711_ADC trackers describe them as rare, fixed by a 3-sample median.
 */
export const DEFAULT_ENVIRONMENT: CellEnvironment = {
  nonlinearityFs: 0.0002,
  zeroBalanceFs: 0.01,
  spanTolerance: 0.001,
  creepFs: 0.0002,
  creepTauS: 600,
  warmUpK: 2,
  warmUpTauS: 300,
  ambientWalkKPerSqrtH: 0.5,
  tcZeroFsPerK: 0.00002,
  tcSpanPerK: 0.000017,
  chipOffsetV: 20e-6,
  noiseV10: 50e-9,
  noiseV80: 90e-9,
  rateTolerance: 0.01,
  rateScale: 0,
  jitterFrac: 0.001,
  spikeProb: 1 / 5000,
  bogusProb: 1 / 5000,
  subStepUs: 1000,
  wiredTo: "A",
};

/** No imperfection at all: exact formula, nominal rate, no noise, no drift. For tests. */
export const IDEAL_ENVIRONMENT: CellEnvironment = {
  nonlinearityFs: 0,
  zeroBalanceFs: 0,
  spanTolerance: 0,
  creepFs: 0,
  creepTauS: 600,
  warmUpK: 0,
  warmUpTauS: 300,
  ambientWalkKPerSqrtH: 0,
  tcZeroFsPerK: 0,
  tcSpanPerK: 0,
  chipOffsetV: 0,
  noiseV10: 0,
  noiseV80: 0,
  rateTolerance: 0,
  rateScale: 1,
  jitterFrac: 0,
  spikeProb: 0,
  bogusProb: 0,
  subStepUs: 1000,
  wiredTo: "A",
};

/** Fills a partial environment from the defaults (explicit fields: no object spread/iteration). */
export function resolveEnvironment(p: Partial<CellEnvironment> | undefined): CellEnvironment {
  const d = DEFAULT_ENVIRONMENT;
  const e = p === undefined ? {} as Partial<CellEnvironment> : p;
  return {
    nonlinearityFs: e.nonlinearityFs !== undefined ? e.nonlinearityFs : d.nonlinearityFs,
    zeroBalanceFs: e.zeroBalanceFs !== undefined ? e.zeroBalanceFs : d.zeroBalanceFs,
    spanTolerance: e.spanTolerance !== undefined ? e.spanTolerance : d.spanTolerance,
    creepFs: e.creepFs !== undefined ? e.creepFs : d.creepFs,
    creepTauS: e.creepTauS !== undefined ? e.creepTauS : d.creepTauS,
    warmUpK: e.warmUpK !== undefined ? e.warmUpK : d.warmUpK,
    warmUpTauS: e.warmUpTauS !== undefined ? e.warmUpTauS : d.warmUpTauS,
    ambientWalkKPerSqrtH: e.ambientWalkKPerSqrtH !== undefined ? e.ambientWalkKPerSqrtH : d.ambientWalkKPerSqrtH,
    tcZeroFsPerK: e.tcZeroFsPerK !== undefined ? e.tcZeroFsPerK : d.tcZeroFsPerK,
    tcSpanPerK: e.tcSpanPerK !== undefined ? e.tcSpanPerK : d.tcSpanPerK,
    chipOffsetV: e.chipOffsetV !== undefined ? e.chipOffsetV : d.chipOffsetV,
    noiseV10: e.noiseV10 !== undefined ? e.noiseV10 : d.noiseV10,
    noiseV80: e.noiseV80 !== undefined ? e.noiseV80 : d.noiseV80,
    rateTolerance: e.rateTolerance !== undefined ? e.rateTolerance : d.rateTolerance,
    rateScale: e.rateScale !== undefined ? e.rateScale : d.rateScale,
    jitterFrac: e.jitterFrac !== undefined ? e.jitterFrac : d.jitterFrac,
    spikeProb: e.spikeProb !== undefined ? e.spikeProb : d.spikeProb,
    bogusProb: e.bogusProb !== undefined ? e.bogusProb : d.bogusProb,
    subStepUs: e.subStepUs !== undefined ? e.subStepUs : d.subStepUs,
    wiredTo: e.wiredTo !== undefined ? e.wiredTo : d.wiredTo,
  };
}

/**
 * Static bridge transfer: force → output in FS, with a quadratic bow of ±nonlinearityFs that is
 * zero at 0 and ±capacity and largest at half capacity; odd, so negative forces (the bar pushing
 * up into the pins) give the mirror-image negative output. Beyond capacity the bow continues.
 */
export function bridgeFs(forceN: number, capacityN: number, nonlinearityFs: number): number {
  const x = forceN / capacityN;
  const ax = x < 0 ? -x : x;
  return x + 4 * nonlinearityFs * x * (1 - ax);
}

/** Bridge output in mV for a force, without drift or creep (the formula tests check against). */
export function bridgeMv(cell: CellSpec, forceN: number, nonlinearityFs: number): number {
  return bridgeFs(forceN, cell.capacityN, nonlinearityFs) * cell.ratedOutputMvPerV * cell.excitationV;
}

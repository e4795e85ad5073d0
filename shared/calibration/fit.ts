/**
 * Least-squares calibration of one channel: force = nPerCount · (counts − zeroCounts).
 * Fitting the zero together with the slope uses every point, the empty-pin reading included;
 * a later tare only moves zeroCounts. Residuals and the fit's standard error let the host
 * predict the error between and beyond the points.
 */
export interface CalibrationFit {
  /** "" when the fit is usable, otherwise the reason. */
  error: string;
  nPerCount: number;
  zeroCounts: number;
  /** force measured minus force stated, per point, in N. */
  residualsN: number[];
  maxAbsResidualN: number;
  /** residual standard deviation with n − 2 degrees of freedom (0 with two points). */
  residualSdN: number;
  meanCounts: number;
  /** Σ (counts − meanCounts)², for the prediction uncertainty. */
  sxxCounts2: number;
  points: number;
}

/**
 * 0 as a float on NodeMCU's Lua 5.3 (`/` always gives one): sums and products of integer counts
 * started from it are float arithmetic there, so Σ counts or (counts − mean)² cannot wrap at 2^31
 * on its 32-bit integers. In JavaScript (and Lua 5.1) it is plain 0.
 */
const FLOAT_ZERO = 0 / 1;

function failedFit(error: string, points: number): CalibrationFit {
  return {
    error, nPerCount: 0, zeroCounts: 0, residualsN: [], maxAbsResidualN: 0,
    residualSdN: 0, meanCounts: 0, sxxCounts2: 0, points,
  };
}

export function fitCalibration(counts: number[], forceN: number[]): CalibrationFit {
  const n = counts.length;
  if (n < 2 || forceN.length !== n) return failedFit("need at least two points with a force each", n);
  // Sums of the offsets from the first point: exact integers in doubles, and small enough for a
  // single float's 24 bits (counts near 2^23 summed directly lose whole counts there).
  const c0 = counts[0];
  let sumC = FLOAT_ZERO;
  let sumF = FLOAT_ZERO;
  for (let i = 0; i < n; i++) {
    sumC = sumC + (counts[i] - c0);
    sumF = sumF + forceN[i];
  }
  const meanC = c0 + sumC / n;
  const meanF = sumF / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dc = counts[i] - meanC;
    sxx = sxx + dc * dc;
    sxy = sxy + dc * (forceN[i] - meanF);
  }
  if (sxx === 0) return failedFit("all points have the same reading: no span", n);
  const nPerCount = sxy / sxx;
  if (nPerCount === 0) return failedFit("force does not change with the reading", n);
  const zeroCounts = meanC - meanF / nPerCount;
  const residualsN: number[] = [];
  let maxAbs = 0;
  let ssRes = 0;
  for (let i = 0; i < n; i++) {
    const r = nPerCount * (counts[i] - zeroCounts) - forceN[i];
    residualsN[i] = r;
    ssRes = ssRes + r * r;
    if (Math.abs(r) > maxAbs) maxAbs = Math.abs(r);
  }
  return {
    error: "", nPerCount, zeroCounts, residualsN, maxAbsResidualN: maxAbs,
    residualSdN: n > 2 ? Math.sqrt(ssRes / (n - 2)) : 0,
    meanCounts: meanC, sxxCounts2: sxx, points: n,
  };
}

export function forceFromCounts(counts: number, nPerCount: number, zeroCounts: number): number {
  return nPerCount * (counts - zeroCounts);
}

/** Standard uncertainty (N) of the fitted line at a reading, from the fit's scatter alone. */
export function predictionUncertaintyN(fit: CalibrationFit, counts: number): number {
  if (fit.error !== "" || fit.points < 3) return 0;
  const d = counts - fit.meanCounts + FLOAT_ZERO;
  return fit.residualSdN * Math.sqrt(1 / fit.points + (d * d) / fit.sxxCounts2);
}

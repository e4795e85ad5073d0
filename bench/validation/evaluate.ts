/**
 * Runs the host analysis on what a pipeline delivered and compares it with the curve's ground
 * truth. Errors are signed (measured − true); the summary gives median and 95th percentile of
 * their absolute values and the mean signed value (bias).
 *
 * Definitions (per curve):
 *  isometric (analysis force = bar weight + |pin load|, so peaks are gross lifter force)
 *   peak_pct        100·(peak − true peak)/true peak
 *   ttp_ms          time to peak − true time to peak (true: the maximum of the noiseless model)
 *   t90_ms          time to 90 % of net peak − true
 *   onset_ms        detected onset − true start of the rise t0 (time base: see the pipeline)
 *   rfdW_pct_raw    100·(raw RFD 0–W ms − true)/true, true = (F(t0 + W) − F(t0))/W
 *   rfdW_pct_model  the same for the value the analysis presents (rfdmodel.host.ts): the chosen
 *                   rise model's, windows from its t0, or the raw value where the model explains the
 *                   window's samples worse; rfdW_pct_fit the chosen model's own value
 *   model_hill      1 when the S-shaped hill was chosen; model_fit_error_pct its fit error (%)
 *   rfd100_raw_presented  1 when RFD 0–100 shows the raw value
 *   fW_pct_raw/model  force at W ms after onset (gross), % of the true value
 *   impulse100_pct_raw  net impulse 0–100 ms, %
 *   peakrfd100_pct_raw  best sliding 100 ms window, %
 *   model_onset_ms  model t0 − true t0; model_t90_ms ln(10)/k − true t90
 *   asym_pp         asymmetry at peak − true asymmetry, percentage points
 *   ttp_in_span     1 when the true time to peak lies in the reported near-peak span (±1 resolution)
 *   pretension_ok   1 when noPretension matches the curve; model_warning 1 when the fit warned
 *  rack pull (analysis on total pin load, left/right given)
 *   weigh_pct       100·(weighed kg − bar kg)/bar kg
 *   onset_ms, liftoff_ms (absolute), ttl_ms (time to lift-off), hold_ms, breakaway_pct
 */
import { analyzeIsometric, type IsometricOptions } from "../../shared/analysis/isometric.ts";
import { analyzeIsometricWithModel } from "../../shared/analysis/rfdmodel.host.ts";
import { analyzeRackPull } from "../../shared/analysis/rackpull.ts";
import type { Curve, IsometricTruth, RackPullTruth } from "./spec.ts";
import { shapeName, WINDOWS_MS } from "./spec.ts";

export interface Series {
  timesMs: number[];
  leftN: number[];
  rightN: number[];
}

export interface CurveErrors {
  id: string;
  kind: "isometric" | "rackpull";
  rateSps: number;
  pipeline: string;
  found: boolean;
  /** the curve's factors, for breakdowns (shape 1 = exponential rise, 2 = sigmoid, 3 = slow S; shapeName: spec.ts) */
  tags: { shape: number; shapeName: string; pretension: boolean; riseTo90Ms: number; noiseN: number };
  /** signed errors; NaN when the metric is unavailable for this curve */
  e: Record<string, number>;
}

function tagsOf(curve: Curve): CurveErrors["tags"] {
  const s = curve.spec;
  return { shape: s.shape, shapeName: shapeName(s), pretension: s.pretensionN > 0, riseTo90Ms: s.riseTo90Ms, noiseN: s.noiseN };
}

const pct = (m: number, t: number): number => (m === -1 ? NaN : (100 * (m - t)) / t);
const diff = (m: number, t: number): number => (m === -1 ? NaN : m - t);

export function evaluateIsometric(curve: Curve, s: Series, rateSps: number, pipeline: string): CurveErrors {
  const truth = curve.truth as IsometricTruth;
  const W = truth.barN;
  const force: number[] = [];
  const l: number[] = [];
  const r: number[] = [];
  for (let i = 0; i < s.timesMs.length; i++) {
    force.push(W - (s.leftN[i] + s.rightN[i]));
    l.push(-s.leftN[i]);
    r.push(-s.rightN[i]);
  }
  const options: IsometricOptions = { unloadedForceN: W, leftN: l, rightN: r };
  const e: Record<string, number> = {};
  const both = rateSps >= 1000 ? null : analyzeIsometricWithModel(s.timesMs, force, options);
  const raw = both !== null ? both.raw : analyzeIsometric(s.timesMs, force, options);
  const out: CurveErrors = { id: curve.spec.id, kind: "isometric", rateSps, pipeline, found: raw.found, tags: tagsOf(curve), e };
  if (!raw.found) return out;
  e.peak_pct = pct(raw.peakForceN, truth.peakN);
  e.ttp_ms = diff(raw.timeToPeakMs, truth.timeToPeakMs);
  e.t90_ms = diff(raw.timeTo90PctMs, truth.timeTo90PctMs);
  e.onset_ms = raw.onsetMs - truth.onsetMs;
  const rawF = [raw.forceAt50MsN, raw.forceAt100MsN, raw.forceAt150MsN, raw.forceAt200MsN, raw.forceAt250MsN];
  const rawRfd = [raw.rfd50NPerS, raw.rfd100NPerS, raw.rfd150NPerS, raw.rfd200NPerS, raw.rfd250NPerS];
  for (let i = 0; i < WINDOWS_MS.length; i++) {
    const w = WINDOWS_MS[i];
    e[`rfd${w}_pct_raw`] = pct(rawRfd[i], truth.rfdNPerS[i]);
    e[`f${w}_pct_raw`] = pct(rawF[i], truth.forceAtN[i]);
  }
  e.impulse100_pct_raw = pct(raw.impulse100NS, truth.impulseNS[1]);
  e.peakrfd100_pct_raw = pct(raw.peakRfd100NPerS, truth.peakRfd100NPerS);
  e.asym_pp = raw.asymmetryAtPeakPct - truth.asymmetryPct;
  const res = raw.timeToPeakResolutionMs;
  e.ttp_in_span =
    truth.timeToPeakMs >= raw.nearPeakFirstMs - res && truth.timeToPeakMs <= raw.nearPeakLastMs + res ? 1 : 0;
  e.near_peak_span_ms = raw.nearPeakSpanMs;
  e.pretension_ok = raw.noPretension === !truth.pretension ? 1 : 0;
  if (both !== null && both.model !== null) {
    const m = both.model;
    const mF = [m.forceAt50MsN, m.forceAt100MsN, m.forceAt150MsN, m.forceAt200MsN, m.forceAt250MsN];
    const mRfd = [m.rfd50NPerS, m.rfd100NPerS, m.rfd150NPerS, m.rfd200NPerS, m.rfd250NPerS];
    for (let i = 0; i < WINDOWS_MS.length; i++) {
      const w = WINDOWS_MS[i];
      e[`rfd${w}_pct_model`] = pct(mRfd[i], truth.rfdNPerS[i]);
      e[`f${w}_pct_model`] = pct(mF[i], truth.forceAtN[i]);
      e[`rfd${w}_pct_fit`] = pct(m.windows[i].modelRfdNPerS, truth.rfdNPerS[i]);
    }
    e.model_onset_ms = m.onsetMs - truth.onsetMs;
    e.model_t90_ms = diff(m.timeTo90PctMs, truth.timeTo90PctMs);
    e.model_warning = both.modelFitWarning ? 1 : 0;
    e.model_hill = m.model === "hill" ? 1 : 0;
    e.model_fit_error_pct = m.fitErrorPct;
    e.rfd100_raw_presented = m.windows[1].modelRejected ? 1 : 0;
  }
  return out;
}

export function evaluateRackPull(curve: Curve, s: Series, rateSps: number, pipeline: string): CurveErrors {
  const truth = curve.truth as RackPullTruth;
  const total: number[] = [];
  for (let i = 0; i < s.timesMs.length; i++) total.push(s.leftN[i] + s.rightN[i]);
  const r = analyzeRackPull(s.timesMs, total, { leftN: s.leftN, rightN: s.rightN });
  const e: Record<string, number> = {};
  const out: CurveErrors = { id: curve.spec.id, kind: "rackpull", rateSps, pipeline, found: r.found, tags: tagsOf(curve), e };
  if (r.weighedLoadKg >= 0) e.weigh_pct = pct(r.weighedLoadKg, truth.barKg);
  if (!r.found) return out;
  e.onset_ms = r.onsetMs - truth.onsetMs;
  if (r.liftedOff) {
    e.liftoff_ms = r.liftOffMs - truth.liftOffMs;
    e.ttl_ms = r.timeToLiftOffMs - truth.timeToLiftOffMs;
    e.breakaway_pct = pct(r.breakawayRateNPerS, truth.breakawayRateNPerS);
  }
  e.lifted_off = r.liftedOff ? 1 : 0;
  if (r.holdMs >= 0) e.hold_ms = r.holdMs - truth.holdMs;
  if (!r.noReweigh) e.reweigh_pct = pct(r.reweighKg, truth.barKg);
  e.plates_changed_false_alarm = r.platesChanged ? 1 : 0;
  return out;
}

export function evaluate(curve: Curve, s: Series, rateSps: number, pipeline: string): CurveErrors {
  return curve.truth.kind === "isometric"
    ? evaluateIsometric(curve, s, rateSps, pipeline)
    : evaluateRackPull(curve, s, rateSps, pipeline);
}

/** Linear-interpolated quantile (R type 7) of a sorted array. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (h - lo);
}

export interface MetricSummary {
  n: number;
  medianAbs: number;
  p95Abs: number;
  maxAbs: number;
  bias: number;
}

export function summarize(rows: CurveErrors[], key: string): MetricSummary {
  const v: number[] = [];
  for (const r of rows) {
    const x = r.e[key];
    if (x !== undefined && Number.isFinite(x)) v.push(x);
  }
  const a = v.map(Math.abs).sort((p, q) => p - q);
  return {
    n: v.length,
    medianAbs: quantile(a, 0.5),
    p95Abs: quantile(a, 0.95),
    maxAbs: a.length > 0 ? a[a.length - 1] : NaN,
    bias: v.length > 0 ? v.reduce((p, q) => p + q, 0) / v.length : NaN,
  };
}

/** Mean of a 0/1 indicator over the rows that have it. */
export function rate(rows: CurveErrors[], key: string): { n: number; mean: number } {
  let n = 0;
  let s = 0;
  for (const r of rows) {
    const x = r.e[key];
    if (x !== undefined && Number.isFinite(x)) {
      n++;
      s += x;
    }
  }
  return { n, mean: n > 0 ? s / n : NaN };
}

export const TABLE_METRICS: { key: string; label: string; unit: string }[] = [
  { key: "peak_pct", label: "peak force", unit: "%" },
  { key: "ttp_ms", label: "time to peak", unit: "ms" },
  { key: "t90_ms", label: "time to 90 % (raw)", unit: "ms" },
  { key: "model_t90_ms", label: "time to 90 % (model)", unit: "ms" },
  { key: "onset_ms", label: "onset (5 SD)", unit: "ms" },
  { key: "model_onset_ms", label: "onset (model t0)", unit: "ms" },
  { key: "f100_pct_raw", label: "force @100 ms (raw)", unit: "%" },
  { key: "f100_pct_model", label: "force @100 ms (model)", unit: "%" },
  { key: "f200_pct_raw", label: "force @200 ms (raw)", unit: "%" },
  { key: "f200_pct_model", label: "force @200 ms (model)", unit: "%" },
  { key: "rfd50_pct_raw", label: "RFD 0–50 (raw)", unit: "%" },
  { key: "rfd50_pct_model", label: "RFD 0–50 (model)", unit: "%" },
  { key: "rfd100_pct_raw", label: "RFD 0–100 (raw)", unit: "%" },
  { key: "rfd100_pct_model", label: "RFD 0–100 (model)", unit: "%" },
  { key: "rfd200_pct_raw", label: "RFD 0–200 (raw)", unit: "%" },
  { key: "rfd200_pct_model", label: "RFD 0–200 (model)", unit: "%" },
  { key: "rfd250_pct_raw", label: "RFD 0–250 (raw)", unit: "%" },
  { key: "rfd250_pct_model", label: "RFD 0–250 (model)", unit: "%" },
  { key: "impulse100_pct_raw", label: "impulse 0–100 (raw)", unit: "%" },
  { key: "peakrfd100_pct_raw", label: "peak RFD 100 ms (raw)", unit: "%" },
  { key: "asym_pp", label: "asymmetry at peak", unit: "pp" },
  { key: "weigh_pct", label: "rack pull: weighed load", unit: "%" },
  { key: "onset_rp", label: "rack pull: onset", unit: "ms" },
  { key: "ttl_ms", label: "rack pull: time to lift-off", unit: "ms" },
  { key: "liftoff_ms", label: "rack pull: lift-off time", unit: "ms" },
  { key: "hold_ms", label: "rack pull: hold", unit: "ms" },
  { key: "breakaway_pct", label: "rack pull: breakaway rate", unit: "%" },
];

function fmt(x: number, unit: string): string {
  if (!Number.isFinite(x)) return "—";
  const d = unit === "%" || unit === "pp" ? 2 : 1;
  return x.toFixed(d);
}

/**
 * A readable error table: one block per metric, columns per rate (median |e|, p95 |e|, bias).
 * `columns` maps a column title to its rows (e.g. "1000 Hz", "80 SPS", "10 SPS").
 */
export function errorTable(columns: { title: string; rows: CurveErrors[] }[]): string {
  const head = ["metric".padEnd(30), ...columns.map((c) => `${c.title}: med / p95 / bias`.padStart(34))].join(" ");
  const lines = [head, "-".repeat(head.length)];
  for (const m of TABLE_METRICS) {
    const cells: string[] = [];
    let any = false;
    for (const c of columns) {
      const key = m.key === "onset_rp" ? "onset_ms" : m.key;
      const rows = c.rows.filter((r) => (m.key.startsWith("onset_rp") || m.label.startsWith("rack") ? r.kind === "rackpull" : r.kind === "isometric"));
      const s = summarize(rows, key);
      if (s.n > 0) any = true;
      cells.push(
        s.n === 0 ? "—".padStart(34) : `${fmt(s.medianAbs, m.unit)} / ${fmt(s.p95Abs, m.unit)} / ${fmt(s.bias, m.unit)} (n=${s.n})`.padStart(34),
      );
    }
    if (any) lines.push([`${m.label} [${m.unit}]`.padEnd(30), ...cells].join(" "));
  }
  for (const c of columns) {
    const iso = c.rows.filter((r) => r.kind === "isometric");
    const rp = c.rows.filter((r) => r.kind === "rackpull");
    const span = rate(iso, "ttp_in_span");
    const pre = rate(iso, "pretension_ok");
    const warn = rate(iso, "model_warning");
    const found = iso.filter((r) => r.found).length;
    const lifted = rate(rp, "lifted_off");
    lines.push(
      `${c.title}: isometric found ${found}/${iso.length}, true TTP inside reported near-peak span ${pct100(span.mean)}, ` +
        `pre-tension flag right ${pct100(pre.mean)}, model fit warnings ${pct100(warn.mean)}; ` +
        `rack pulls found ${rp.filter((r) => r.found).length}/${rp.length}, lifted off ${pct100(lifted.mean)}`,
    );
  }
  return lines.join("\n");
}

function pct100(x: number): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(0)} %` : "—";
}

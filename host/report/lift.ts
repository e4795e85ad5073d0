/**
 * One lift's report: metrics from shared/analysis (isometric pulls with the rise model chosen per pull, or
 * rack pulls), in the unit the reader asks for, each with its resolution or uncertainty where the
 * method has one, the quality flags, and the method in plain words.
 *
 * Input is what the rack records: times and the pin load (positive = the bar pushes down on the
 * pins) per pin and in total. An isometric pull is analysed as pull force = −pin load (the bar
 * pushes up into the pins), a rack pull as the pin load itself.
 */
import { analyzeIsometricWithModel, FIT_END_FRACTION, FIT_WARNING_PCT, type IsometricWithModel } from "../../shared/analysis/rfdmodel.host.ts";
import type { RiseFit } from "../../shared/analysis/risefit.host.ts";
import { analyzeRackPull, type RackPullResult } from "../../shared/analysis/rackpull.ts";
import { formatForce, STANDARD_GRAVITY_MPS2, type ForceUnit } from "../../shared/units/force.ts";

/** Where a lift's samples came from (filled by source.ts). */
export interface LiftOrigin {
  from: "store" | "csv" | "demo";
  liftId?: number;
  sessionId?: number;
  /** which detector stored the lift: "host" or "board" */
  detectedBy?: string;
  /** seconds into the session */
  atS?: number;
  /** the session's start, ISO 8601 */
  sessionStartedAt?: string;
  athlete?: string;
  board?: string;
  build?: string;
  sessionFrames?: number;
  sessionCorruptFrames?: number;
  sessionMissingFrames?: number;
  /** "sealed", "unsealed" or "recording" */
  sealState?: string;
  seal?: string;
  /** sealed and unchanged since */
  sealIntact?: boolean;
  /** the board's signature of the lift (host/sign/lift-state.ts): verified, unsigned, bad, unverifiable, unknown-key */
  signatureState?: string;
  /** ed25519 or hmac-sha256, when signed */
  signatureScheme?: string;
}

export interface LiftRecord {
  kind: "isometric" | "rackpull";
  timesMs: number[];
  /** pin load per pin (N), when the rack has two */
  leftN?: number[];
  rightN?: number[];
  totalN: number[];
  title?: string;
  date?: string;
  /** where the samples come from and whether they are as recorded (session, board, build, seal) */
  provenance?: string;
  /** where the samples came from, as data (for the lift record, lift-record.ts) */
  origin?: LiftOrigin;
  /** lifter's body mass (kg), for ×BW figures */
  bodyMassKg?: number;
  capacityN?: number;
  pinCapacityN?: number;
  calibrationUncertaintyN?: number;
}

export interface Metric {
  label: string;
  /** formatted value with unit, "–" when not available */
  value: string;
  note?: string;
}

export interface LiftReport {
  record: LiftRecord;
  unit: ForceUnit;
  iso?: IsometricWithModel;
  rack?: RackPullResult;
  metrics: Metric[];
  flags: string[];
  method: string[];
  /** markers for the plot, absolute ms */
  markers: { label: string; tMs: number; kind: "onset" | "peak" | "liftoff" | "setdown" | "t90" }[];
}

/** Whole newtons; kg and lbf to 0.1. */
export function force(n: number, unit: ForceUnit): string {
  return formatForce(n, unit, unit === "N" ? 0 : 1);
}
function rate(nPerS: number, unit: ForceUnit): string {
  return `${formatForce(nPerS, unit, 0)}/s`;
}
function impulse(ns: number, unit: ForceUnit): string {
  return `${formatForce(ns, unit, unit === "N" ? 1 : 2)}·s`;
}
const ms = (t: number) => `${t.toFixed(0)} ms`;
const NA = "–";

function modelText(f: RiseFit, unit: ForceUnit): string {
  return f.model === "exponential"
    ? `exponential, A ${force(f.ampN, unit)}, k ${f.kPerS.toFixed(2)} /s`
    : `hill (S-shaped), A ${force(f.ampN, unit)}, half-rise ${ms(f.halfTimeMs)}, n ${f.hillN.toFixed(2)}`;
}

export function buildReport(rec: LiftRecord, unit: ForceUnit = "kg"): LiftReport {
  const metrics: Metric[] = [];
  const flags: string[] = [];
  const method: string[] = [];
  const markers: LiftReport["markers"] = [];
  const hasLR = rec.leftN !== undefined && rec.rightN !== undefined;
  const rep: LiftReport = { record: rec, unit, metrics, flags, method, markers };
  if (rec.kind === "isometric") {
    const neg = (a: number[]) => a.map((x) => -x);
    const iso = analyzeIsometricWithModel(rec.timesMs, neg(rec.totalN), {
      leftN: hasLR ? neg(rec.leftN!) : undefined, rightN: hasLR ? neg(rec.rightN!) : undefined,
      capacityN: rec.capacityN, pinCapacityN: rec.pinCapacityN,
    });
    rep.iso = iso;
    const r = iso.raw;
    const m = iso.model;
    const res = r.timeResolutionMs;
    metrics.push({ label: "sample rate", value: `${r.sampleRateHz.toFixed(1)} Hz` });
    if (!r.found) {
      metrics.push({ label: "peak force (no effort found)", value: force(r.peakForceN, unit) });
      flags.push("no onset: no effort rose above the quiet baseline");
    } else {
      metrics.push({ label: "peak force (gross)", value: force(r.peakForceN, unit), note: rec.bodyMassKg ? `${(r.peakForceN / STANDARD_GRAVITY_MPS2 / rec.bodyMassKg).toFixed(2)} × body weight` : undefined });
      metrics.push({ label: "peak force (net of baseline)", value: force(r.peakNetForceN, unit) });
      metrics.push({ label: "baseline (quiet period)", value: force(r.baselineN, unit), note: `SD ${force(r.baselineSdN, unit)}` });
      metrics.push({ label: "time to peak", value: `${ms(r.timeToPeakMs)} ± ${ms(res)}`, note: `within 1 % of peak from ${ms(r.nearPeakFirstMs)} to ${ms(r.nearPeakLastMs)} (span ${ms(r.nearPeakSpanMs)}): the peak's time is only as exact as that span` });
      metrics.push({ label: "time to 90 % of peak", value: r.timeTo90PctMs >= 0 ? `${ms(r.timeTo90PctMs)} ± ${ms(res)}` : NA, });
      const windows = [50, 100, 150, 200, 250] as const;
      const rawRfd = [r.rfd50NPerS, r.rfd100NPerS, r.rfd150NPerS, r.rfd200NPerS, r.rfd250NPerS];
      const rawF = [r.forceAt50MsN, r.forceAt100MsN, r.forceAt150MsN, r.forceAt200MsN, r.forceAt250MsN];
      const imp = [r.impulse50NS, r.impulse100NS, r.impulse150NS, r.impulse200NS, r.impulse250NS];
      const modelRfd = m ? [m.rfd50NPerS, m.rfd100NPerS, m.rfd150NPerS, m.rfd200NPerS, m.rfd250NPerS] : [];
      const modelF = m ? [m.forceAt50MsN, m.forceAt100MsN, m.forceAt150MsN, m.forceAt200MsN, m.forceAt250MsN] : [];
      // where the model explains a window's samples worse than the raw value, the raw value stands in and says so
      const shown = (i: number, text: string) => (m && m.windows[i].modelRejected ? `${text} (raw: the model fits this window worse)` : text);
      windows.forEach((w, i) => {
        metrics.push({
          label: `RFD 0–${w} ms`,
          value: `raw ${rawRfd[i] >= 0 ? rate(rawRfd[i], unit) : NA}${r.rfdUnreliable && rawRfd[i] >= 0 ? " (unreliable)" : ""} | model ${m ? shown(i, rate(modelRfd[i], unit)) : NA}`,
        });
        metrics.push({ label: `force at ${w} ms`, value: `raw ${rawF[i] >= 0 ? force(rawF[i], unit) : NA} | model ${m ? shown(i, force(modelF[i], unit)) : NA}` });
        metrics.push({ label: `impulse 0–${w} ms (net)`, value: imp[i] >= 0 ? impulse(imp[i], unit) : NA });
      });
      metrics.push({ label: "peak RFD, 100 ms window", value: `raw ${r.peakRfd100NPerS >= 0 ? rate(r.peakRfd100NPerS, unit) : NA} | model ${m ? rate(m.peakRfd100NPerS, unit) : NA}` });
      metrics.push({ label: "peak RFD, 200 ms window", value: `raw ${r.peakRfd200NPerS >= 0 ? rate(r.peakRfd200NPerS, unit) : NA} | model ${m ? rate(m.peakRfd200NPerS, unit) : NA}` });
      if (m) {
        const other = m.fits.find((f) => f.ok && f.model !== m.model);
        metrics.push({
          label: "model fit",
          value: `${modelText(m.fit, unit)}, fit error ${m.fitErrorPct.toFixed(1)} %`,
          note: `model onset ${ms(m.onsetShiftMs)} from the detected onset${other ? `; ${other.model} fit error ${other.rmsErrorPct.toFixed(1)} %` : ""}`,
        });
      }
      if (r.hasLeftRight) {
        metrics.push({ label: "asymmetry at peak", value: `${r.asymmetryAtPeakPct.toFixed(1)} %`, note: "+ = left stronger" });
        metrics.push({ label: "asymmetry, mean over the effort", value: `${r.asymmetryMeanPct.toFixed(1)} %` });
      }
      markers.push({ label: "onset", tMs: r.onsetMs, kind: "onset" }, { label: "peak", tMs: r.peakMs, kind: "peak" });
      if (r.timeTo90PctMs >= 0) markers.push({ label: "90 %", tMs: r.onsetMs + r.timeTo90PctMs, kind: "t90" });
    }
    if (r.rfdUnreliable) flags.push(`RFD from ${r.sampleRateHz.toFixed(0)} Hz samples is unreliable (force plates need ≥ 1000 Hz): read the model values`);
    if (iso.modelFitWarning && iso.model) flags.push(`the ${iso.model.model} model (the better of the two) fits worse than ${FIT_WARNING_PCT} %: model values are doubtful too`);
    if (r.noQuietPeriod) flags.push("no steady quiet period before the pull: onset and baseline are uncertain");
    if (r.noPretension) flags.push("no pre-tension: a shock-loaded start inflates peak force and RFD");
    if (r.shockLoad) flags.push("shock load: half the net peak was reached within 50 ms");
    if (r.saturated) flags.push("ADC saturated during the lift");
    if (r.overCapacity) flags.push("load beyond the cells' rated capacity");
    method.push("Isometric pull: pull force = −pin load (the bar pushes up into the pins).");
    method.push("Onset: first sample more than 5 SD of the 1 s quiet period above its mean (Dos'Santos et al. 2017), from the board's detector.");
    method.push(`Times are ± one sample interval (${res.toFixed(1)} ms): each event is the first sample past its threshold.`);
    method.push(
      `RFD over fixed windows from onset. Model values: two rise models, each with its own start t0, are fitted from before onset to ${FIT_END_FRACTION * 100} % of the net peak ` +
        "(exponential F = Fbase + A·(1 − e^(−k(t − t0))); S-shaped hill F = Fbase + A·sⁿ/(sⁿ + cⁿ), s = t − t0), through the HX711's filter at its rates; " +
        "the one with the lower fit error (RMS residual, % of A) is used, the hill only when clearly lower; windows start at its t0; " +
        "a window whose samples the model explains worse than the raw value's straight line shows the raw value.",
    );
  } else {
    const rack = analyzeRackPull(rec.timesMs, rec.totalN, {
      leftN: rec.leftN, rightN: rec.rightN, capacityN: rec.capacityN, pinCapacityN: rec.pinCapacityN, calibrationUncertaintyN: rec.calibrationUncertaintyN,
    });
    rep.rack = rack;
    const res = rack.timeResolutionMs;
    metrics.push({ label: "sample rate", value: `${rack.sampleRateHz.toFixed(1)} Hz` });
    metrics.push({ label: "weighed load", value: rack.weighedLoadN >= 0 ? `${force(rack.weighedLoadN, unit)} ± ${force(2 * rack.weighedStdUncertaintyN, unit)} (k = 2${rec.calibrationUncertaintyN === undefined ? ", noise only" : ""})` : NA, note: rec.bodyMassKg && rack.weighedLoadKg > 0 ? `${(rack.weighedLoadKg / rec.bodyMassKg).toFixed(2)} × body weight` : undefined });
    if (rack.found) {
      metrics.push({ label: "time to lift-off", value: rack.liftedOff ? `${ms(rack.timeToLiftOffMs)} ± ${ms(res)}` : NA });
      metrics.push({ label: "peak lifter force before lift-off", value: force(rack.peakLifterForceN, unit) });
      metrics.push({ label: "break-away rate", value: rack.liftedOff ? rate(rack.breakawayRateNPerS, unit) : NA, note: "(force at lift-off − at onset) / time to lift-off" });
      metrics.push({ label: "hold off the pins", value: rack.holdMs >= 0 ? `${(rack.holdMs / 1000).toFixed(2)} s ± ${ms(res)}` : NA });
      metrics.push({ label: "re-weigh after set-down", value: rack.reweighN >= 0 ? `${force(rack.reweighN, unit)} (difference ${force(rack.reweighDiffN, unit)} ± ${force(2 * rack.reweighDiffUncertaintyN, unit)})` : NA });
      if (rack.hasLeftRight) {
        metrics.push({ label: "resting load on the left pin", value: `${rack.restLeftSharePct.toFixed(1)} %` });
        metrics.push({ label: "pull asymmetry", value: `${rack.pullAsymmetryPct.toFixed(1)} %`, note: "+ = left stronger" });
        if (rack.leftLiftOffMs >= 0 && rack.rightLiftOffMs >= 0) metrics.push({ label: "left / right pin lift-off after onset", value: `${ms(rack.leftLiftOffMs)} / ${ms(rack.rightLiftOffMs)}` });
      }
      markers.push({ label: "onset", tMs: rack.onsetMs, kind: "onset" });
      if (rack.liftedOff) markers.push({ label: "lift-off", tMs: rack.liftOffMs, kind: "liftoff" });
      if (rack.setDownMs >= 0) markers.push({ label: "set-down", tMs: rack.setDownMs, kind: "setdown" });
    }
    if (!rack.found) flags.push("no pull found");
    if (rack.found && rack.noLiftOff) flags.push("the bar never left the pins");
    if (rack.platesChanged) flags.push(`plates changed: the re-weigh differs by more than ${force(rack.reweighToleranceN, unit)}`);
    if (rack.reweighUnsteady) flags.push("re-weigh unsteady");
    if (rack.noQuietPeriod) flags.push("no steady rest before the pull");
    if (rack.saturated) flags.push("ADC saturated during the lift");
    if (rack.overCapacity) flags.push("load beyond the cells' rated capacity");
    method.push("Rack pull: the pins' load while the bar rests is the weighed load; the lifter's force is weighed load − pin load, up to lift-off.");
    method.push(rec.calibrationUncertaintyN === undefined
      ? "Weighing uncertainty: the standard error of the resting window's mean only, k = 2; the calibration's own uncertainty is not known here (`rackcell verify` measures the scale's error with plates)."
      : "Weighing uncertainty: calibration uncertainty combined with the standard error of the resting window's mean, k = 2.");
    method.push(`Times are ± one sample interval (${res.toFixed(1)} ms).`);
  }
  return rep;
}

export function reportText(rep: LiftReport): string {
  const L: string[] = [];
  L.push(`${rep.record.title ?? (rep.record.kind === "isometric" ? "Isometric pull" : "Rack pull")}${rep.record.date ? ` — ${rep.record.date}` : ""}`);
  if (rep.record.provenance) L.push(`  ${rep.record.provenance}`);
  const w = Math.max(...rep.metrics.map((m) => m.label.length));
  for (const m of rep.metrics) L.push(`  ${m.label.padEnd(w)}  ${m.value}${m.note ? `   (${m.note})` : ""}`);
  if (rep.flags.length) {
    L.push("quality flags:");
    for (const f of rep.flags) L.push(`  ! ${f}`);
  }
  L.push("method:");
  for (const m of rep.method) L.push(`  ${m}`);
  return `${L.join("\n")}\n`;
}

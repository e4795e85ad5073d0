/**
 * The guided calibration's decisions, without I/O: which loads to ask for, whether a stated load
 * or a reading is nonsense (and why), and what error the fitted calibration predicts compared
 * with what the plates themselves can prove.
 *
 * A point is a mass in kg placed on one pin (a channel name of the board: "left", "right",
 * "total") or on both pins ("both"). Per channel the fit uses the tare reading (0 N), every
 * point loading that channel alone, and every point loading another pin alone (this pin is
 * empty then: another 0 N reading). "both" points load the pins in an unknown split, so they
 * check the sum of the per-channel calibrations instead of entering a fit — except when some
 * channel has no single-pin point: then every "both" load is fitted as centred (half on each pin;
 * said in a note), the same points the board is given.
 */
import type { BoardDefinition } from "../build/boards.ts";
import { fitCalibration, forceFromCounts, predictionUncertaintyN, type CalibrationFit } from "../../shared/calibration/fit.ts";
import { fmt, loadStdUncertaintyN, loadToleranceKg, type PlateSpec } from "./plates.ts";
import { STANDARD_GRAVITY_MPS2 } from "../../shared/units/force.ts";

export const BOTH = "both";
/** Refuse a calibration whose largest load on a channel is below this share of the cell's capacity. */
export const MIN_SPAN_FRACTION = 0.2;
/** Default largest SD of a reading: 0.1 % of the cell's capacity (≈0.5 kg on a 500 kg cell). */
export const DEFAULT_MAX_SD_FRACTION = 0.001;
export const DEFAULT_SAMPLES = 80;

export interface PlannedPoint {
  /** channel name or "both" */
  pin: string;
  kg: number;
  /** plates in the stack (for the absolute part of the plate tolerance); default 1 per 20 kg */
  plateCount?: number;
}

export interface Step {
  index: number;
  point: PlannedPoint;
  /** argument of the board's capture command: a channel name or "all" */
  target: string;
  /** the stated force of the load, N */
  forceN: number;
  /** what to tell the person */
  prompt: string;
}

export interface PlanResult {
  ok: boolean;
  /** why the plan is refused, one sentence each */
  reasons: string[];
  steps: Step[];
  notes: string[];
}

/** "left:20,left:40,both:100" (kg; "left:20kg", "left:20@2" = two plates); reasons for nonsense. */
export function parsePoints(text: string): { points: PlannedPoint[]; reasons: string[] } {
  const points: PlannedPoint[] = [];
  const reasons: string[] = [];
  for (const raw of text.split(",").map((s) => s.trim()).filter((s) => s.length > 0)) {
    const m = /^([a-z][a-z0-9-]*)\s*:\s*(.+?)$/i.exec(raw);
    if (!m) {
      reasons.push(`"${raw}": write a point as <pin>:<kg>, e.g. left:20`);
      continue;
    }
    let massText = m[2].replace(/\s*kg$/i, "");
    let plateCount: number | undefined;
    const at = /^(.*)@(\d+)$/.exec(massText);
    if (at) {
      massText = at[1];
      plateCount = Number(at[2]);
    }
    const kg = /^[-+]?[0-9]*\.?[0-9]+$/.test(massText) ? Number(massText) : Number.NaN;
    points.push({ pin: m[1].toLowerCase(), kg, ...(plateCount !== undefined ? { plateCount } : {}) });
  }
  if (points.length === 0 && reasons.length === 0) reasons.push("no points given: e.g. --points \"left:20,left:40,right:20,right:40,both:100\"");
  return { points, reasons };
}

/** Capacity (N) a point's pin can carry: one channel's cell, or all cells together for "both". */
function pinCapacityN(board: BoardDefinition, pin: string): number {
  if (pin === BOTH) return board.channels.reduce((s, c) => s + c.cell.capacityN, 0);
  return board.channels.find((c) => c.name === pin)?.cell.capacityN ?? 0;
}

/** Largest force each channel sees in the plan (a "both" load counts half on each of two pins). */
export function channelSpansN(board: BoardDefinition, points: PlannedPoint[]): Record<string, number> {
  const spans: Record<string, number> = {};
  for (const ch of board.channels) spans[ch.name] = 0;
  for (const p of points) {
    const f = p.kg * STANDARD_GRAVITY_MPS2;
    if (p.pin === BOTH) for (const ch of board.channels) spans[ch.name] = Math.max(spans[ch.name], f / board.channels.length);
    else if (p.pin in spans) spans[p.pin] = Math.max(spans[p.pin], f);
  }
  return spans;
}

export function describePin(board: BoardDefinition, pin: string): string {
  if (pin === BOTH) return board.channels.length > 1 ? "BOTH pins (bar centred)" : "the pins";
  if (board.channels.length === 1) return "the pins";
  return `the ${pin.toUpperCase()} pin`;
}

export function validatePlan(board: BoardDefinition, points: PlannedPoint[], plates: PlateSpec): PlanResult {
  const reasons: string[] = [];
  const notes: string[] = [];
  const names = board.channels.map((c) => c.name);
  const pins = board.channels.length > 1 ? [...names, BOTH] : [...names, BOTH];
  const lastKg: Record<string, number> = {};
  points.forEach((p, i) => {
    const where = `point ${i + 1} (${p.pin}:${Number.isNaN(p.kg) ? "?" : p.kg})`;
    if (!pins.includes(p.pin)) {
      reasons.push(`${where}: board ${board.name} has no pin "${p.pin}"; use ${pins.join(", ")}`);
      return;
    }
    if (typeof p.kg !== "number" || !Number.isFinite(p.kg)) {
      reasons.push(`${where}: the mass is not a number`);
      return;
    }
    if (p.kg <= 0) {
      reasons.push(`${where}: the mass must be positive (the empty pins are measured by tare)`);
      return;
    }
    if (p.plateCount !== undefined && !(Number.isInteger(p.plateCount) && p.plateCount >= 1)) {
      reasons.push(`${where}: the plate count must be a whole number ≥ 1`);
    }
    const cap = pinCapacityN(board, p.pin);
    if (p.kg * STANDARD_GRAVITY_MPS2 > cap) {
      reasons.push(`${where}: ${fmt(p.kg, 1)} kg is beyond the capacity of ${describePin(board, p.pin)} (${fmt(cap / STANDARD_GRAVITY_MPS2, 1)} kg)`);
    }
    const prev = lastKg[p.pin];
    if (prev !== undefined && !(p.kg > prev)) {
      reasons.push(`${where}: masses on ${p.pin} must increase (${fmt(p.kg, 2)} kg after ${fmt(prev, 2)} kg); a repeat belongs in verify`);
    }
    lastKg[p.pin] = p.kg;
  });
  if (points.length === 0) reasons.push("no calibration points: at least one known load per pin is needed");
  if (reasons.length === 0) {
    const spans = channelSpansN(board, points);
    for (const ch of board.channels) {
      const span = spans[ch.name];
      if (!(span > 0)) {
        reasons.push(`${ch.name}: no load on this pin: add points on it (e.g. ${ch.name}:100,${ch.name}:200) or on both pins (both:300)`);
      } else if (span < MIN_SPAN_FRACTION * ch.cell.capacityN) {
        reasons.push(
          `${ch.name}: the largest load (${fmt(span / STANDARD_GRAVITY_MPS2, 1)} kg) is below ${MIN_SPAN_FRACTION * 100} % of the cell's capacity ` +
          `(${fmt(ch.cell.capacityN / STANDARD_GRAVITY_MPS2, 0)} kg): too small a span to calibrate; use at least ${fmt((MIN_SPAN_FRACTION * ch.cell.capacityN) / STANDARD_GRAVITY_MPS2, 0)} kg`,
        );
      }
      const single = points.filter((p) => p.pin === ch.name);
      if (single.length === 0 && board.channels.length > 1) {
        notes.push(`${ch.name}: no point on this pin alone; its calibration assumes the "both" loads are centred (half each)`);
      }
    }
  }
  if (plates.kind === "gym") notes.push(`plates: ${plates.label}; errors smaller than the plates' tolerance cannot be proven`);
  const steps: Step[] = points.map((p, i) => ({
    index: i,
    point: p,
    target: p.pin === BOTH || board.channels.length === 1 ? "all" : p.pin,
    forceN: p.kg * STANDARD_GRAVITY_MPS2,
    prompt: `Put ${fmt(p.kg, p.kg % 1 === 0 ? 0 : 2)} kg on ${describePin(board, p.pin)} and press Enter`,
  }));
  return { ok: reasons.length === 0, reasons, steps: reasons.length === 0 ? steps : [], notes };
}

/** One averaged reading of one channel, as the board's capture reports it. */
export interface ChannelReading {
  meanCounts: number;
  sdCounts: number;
  samples: number;
}

/** Nominal N per count of a channel from the cell data (HX711: ±0.5·AVDD/gain over ±2^23, E+ = AVDD). */
export function nominalNPerCount(board: BoardDefinition, channel: string): number {
  const ch = board.channels.find((c) => c.name === channel);
  if (!ch) throw new Error(`board ${board.name} has no channel ${channel}`);
  const gain = ch.hx711Mode === 1 ? 32 : ch.hx711Mode === 2 ? 64 : 128;
  const countsAtCapacity = ch.cell.ratedOutputMvPerV * 1e-3 * gain * 2 ** 24;
  return ch.cell.capacityN / countsAtCapacity;
}

export function defaultMaxSdN(board: BoardDefinition, channel: string): number {
  const ch = board.channels.find((c) => c.name === channel);
  return (ch?.cell.capacityN ?? 0) * DEFAULT_MAX_SD_FRACTION;
}

/** "" when the reading is usable; otherwise why not. nPerCount: the fit's, or the nominal one. */
export function checkReading(r: ChannelReading, nPerCount: number, maxSdN: number, minSamples = 10): string {
  if (!Number.isFinite(r.meanCounts) || !Number.isFinite(r.sdCounts) || !Number.isFinite(r.samples)) return "the board returned no numbers";
  if (r.samples < minSamples) return `only ${r.samples} samples (need ${minSamples}): was the capture interrupted?`;
  const sdN = Math.abs(r.sdCounts * nPerCount);
  if (sdN > maxSdN) {
    return `unstable reading: SD ${fmt(sdN, 2)} N (${fmt(sdN / STANDARD_GRAVITY_MPS2, 3)} kg) above the limit ${fmt(maxSdN, 2)} N; ` +
      "let the bar settle, do not touch it, and capture again";
  }
  return "";
}

/** Readings of every channel at one step (tare = step -1). */
export interface StepReadings {
  step: Step | null;
  channels: Record<string, ChannelReading>;
}

export interface ChannelCalibration {
  channel: string;
  fit: CalibrationFit;
  /** which points entered the fit, in order: "tare", "left:20", "right:20 (empty)" … */
  pointLabels: string[];
  statedN: number[];
  counts: number[];
  /** standard uncertainty (k = 1) of the fitted line at the cell's capacity, N */
  fitUncertaintyAtCapacityN: number;
  /** standard uncertainty of the slope from the plates, carried to capacity, N */
  platesUncertaintyAtCapacityN: number;
  platesDominate: boolean;
  capacityN: number;
}

export interface CalibrationOutcome {
  ok: boolean;
  reasons: string[];
  channels: ChannelCalibration[];
  /** "both" points: the calibrated sum against the stated load */
  checks: { label: string; statedN: number; measuredN: number; errorN: number; toleranceN: number }[];
  summary: string[];
}

const pointLabel = (p: PlannedPoint) => `${p.pin}:${p.kg}`;

export function computeCalibration(
  board: BoardDefinition, plates: PlateSpec, tare: StepReadings, readings: StepReadings[],
): CalibrationOutcome {
  const reasons: string[] = [];
  const out: ChannelCalibration[] = [];
  const multi = board.channels.length > 1;
  // "both" loads enter the fits (as half on each pin) only when some pin has no load of its own
  const bothFitted = multi && board.channels.some((c) => !readings.some((s) => s.step?.point.pin === c.name));
  for (const ch of board.channels) {
    const counts: number[] = [];
    const stated: number[] = [];
    const labels: string[] = [];
    const relU: number[] = [];
    const add = (r: ChannelReading | undefined, f: number, label: string, rel: number) => {
      if (!r) return;
      counts.push(r.meanCounts);
      stated.push(f);
      labels.push(label);
      relU.push(rel);
    };
    add(tare.channels[ch.name], 0, "tare", 0);
    for (const s of readings) {
      const p = s.step?.point;
      if (!p) continue;
      const f = p.kg * STANDARD_GRAVITY_MPS2;
      const rel = loadStdUncertaintyN(plates, p.kg, p.plateCount) / f;
      if (p.pin === ch.name) add(s.channels[ch.name], f, pointLabel(p), rel);
      else if (p.pin === BOTH && (!multi || bothFitted)) add(s.channels[ch.name], multi ? f / board.channels.length : f, `${pointLabel(p)}${multi ? " (half)" : ""}`, rel);
      else if (p.pin !== BOTH) add(s.channels[ch.name], 0, `${pointLabel(p)} (empty)`, 0);
    }
    const fit = fitCalibration(counts, stated);
    if (fit.error !== "") {
      reasons.push(`${ch.name}: ${fit.error}`);
      continue;
    }
    const capCounts = fit.zeroCounts + ch.cell.capacityN / fit.nPerCount;
    const uFit = predictionUncertaintyN(fit, capCounts);
    // Slope error from the plates: the relative standard uncertainty of the largest load on this channel.
    let relPlates = 0;
    let biggest = 0;
    for (let i = 0; i < stated.length; i++) {
      if (stated[i] > biggest) {
        biggest = stated[i];
        relPlates = relU[i];
      }
    }
    const uPlates = relPlates * ch.cell.capacityN;
    out.push({
      channel: ch.name, fit, pointLabels: labels, statedN: stated, counts,
      fitUncertaintyAtCapacityN: uFit, platesUncertaintyAtCapacityN: uPlates,
      platesDominate: uPlates > uFit, capacityN: ch.cell.capacityN,
    });
  }
  const checks: CalibrationOutcome["checks"] = [];
  if (multi) {
    for (const s of readings) {
      const p = s.step?.point;
      if (!p || p.pin !== BOTH) continue;
      let sum = 0;
      for (const c of out) {
        const r = s.channels[c.channel];
        if (r) sum += forceFromCounts(r.meanCounts, c.fit.nPerCount, c.fit.zeroCounts);
      }
      checks.push({
        label: pointLabel(p), statedN: p.kg * STANDARD_GRAVITY_MPS2, measuredN: sum, errorN: sum - p.kg * STANDARD_GRAVITY_MPS2,
        toleranceN: loadToleranceKg(plates, p.kg, p.plateCount) * STANDARD_GRAVITY_MPS2,
      });
    }
  }
  return { ok: reasons.length === 0, reasons, channels: out, checks, summary: summarize(out, checks, plates) };
}

/** Plain sentences: the predicted error per channel, in N and kg, and whether the plates dominate. */
export function summarize(chs: ChannelCalibration[], checks: CalibrationOutcome["checks"], plates: PlateSpec): string[] {
  const lines: string[] = [];
  for (const c of chs) {
    const f = c.fit;
    lines.push(
      `${c.channel}: ${fmt(f.nPerCount * 1e6, 3)} µN/count, zero ${fmt(f.zeroCounts, 0)} counts, ${f.points} points, ` +
      `largest residual ${fmt(f.maxAbsResidualN, 2)} N (${fmt(f.maxAbsResidualN / STANDARD_GRAVITY_MPS2, 3)} kg)`,
    );
    if (f.points < 3) {
      lines.push(`  predicted error: unknown with ${f.points} points (two points always fit exactly); add a third load`);
    } else {
      lines.push(
        `  predicted error at capacity (${fmt(c.capacityN / STANDARD_GRAVITY_MPS2, 0)} kg): ±${fmt(2 * c.fitUncertaintyAtCapacityN, 2)} N ` +
        `(±${fmt((2 * c.fitUncertaintyAtCapacityN) / STANDARD_GRAVITY_MPS2, 3)} kg, k = 2) from the fit's scatter`,
      );
    }
    lines.push(
      `  plates (${plates.label}): ±${fmt(2 * c.platesUncertaintyAtCapacityN, 2)} N (±${fmt((2 * c.platesUncertaintyAtCapacityN) / STANDARD_GRAVITY_MPS2, 3)} kg, k = 2) at capacity — ` +
      (c.platesDominate ? "the plates' own uncertainty dominates: better plates would give a better calibration"
        : "the fit's scatter dominates over the plates"),
    );
  }
  for (const k of checks) {
    const within = Math.abs(k.errorN) <= Math.max(k.toleranceN, 1e-9) * 2;
    lines.push(
      `check ${k.label}: left+right ${fmt(k.measuredN / STANDARD_GRAVITY_MPS2, 2)} kg for ${fmt(k.statedN / STANDARD_GRAVITY_MPS2, 2)} kg stated, ` +
      `error ${fmt(k.errorN / STANDARD_GRAVITY_MPS2, 3)} kg${within ? "" : " — larger than the plates explain: check the bar is centred and both pins are calibrated"}`,
    );
  }
  return lines;
}

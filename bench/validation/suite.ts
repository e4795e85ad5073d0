/**
 * The validation suite: curves → pipeline (board + wire) → host decode → host analysis →
 * errors against the ground truth, per sample rate, plus the 1 kHz force-plate reference
 * (the analysis run directly on the 1 kHz record: what the same method gives without the HX711).
 */
import { buildCurve } from "./curves.ts";
import type { CurveSpec } from "./spec.ts";
import { decodeLines, type DecodedSeries } from "./decode.ts";
import { evaluate, type CurveErrors } from "./evaluate.ts";
import { countsPerN, VALIDATION_CELL } from "./cell.ts";
import { standInWire } from "./standin.ts";
import { findSyncEdges, fitTimeBase, SYNC_PRE_S } from "./sync.ts";
import type { WireRecord, WireSource } from "./wire.ts";

export const standInSource: WireSource = {
  name: "stand-in",
  wire: async (curve, rateSps, seed) => standInWire(curve, { rateSps, seed }),
};

/**
 * Decode a wire record onto the curve's time base: conversion end − latency (stand-in), or the
 * line through the sync edges (emulated), trimmed to the curve's span.
 */
export function decodeWire(w: WireRecord): DecodedSeries & { timeBase: { offsetMs: number; periodMs: number } } {
  const k = countsPerN(VALIDATION_CELL);
  const uncal = w.calibration ? { zeroCounts: w.calibration.zeroCounts, countsPerN: [k, k] } : undefined;
  if (w.align === undefined) {
    const firstMs = w.firstConversionEndMs - w.latencyMs;
    return { ...decodeLines(w.lines, { periodMs: w.periodMs, firstMs, uncalibrated: uncal, forceRaw: uncal !== undefined }), timeBase: { offsetMs: firstMs, periodMs: w.periodMs } };
  }
  const s = decodeLines(w.lines, { periodMs: 1, firstMs: 0, uncalibrated: uncal, forceRaw: uncal !== undefined });
  const total = s.leftN.map((l, i) => l + s.rightN[i]);
  const idx = s.timesMs; // sample index (gaps included)
  const nIdx = idx.length;
  // search the pulses in the sync segments before and after the curve
  const span = Math.ceil((SYNC_PRE_S * 1000) / w.periodMs);
  // skip the first 4 samples: a chip that just powered up ramps from 0 while its filter fills
  const edgePos = findSyncEdges(total, w.periodMs, [5, span], [nIdx - span - 1, nIdx - 1]);
  if (edgePos.length !== 4) throw new Error(`${w.pipeline}: sync pulses not found in ${nIdx} samples`);
  // fractional positions → sample indices (idx may skip lost frames)
  const atPos = (p: number) => idx[Math.floor(p)] + (p - Math.floor(p)) * (idx[Math.floor(p) + 1] - idx[Math.floor(p)]);
  const tb = fitTimeBase(edgePos.map(atPos), w.align.edgesMs);
  const out: DecodedSeries = { ...s, timesMs: [], leftN: [], rightN: [], rawLeft: [], rawRight: [], flags: [] };
  for (let i = 0; i < nIdx; i++) {
    const t = tb.a + tb.b * idx[i];
    if (t < 0 || t > w.align.curveEndMs) continue;
    out.timesMs.push(t);
    out.leftN.push(s.leftN[i]);
    out.rightN.push(s.rightN[i]);
    out.rawLeft.push(s.rawLeft[i]);
    out.rawRight.push(s.rawRight[i]);
    out.flags.push(s.flags[i]);
  }
  return { ...out, timeBase: { offsetMs: tb.a, periodMs: tb.b } };
}

export interface SuiteResult {
  pipeline: string;
  reference: CurveErrors[];
  byRate: Map<number, CurveErrors[]>;
  /** frames lost / bad lines over the whole run, curves replayed because their record could not be placed in time, per rate */
  wireTrouble: Map<number, { lost: number; bad: number; frames: number; retried: number; notes: string[] }>;
}

export async function runSuite(specs: CurveSpec[], rates: number[], source: WireSource, opts: { reference?: boolean } = {}): Promise<SuiteResult> {
  const res: SuiteResult = { pipeline: source.name, reference: [], byRate: new Map(), wireTrouble: new Map() };
  for (const r of rates) {
    res.byRate.set(r, []);
    res.wireTrouble.set(r, { lost: 0, bad: 0, frames: 0, retried: 0, notes: [] });
  }
  for (const spec of specs) {
    const curve = buildCurve(spec);
    if (opts.reference !== false) res.reference.push(evaluate(curve, curve, 1000, "1 kHz reference"));
    for (const r of rates) {
      const t = res.wireTrouble.get(r)!;
      let w = await source.wire(curve, r, spec.seed);
      let s: ReturnType<typeof decodeWire>;
      try {
        s = decodeWire(w);
      } catch (e) {
        // a record the host cannot place in time (sync pulses missing) is replayed once and counted
        t.retried += 1;
        t.notes.push(`${spec.id} at ${r} SPS: ${(e as Error).message}; replayed`);
        w = await source.wire(curve, r, spec.seed);
        s = decodeWire(w);
      }
      t.lost += s.lostFrames;
      t.bad += s.badLines;
      t.frames += s.frames;
      res.byRate.get(r)!.push(evaluate(curve, s, r, w.pipeline));
    }
  }
  return res;
}

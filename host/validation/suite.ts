/**
 * The validation suite: curves → pipeline (board + wire) → host decode → host analysis →
 * errors against the ground truth, per sample rate, plus the 1 kHz force-plate reference
 * (the analysis run directly on the 1 kHz record: what the same method gives without the HX711).
 */
import { buildCurve, isometricSet, rackPullSet, type Curve, type CurveSpec } from "./curves.ts";
import { decodeLines } from "./decode.ts";
import { evaluate, type CurveErrors } from "./evaluate.ts";
import { standInWire, type WireRecord } from "./standin.ts";

/** Something that turns a curve into the board's lines at a sample rate. */
export interface WireSource {
  name: string;
  wire(curve: Curve, rateSps: number, seed: number): Promise<WireRecord>;
  close?(): Promise<void> | void;
}

export const standInSource: WireSource = {
  name: "stand-in",
  wire: async (curve, rateSps, seed) => standInWire(curve, { rateSps, seed }),
};

/** Decode a wire record onto the curve's time base (conversion end − latency). */
export function decodeWire(w: WireRecord) {
  return decodeLines(w.lines, { periodMs: w.periodMs, firstMs: w.firstConversionEndMs - w.latencyMs });
}

export function curveSet(isoCount: number, rackCount: number, seed = 1): CurveSpec[] {
  return [...isometricSet(isoCount, seed), ...rackPullSet(rackCount, seed)];
}

export interface SuiteResult {
  pipeline: string;
  reference: CurveErrors[];
  byRate: Map<number, CurveErrors[]>;
  /** frames lost / bad lines over the whole run, per rate */
  wireTrouble: Map<number, { lost: number; bad: number; frames: number }>;
}

export async function runSuite(specs: CurveSpec[], rates: number[], source: WireSource, opts: { reference?: boolean } = {}): Promise<SuiteResult> {
  const res: SuiteResult = { pipeline: source.name, reference: [], byRate: new Map(), wireTrouble: new Map() };
  for (const r of rates) {
    res.byRate.set(r, []);
    res.wireTrouble.set(r, { lost: 0, bad: 0, frames: 0 });
  }
  for (const spec of specs) {
    const curve = buildCurve(spec);
    if (opts.reference !== false) res.reference.push(evaluate(curve, curve, 1000, "1 kHz reference"));
    for (const r of rates) {
      const w = await source.wire(curve, r, spec.seed);
      const s = decodeWire(w);
      const t = res.wireTrouble.get(r)!;
      t.lost += s.lostFrames;
      t.bad += s.badLines;
      t.frames += s.frames;
      res.byRate.get(r)!.push(evaluate(curve, s, r, w.pipeline));
    }
  }
  return res;
}

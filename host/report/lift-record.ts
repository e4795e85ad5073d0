/**
 * The lift record: one lift with every metric the analysis gives, as JSON numbers and booleans,
 * the unit in each field's name (the analysis's own names: …N, …Kg, …Ms, …NPerS, …NS, …Pct, …Hz),
 * for `report --json` and `export --lifts` (one CSV row per record, `flattenLiftRecord`). Its shape is
 * documented by lift-record.schema.json beside this file. A value the analysis could not reach
 * (its -1, or NaN) is null. Curves (arrays) stay out: the frames are in `rackcell export`.
 */
import { STANDARD_GRAVITY_MPS2 } from "../../shared/units/force.ts";
import type { LiftOrigin, LiftReport } from "./lift.ts";

export const LIFT_RECORD_FORMAT = "rackcell-lift-record";
export const LIFT_RECORD_VERSION = 1;

export type Scalar = number | boolean | null;
export interface ScalarTree {
  [key: string]: Scalar | ScalarTree;
}

export interface LiftRecordJson {
  format: typeof LIFT_RECORD_FORMAT;
  formatVersion: number;
  kind: "rackpull" | "isometric";
  /** "samples" when the caller gave samples without saying where from */
  origin: "store" | "csv" | "demo" | "samples";
  liftId: number | null;
  sessionId: number | null;
  detectedBy: string | null;
  atS: number | null;
  sessionStartedAt: string | null;
  athlete: string | null;
  board: string | null;
  build: string | null;
  sessionFrames: number | null;
  sessionCorruptFrames: number | null;
  sessionMissingFrames: number | null;
  sealState: string | null;
  seal: string | null;
  sealIntact: boolean | null;
  signatureState: string | null;
  signatureScheme: string | null;
  bodyMassKg: number | null;
  /** rack pull: weighed load ÷ body mass; isometric: gross peak (kgf) ÷ body mass */
  bodyWeightMultiple: number | null;
  /** every scalar of the rack-pull or isometric analysis */
  analysis: ScalarTree;
  /** isometric: the fitted rise model and its metrics; null when there is none */
  model: ScalarTree | null;
}

/** A number as the record gives it: null for the analysis's "not reached" (-1) and for NaN/±∞. */
function measured(x: number): number | null {
  return Number.isFinite(x) && x !== -1 ? x : null;
}

/** The scalars of an analysis result, nested objects kept, arrays left out. */
export function scalarTree(obj: object): ScalarTree {
  const out: ScalarTree = {};
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === "number") out[k] = measured(v);
    else if (typeof v === "boolean") out[k] = v;
    else if (v !== null && typeof v === "object" && !Array.isArray(v)) out[k] = scalarTree(v as object);
  }
  return out;
}

export function liftRecordJson(rep: LiftReport): LiftRecordJson {
  const rec = rep.record;
  const o: Partial<LiftOrigin> = rec.origin ?? {};
  const body = rec.bodyMassKg !== undefined && rec.bodyMassKg > 0 ? rec.bodyMassKg : null;
  let multiple: number | null = null;
  if (body !== null && rep.rack && rep.rack.weighedLoadKg > 0) multiple = rep.rack.weighedLoadKg / body;
  if (body !== null && rep.iso && rep.iso.raw.found) multiple = rep.iso.raw.peakForceN / STANDARD_GRAVITY_MPS2 / body;
  const opt = <T>(x: T | undefined): T | null => (x === undefined ? null : x);
  return {
    format: LIFT_RECORD_FORMAT,
    formatVersion: LIFT_RECORD_VERSION,
    kind: rec.kind,
    origin: rec.origin ? rec.origin.from : "samples",
    liftId: opt(o.liftId),
    sessionId: opt(o.sessionId),
    detectedBy: opt(o.detectedBy),
    atS: opt(o.atS),
    sessionStartedAt: opt(o.sessionStartedAt),
    athlete: opt(o.athlete),
    board: opt(o.board),
    build: opt(o.build),
    sessionFrames: opt(o.sessionFrames),
    sessionCorruptFrames: opt(o.sessionCorruptFrames),
    sessionMissingFrames: opt(o.sessionMissingFrames),
    sealState: opt(o.sealState),
    seal: opt(o.seal),
    sealIntact: opt(o.sealIntact),
    signatureState: opt(o.signatureState),
    signatureScheme: opt(o.signatureScheme),
    bodyMassKg: body,
    bodyWeightMultiple: multiple,
    analysis: scalarTree(rep.rack ?? rep.iso!.raw),
    model: rep.iso?.model ? scalarTree(rep.iso.model) : null,
  };
}

/** "timeTo90PctMs" → "time_to_90_pct_ms", "rfd100NPerS" → "rfd_100_n_per_s": headers R and spreadsheets take. */
export function snakeCase(name: string): string {
  // every capital starts a word (NS is newton-seconds: n_s), and so does every run of digits
  return name
    .replace(/([A-Z])/g, "_$1")
    .replace(/([A-Za-z])([0-9])/g, "$1_$2")
    .replace(/([0-9])([A-Za-z])/g, "$1_$2")
    .replace(/^_/, "")
    .toLowerCase();
}

/** One flat row: top-level fields, then `analysis` without prefix and `model` as model_…, nested names joined by "_". */
export function flattenLiftRecord(r: LiftRecordJson): Map<string, string | Scalar> {
  const row = new Map<string, string | Scalar>();
  const put = (prefix: string, tree: ScalarTree) => {
    for (const [k, v] of Object.entries(tree)) {
      const name = prefix === "" ? snakeCase(k) : `${prefix}_${snakeCase(k)}`;
      if (v !== null && typeof v === "object") put(name, v);
      else row.set(name, v);
    }
  };
  for (const [k, v] of Object.entries(r)) {
    if (k === "analysis" || k === "model" || k === "format" || k === "formatVersion") continue;
    row.set(snakeCase(k), v as string | Scalar);
  }
  put("", r.analysis);
  if (r.model) put("model", r.model);
  return row;
}

function csvCell(v: string | Scalar | undefined): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
  if (typeof v === "number") return String(v);
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** CSV with one row per record; the columns are every field any record has, in first-seen order. */
export function liftRecordsCsv(records: LiftRecordJson[]): string {
  const rows = records.map(flattenLiftRecord);
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const k of row.keys()) {
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
    }
  }
  const lines = [columns.join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvCell(row.get(c))).join(","));
  return `${lines.join("\n")}\n`;
}

/**
 * What the user's plates can prove. Every load is stated by the user as a mass in kg made of
 * plates of one kind; the kind gives the tolerance of each plate (a bound, not a standard
 * deviation):
 *   calibrated  competition/calibrated discs: ±10 g or ±0.25 % per plate, whichever is smaller
 *               (10 g on a 20 kg disc, 2.5 g on a 1 kg disc); independent plate to plate, so a
 *               stack of n plates is within ±tolerance·√n (plates assumed equal, default 1 per 20 kg)
 *   gym         ordinary gym plates: 1–7 % (default 3 %, state yours with gym:<pct>); a
 *               manufacturer's bias is shared by its plates, so the % applies to the whole load
 *   custom      ±<pct> % of the load or ±<kg> per load
 * The standard uncertainty of a stated load is tolerance/√3 (rectangular distribution).
 */
import { STANDARD_GRAVITY_MPS2 } from "../../shared/units/force.ts";

export interface PlateSpec {
  kind: "calibrated" | "gym" | "custom";
  /** relative tolerance per load, % */
  tolerancePct: number;
  /** absolute tolerance per load, kg (the larger of the two applies) */
  toleranceKg: number;
  /** how the user described the plates, for the certificate */
  label: string;
}

export const CALIBRATED_PLATES: PlateSpec = { kind: "calibrated", tolerancePct: 0.25, toleranceKg: 0.01, label: "calibrated discs (±10 g or ±0.25 % per plate)" };

/** "calibrated" | "gym" | "gym:2" | "gym:2%" | "custom:0.5%" | "custom:0.02kg"; returns a reason on nonsense. */
export function parsePlates(text: string): PlateSpec | { error: string } {
  const t = text.trim().toLowerCase();
  if (t === "calibrated" || t === "competition") return CALIBRATED_PLATES;
  const m = /^(gym|custom)(?::([0-9]*\.?[0-9]+)\s*(%|kg|g)?)?$/.exec(t);
  if (!m) return { error: `plates "${text}": say calibrated, gym, gym:<pct>% or custom:<pct>% / custom:<kg>kg` };
  const kind = m[1] as "gym" | "custom";
  if (m[2] === undefined) {
    if (kind === "custom") return { error: "custom plates need a tolerance: custom:0.5% or custom:0.02kg" };
    return { kind, tolerancePct: 3, toleranceKg: 0, label: "gym plates (assumed ±3 %; gym plates are off by 1–7 %)" };
  }
  const v = Number(m[2]);
  const unit = m[3] ?? "%";
  if (!(v > 0)) return { error: `plates "${text}": the tolerance must be a positive number` };
  if (unit === "%") {
    if (v > 20) return { error: `plates "${text}": ${v} % is not a plate tolerance` };
    return { kind, tolerancePct: v, toleranceKg: 0, label: `${kind} plates (±${v} %)` };
  }
  const kg = unit === "g" ? v / 1000 : v;
  return { kind, tolerancePct: 0, toleranceKg: kg, label: `${kind} plates (±${fmt(kg * 1000, 0)} g per load)` };
}

/** Tolerance bound (kg) of a stated load made of `plateCount` plates (default: 1 per 20 kg). */
export function loadToleranceKg(plates: PlateSpec, massKg: number, plateCount?: number): number {
  const m = Math.abs(massKg);
  if (plates.kind === "calibrated") {
    const count = plateCount ?? Math.max(1, Math.ceil(m / 20));
    const perPlate = Math.min(plates.toleranceKg, ((m / count) * plates.tolerancePct) / 100);
    return perPlate * Math.sqrt(count);
  }
  return Math.max((m * plates.tolerancePct) / 100, plates.toleranceKg);
}

/** Standard uncertainty (N) of a stated load. */
export function loadStdUncertaintyN(plates: PlateSpec, massKg: number, plateCount?: number): number {
  return (loadToleranceKg(plates, massKg, plateCount) * STANDARD_GRAVITY_MPS2) / Math.sqrt(3);
}

export function fmt(x: number, decimals: number): string {
  if (!Number.isFinite(x)) return String(x);
  const s = x.toFixed(decimals);
  return s === `-${(0).toFixed(decimals)}` ? (0).toFixed(decimals) : s;
}

/**
 * Force units: the one home of standard gravity, the pound, the units a reader may choose (kg, N,
 * lbf) and how a force is written in them. Everything is measured, stored and exported in N; kg
 * here is kilogram-force (the mass that load would weigh under standard gravity), as a gym reads
 * plates. Runs on the board and the host alike (formatting goes through wire-number's formatFixed,
 * so JavaScript and Lua print the same text).
 */
import { formatFixed } from "../protocol/wire-number.ts";

/** Standard gravity (CGPM 1901), m/s²: newtons per kilogram-force. */
export const STANDARD_GRAVITY_MPS2 = 9.80665;
/** The international pound (1959), kg. */
export const KG_PER_LB = 0.45359237;
/** Newtons per pound-force: one pound under standard gravity. */
export const N_PER_LBF = KG_PER_LB * STANDARD_GRAVITY_MPS2;

/** "kg" is kilogram-force. */
export type ForceUnit = "kg" | "N" | "lbf";
export const FORCE_UNITS: ForceUnit[] = ["kg", "N", "lbf"];

/** The unit a reader typed (any letter case), or "" when it is none of kg, N, lbf. */
export function forceUnitFromText(text: string): ForceUnit | "" {
  const t = text.toLowerCase();
  if (t === "kg") return "kg";
  if (t === "n") return "N";
  if (t === "lbf") return "lbf";
  return "";
}

/** A force (or a rate or impulse of force) in N, expressed in `unit`. */
export function fromNewtons(n: number, unit: ForceUnit): number {
  if (unit === "kg") return n / STANDARD_GRAVITY_MPS2;
  if (unit === "lbf") return n / N_PER_LBF;
  return n;
}

/** A value in `unit` back to N. */
export function toNewtons(value: number, unit: ForceUnit): number {
  if (unit === "kg") return value * STANDARD_GRAVITY_MPS2;
  if (unit === "lbf") return value * N_PER_LBF;
  return value;
}

export function kgToLb(kg: number): number {
  return kg / KG_PER_LB;
}

/** "204.3 kg", "2003 N" (decimals as asked, default 1); "— kg" when there is no reading (NaN, ±∞). */
export function formatForce(n: number, unit: ForceUnit, decimals?: number): string {
  const text = formatFixed(fromNewtons(n, unit), decimals === undefined ? 1 : decimals);
  return text === "" ? `— ${unit}` : `${text} ${unit}`;
}

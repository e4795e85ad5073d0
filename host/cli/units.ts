/** Force units for display; everything is stored and exported in N. */
export type Unit = "kg" | "N" | "lbf";
export const UNITS: Unit[] = ["kg", "N", "lbf"];
export const N_PER_KGF = 9.80665;
export const N_PER_LBF = 4.4482216152605;

export function parseUnit(text: string): Unit {
  const u = UNITS.find((x) => x.toLowerCase() === text.toLowerCase());
  if (!u) throw new Error(`unknown unit "${text}": use kg, N or lbf`);
  return u;
}

export function fromNewtons(n: number, unit: Unit): number {
  if (unit === "kg") return n / N_PER_KGF;
  if (unit === "lbf") return n / N_PER_LBF;
  return n;
}

/** "204.3 kg", "2003.5 N", "450.4 lbf"; "—" for no reading. */
export function formatForce(n: number, unit: Unit, width = 0): string {
  const v = fromNewtons(n, unit);
  const text = Number.isFinite(v) ? `${(Math.abs(v) < 0.05 ? 0 : v).toFixed(1)} ${unit}` : `— ${unit}`;
  return width > 0 ? text.padStart(width) : text;
}

export function formatMs(ms: number): string {
  return Number.isFinite(ms) && ms >= 0 ? `${(ms / 1000).toFixed(2)} s` : "—";
}

/**
 * The lifter's record as terminal text: one line per lifter for `rackcell history`, and the whole
 * record (kg and lb side by side) for `rackcell lifter show` and `history --athlete`.
 */
import { formatFixed } from "../../shared/protocol/wire-number.ts";
import { formatForce, fromNewtons, kgToLb } from "../../shared/units/force.ts";
import type { AthleteRecord } from "./athlete.ts";

const f1 = (x: number | null, unit: string): string => (x === null ? "—" : `${x.toFixed(1)} ${unit}`);

/** One line per lifter for `rackcell history`: body weight, best PR with its body-weight multiple, the ladder's last steps. */
export function formatRecordLine(r: AthleteRecord): string {
  const parts = [r.name.padEnd(12), r.bodyWeightKg === null ? "body weight —" : `${r.bodyWeightKg.toFixed(1)} kg`];
  const top = r.prs[0];
  if (top === undefined) parts.push("no PR yet");
  else {
    const what = top.type === "rackpull" ? `rack pull${top.pinHeightCm === null ? "" : ` @${top.pinHeightCm} cm`}` : top.type;
    const val = top.unit === "kg" ? `${top.value.toFixed(1)} kg` : `${top.value.toFixed(0)} N`;
    const mult = top.bodyWeightMultiple === null ? "" : ` (${top.bodyWeightMultiple.toFixed(2)} × BW)`;
    parts.push(`PR ${what} ${val}${mult} on ${top.day}`);
  }
  if (r.ladder.length > 0) parts.push(`ladder ${r.ladder.slice(-4).map((s) => s.topKg.toFixed(1)).join(" → ")} kg`);
  if (r.heavy.daysSince !== null) parts.push(`last heavy ${r.heavy.daysSince} d ago`);
  return parts.join("  ");
}

/** A bar for a terminal: the ladder's loads are close together, so the bar spans min..max, not 0..max. */
function ladderBar(kg: number, lo: number, hi: number, width = 20): string {
  const n = hi > lo ? Math.round(2 + ((kg - lo) / (hi - lo)) * (width - 2)) : width;
  return "█".repeat(n).padEnd(width);
}

/** A plain-text summary (kg and lb side by side). */
export function formatRecord(r: AthleteRecord): string {
  const lines: string[] = [];
  lines.push(`${r.name} — as of ${r.today}`);
  lines.push(
    `  body weight ${f1(r.bodyWeightKg, "kg")} (${f1(r.bodyWeightKg === null ? null : kgToLb(r.bodyWeightKg), "lb")}), ` +
      `best deadlift ${f1(r.deadliftBestKg, "kg")}`,
  );
  lines.push("  personal records:");
  if (r.prs.length === 0) lines.push("    none yet");
  for (const p of r.prs) {
    const what = p.type === "rackpull" ? `rack pull from ${p.pinHeightCm === null ? "unknown pin height" : `${p.pinHeightCm} cm`}` : p.type;
    const val =
      p.unit === "kg"
        ? `${p.value.toFixed(1)} kg / ${kgToLb(p.value).toFixed(1)} lb`
        : `${formatForce(p.value, "N", 0)} = ${formatFixed(fromNewtons(p.value, "kg"), 1)} kgf / ${formatForce(p.value, "lbf")}`;
    const mult = p.bodyWeightMultiple === null ? "" : `, ${p.bodyWeightMultiple.toFixed(2)} × body weight`;
    lines.push(`    ${what}: ${val}${mult} on ${p.day} (raised ${p.history.length}×)`);
  }
  const h = r.heavy;
  lines.push(`  last heavy session: ${h.lastHeavyDay === null ? "none" : `${h.lastHeavyDay}, ${h.daysSince} day(s) ago`}`);
  const recent = r.supra.weeks.slice(-4);
  if (recent.length > 0) {
    lines.push(`  supra-maximal singles per week (≥ ${Math.round(r.supra.supraFraction * 100)} % of best deadlift, budget ${r.supra.budget}):`);
    for (const w of recent) {
      const extra = w.unclassified > 0 ? ` (+${w.unclassified} not classed: no deadlift known)` : "";
      lines.push(`    ${w.week}: ${w.supraSingles}${w.overBudget ? "  ⚠ over budget" : ""}${extra}`);
    }
  }
  for (const w of r.supra.warnings) lines.push(`  WARNING: ${w}`);
  if (r.ladder.length > 0) {
    lines.push("  micro-loading ladder (top rack pull per session):");
    const shown = r.ladder.slice(-10);
    const lo = Math.min(...shown.map((s) => s.topKg));
    const hi = Math.max(...shown.map((s) => s.topKg));
    for (const s of shown) {
      const d = s.deltaKg === 0 ? "" : ` (${s.deltaKg > 0 ? "+" : ""}${s.deltaKg.toFixed(1)})`;
      lines.push(`    ${ladderBar(s.topKg, lo, hi)} ${s.day}: ${s.topKg.toFixed(1)} kg / ${kgToLb(s.topKg).toFixed(1)} lb${d}${s.isPr ? "  PR" : ""}`);
    }
  }
  return lines.join("\n");
}

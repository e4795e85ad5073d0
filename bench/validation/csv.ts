/** Force-time CSV of a validation curve: the emulator's CSV replay format. */
import type { Curve } from "./spec.ts";

/** `time_s,left_n,right_n` (pin load per pin, N; positive = bar pushes down). */
export function curveCsv(c: Curve): string {
  const lines: string[] = ["time_s,left_n,right_n"];
  for (let i = 0; i < c.timesMs.length; i++) {
    lines.push(`${(c.timesMs[i] / 1000).toFixed(3)},${c.leftN[i].toFixed(2)},${c.rightN[i].toFixed(2)}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Parses curveCsv output (header required). */
export function parseCurveCsv(text: string): { timesMs: number[]; leftN: number[]; rightN: number[] } {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  if (lines.length === 0 || !lines[0].startsWith("time_s")) throw new Error("curve CSV: missing header time_s,left_n,right_n");
  const timesMs: number[] = [];
  const leftN: number[] = [];
  const rightN: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i].split(",");
    if (f.length < 3) throw new Error(`curve CSV line ${i + 1}: expected 3 fields`);
    timesMs.push(Math.round(Number(f[0]) * 1e6) / 1e3);
    leftN.push(Number(f[1]));
    rightN.push(Number(f[2]));
  }
  return { timesMs, leftN, rightN };
}

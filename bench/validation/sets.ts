/**
 * The validation sets: deterministic mixes over the factors, cycled with co-prime strides so small
 * sets still cover every level.
 */
import type { CurveSpec, RiseVariant } from "./spec.ts";
import { G } from "./spec.ts";

/**
 * Plain isometric rises: rise time 150 ms..1 s, peak 1500..5000 N, noise, pre-tension
 * present/missing, asymmetry 0..20 %, exponential/sigmoid rise, flat/peaked plateau.
 */
export function isometricSet(count: number, seed = 1): CurveSpec[] {
  const rise = [150, 250, 400, 600, 1000];
  const peak = [1500, 2500, 3500, 5000];
  const noise = [1, 4, 10];
  const pre = [200, 0, 400];
  const asym = [0, 5, 12, 20];
  const shape: (1 | 2)[] = [1, 2];
  const fatigue = [8, 30];
  const out: CurveSpec[] = [];
  for (let i = 0; i < count; i++) {
    const p = peak[(i * 3) % peak.length];
    const bar = 20 + 10 * (i % 5); // 20..60 kg
    out.push({
      id: `iso${String(i).padStart(2, "0")}`,
      kind: "isometric",
      riseTo90Ms: rise[i % rise.length],
      shape: shape[Math.floor(i / 5) % 2],
      peakN: p,
      barKg: bar,
      pretensionN: pre[(i * 7) % pre.length],
      asymmetryPct: asym[(i * 3 + 1) % asym.length],
      noiseN: noise[(i * 2) % noise.length],
      fatigueS: fatigue[Math.floor(i / 10) % 2],
      seed: seed * 10007 + i,
    });
  }
  return out;
}

/** The shapes real isometric pulls have besides a plain rise, in the order sets cycle them. */
export const REAL_SHAPES: { name: string; shape: 1 | 2 | 3; variant: RiseVariant }[] = [
  { name: "slow_s", shape: 3, variant: "plain" },
  { name: "dip", shape: 1, variant: "dip" },
  { name: "early_plateau", shape: 1, variant: "early-plateau" },
  { name: "double_peak", shape: 1, variant: "double-peak" },
  { name: "early_release", shape: 1, variant: "early-release" },
];

/**
 * `perShape` isometric curves of each real shape: slow S-shaped starts (n = 3, rise 300..600 ms),
 * counter-movement dips, early plateaus, double peaks and early releases; the variants alternate
 * exponential and sigmoid rises, and every curve of a dip has pre-tension (a dip needs a level to
 * sag from).
 */
export function realShapeSet(perShape: number, seed = 1): CurveSpec[] {
  const rise = [150, 250, 400, 600, 1000];
  const slowRise = [300, 400, 500, 600];
  const peak = [1500, 2500, 3500, 5000];
  const noise = [1, 4, 10];
  const pre = [200, 0, 400];
  const asym = [0, 5, 12, 20];
  const out: CurveSpec[] = [];
  REAL_SHAPES.forEach((sh, k) => {
    for (let i = 0; i < perShape; i++) {
      const j = i + 3 * k; // shift the cycles per shape so the shapes do not share one factor mix
      const pretension = sh.variant === "dip" ? [200, 400][i % 2] : pre[(j * 7) % pre.length];
      out.push({
        id: `${sh.name}${String(i).padStart(2, "0")}`,
        kind: "isometric",
        riseTo90Ms: sh.shape === 3 ? slowRise[i % slowRise.length] : rise[j % rise.length],
        shape: sh.shape === 3 ? 3 : i % 2 === 0 ? 1 : 2,
        variant: sh.variant,
        peakN: peak[(j * 3) % peak.length],
        barKg: 20 + 10 * (j % 5),
        pretensionN: pretension,
        asymmetryPct: asym[(j * 3 + 1) % asym.length],
        noiseN: noise[(j * 2) % noise.length],
        fatigueS: [8, 30][Math.floor(i / 2) % 2],
        seed: seed * 30011 + 101 * k + i,
      });
    }
  });
  return out;
}

export function rackPullSet(count: number, seed = 1): CurveSpec[] {
  const bar = [180, 260, 340, 420, 480];
  const over = [1.05, 1.15, 1.3];
  const rise = [200, 400, 700, 1000];
  const noise = [1, 4, 10];
  const pre = [0, 0.05, 0.15];
  const asym = [0, 8, 15];
  const out: CurveSpec[] = [];
  for (let i = 0; i < count; i++) {
    const kg = bar[i % bar.length];
    const W = kg * G;
    out.push({
      id: `rp${String(i).padStart(2, "0")}`,
      kind: "rackpull",
      riseTo90Ms: rise[(i * 3) % rise.length],
      shape: i % 3 === 2 ? 2 : 1,
      peakN: W * over[(i * 2) % over.length],
      barKg: kg,
      pretensionN: W * pre[Math.floor(i / 2) % pre.length],
      asymmetryPct: asym[(i * 2 + 1) % asym.length],
      noiseN: noise[(i * 5) % noise.length],
      fatigueS: 30,
      seed: seed * 20011 + i,
    });
  }
  return out;
}

/** Plain isometric rises, `perShape` curves of every real shape, and rack pulls. */
export function curveSet(isoCount: number, rackCount: number, seed = 1, perShape = 0): CurveSpec[] {
  return [...isometricSet(isoCount, seed), ...realShapeSet(perShape, seed), ...rackPullSet(rackCount, seed)];
}

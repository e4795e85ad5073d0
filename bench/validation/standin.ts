/**
 * Stand-in pipeline: samples a 1 kHz curve the way an HX711 does and puts the result on the wire
 * as real sample frames (shared/protocol encodeSample), so the host side (openLine +
 * decodeSample + analysis) is exactly the one the real board feeds. Used as the default until the
 * emulated board + firmware run the curves, and kept afterwards as a cross-check.
 *
 * The chip model (per channel):
 *  1. conversion k ends at t_k = φ + k·T (T = 1000/rate ms, φ a seeded phase in [0, T)); its
 *     value is the MEAN of the input over [t_k − T, t_k] (sigma-delta integration, the 1 kHz
 *     record taken as piecewise linear);
 *  2. settling: the output word is the mean of the last 4 conversion means, so a step settles in
 *     4 output periods (50 ms at 80 SPS, 400 ms at 10 SPS, the datasheet figures);
 *  3. input-referred noise (HX711 datasheet: 90 nV rms at 80 SPS, 50 nV at 10 SPS, gain 128) and
 *     24-bit quantisation with the nominal sensitivity of the board's cell
 *     (rated output · 128 / (0.5 · AVDD) ratiometric: 2 mV/V → 2^23·0.256 counts at capacity).
 * The frame's force field is the tared, calibrated force with the nominal sensitivity (the wire
 * carries one decimal, so 0.05 N of rounding is included).
 *
 * Time base: the host places sample k at t_k − latency, latency = 2·T, the group delay of the
 * model above (conversion mean: T/2, 4-window mean: 1.5·T). That constant is what a lab removes
 * when it aligns two instruments; onset errors are reported after removing it.
 */
import { encodeSample } from "../../shared/protocol/frame.ts";
import { countsPerN, VALIDATION_CELL, type CellNominal } from "./cell.ts";
import type { Curve } from "./spec.ts";
import { gaussian, rng } from "./random.ts";
import type { WireRecord } from "./wire.ts";

export interface StandInOptions {
  rateSps: number;
  seed: number;
  cell?: CellNominal;
  /** settling windows (default 4) */
  settleWindows?: number;
  /** input-referred noise, V rms; default datasheet figure for the rate */
  noiseV?: number;
  /** AVDD = excitation (V), only for the noise in counts; default the cell's excitation */
  excitationV?: number;
}

/** Running integral of a piecewise-linear 1 kHz record, evaluated at any t (ms). */
function makeIntegral(timesMs: number[], v: number[]): (t: number) => number {
  const n = timesMs.length;
  const cum: number[] = [0];
  for (let i = 1; i < n; i++) cum.push(cum[i - 1] + ((v[i - 1] + v[i]) / 2) * (timesMs[i] - timesMs[i - 1]));
  const t0 = timesMs[0];
  const dt = n > 1 ? timesMs[1] - timesMs[0] : 1;
  return (t: number): number => {
    if (t <= t0) return (t - t0) * v[0];
    let i = Math.floor((t - t0) / dt);
    if (i >= n - 1) return cum[n - 1] + (t - timesMs[n - 1]) * v[n - 1];
    while (i > 0 && timesMs[i] > t) i--;
    while (i < n - 2 && timesMs[i + 1] <= t) i++;
    const d = t - timesMs[i];
    const slope = (v[i + 1] - v[i]) / (timesMs[i + 1] - timesMs[i]);
    return cum[i] + v[i] * d + (slope * d * d) / 2;
  };
}

/** Runs the stand-in chip on both pins of a curve and returns the wire lines. */
export function standInWire(curve: Curve, o: StandInOptions): WireRecord {
  const T = 1000 / o.rateSps;
  const cell = o.cell ?? VALIDATION_CELL;
  const k = countsPerN(cell);
  const settle = o.settleWindows ?? 4;
  const avdd = o.excitationV ?? cell.excitationV;
  const noiseV = o.noiseV ?? (o.rateSps > 40 ? 90e-9 : 50e-9);
  const noiseCounts = (noiseV / ((0.5 * avdd) / 128)) * 8388608;
  const r = rng(o.seed * 7 + 3);
  const phase = r() * T;
  const g = gaussian(r);
  const integ = [makeIntegral(curve.timesMs, curve.leftN), makeIntegral(curve.timesMs, curve.rightN)];
  const end = curve.timesMs[curve.timesMs.length - 1];
  const lines: string[] = [];
  const hist: number[][] = [[], []];
  // conversions start one settle span before the first frame so the filter is full
  let seq = 0;
  let first = -1;
  for (let kk = 0; ; kk++) {
    const tEnd = phase + kk * T;
    if (tEnd > end) break;
    const raws: number[] = [];
    const forces: number[] = [];
    for (let ch = 0; ch < 2; ch++) {
      const mean = (integ[ch](tEnd) - integ[ch](tEnd - T)) / T;
      const h = hist[ch];
      h.push(mean);
      if (h.length > settle) h.shift();
      let s = 0;
      for (const x of h) s += x;
      const y = s / h.length;
      const counts = Math.round(y * k + noiseCounts * g());
      raws.push(counts);
      forces.push(counts / k);
    }
    if (kk < settle - 1) continue;
    if (first < 0) first = tEnd;
    lines.push(encodeSample(seq, raws, [0, 0], forces));
    seq++;
  }
  return { rateSps: o.rateSps, lines, firstConversionEndMs: first, latencyMs: 2 * T, periodMs: T, pipeline: "stand-in" };
}

/**
 * Intermediate pipeline: the emulator's own HX711 + load-cell physics (host/emulator/board/physics,
 * run in Node: sinc⁴ filter, per-chip rate error and jitter, noise, spikes and bogus words, span
 * and zero tolerance, creep, warm-up) replaying the synced CSV (emulated.ts), each conversion read
 * as soon as it is ready, the two channels paired in order, the firmware's median-of-3
 * (shared/filters/median3.ts) applied to the counts, and the frames put on the wire. What it
 * leaves out is the firmware's scheduling (batches, bit-banged reads, pairing drops) — the
 * emulated board adds that. Calibration: a two-point least-squares line per channel (0 and
 * 3000 N) from chips of the same seed, like the firmware's tare + capture + fit.
 */
import { encodeSample } from "../../shared/protocol/frame.ts";
import { createMedian3, median3Step } from "../../shared/filters/median3.ts";
import { VALIDATION_CELL } from "./cell.ts";
import type { Curve } from "./spec.ts";
import { syncEdgesMs, syncedCsv } from "./sync.ts";
import type { WireRecord, WireSource } from "./wire.ts";

type Physics = typeof import("../../host/emulator/board/physics/index.ts");

function readAll(p: Physics, rate: 10 | 80, seed: number, ch: number, source: (tS: number) => number, endS: number): { tUs: number[]; counts: number[] } {
  const chip = p.createHx711Chip({ cell: VALIDATION_CELL, rateSps: rate, seed, channel: ch, source });
  const tUs: number[] = [];
  const counts: number[] = [];
  let t = 0;
  for (;;) {
    t = chip.nextReadyUs(t);
    if (!(t <= endS * 1e6)) break;
    counts.push(chip.readWord(t, 0));
    tUs.push(t);
    t += 1;
  }
  return { tUs, counts };
}

export async function physicsSource(): Promise<WireSource | null> {
  let p: Physics;
  try {
    p = await import("../../host/emulator/board/physics/index.ts");
  } catch {
    return null;
  }
  const calCache = new Map<string, { zero: number; k: number }[]>();
  const calibrate = (rate: 10 | 80, seed: number) => {
    const key = `${rate}:${seed}`;
    const hit = calCache.get(key);
    if (hit) return hit;
    const out: { zero: number; k: number }[] = [];
    for (let ch = 0; ch < 2; ch++) {
      const mean = (f: number) => {
        const r = readAll(p, rate, seed, ch, () => f, 3);
        const xs = r.counts.slice(Math.floor(r.counts.length / 3));
        const s = [...xs].sort((a, b) => a - b); // median: immune to a spike
        return s[Math.floor(s.length / 2)];
      };
      const c0 = mean(0);
      const c1 = mean(3000);
      out.push({ zero: c0, k: (c1 - c0) / 3000 });
    }
    calCache.set(key, out);
    return out;
  };
  return {
    name: "HX711 physics (emulator model in Node) + median-of-3",
    async wire(curve: Curve, rateSps: number, seed: number): Promise<WireRecord> {
      const rate = rateSps === 10 ? 10 : 80;
      const sc = p.scenarioFromCsv(syncedCsv(curve), 2);
      const endS = sc.durationS;
      const cal = calibrate(rate, seed);
      const chans = [0, 1].map((ch) => readAll(p, rate, seed, ch, (tS) => sc.forceN(ch, tS), endS));
      const n = Math.min(chans[0].counts.length, chans[1].counts.length);
      const med = [createMedian3(), createMedian3()];
      const lines: string[] = [];
      for (let i = 0; i < n; i++) {
        const raw = [chans[0].counts[i], chans[1].counts[i]];
        const f = raw.map((c, ch) => (median3Step(med[ch], c) - cal[ch].zero) / cal[ch].k);
        lines.push(encodeSample(i, raw, [0, 0], f));
      }
      return {
        rateSps,
        lines,
        firstConversionEndMs: NaN,
        latencyMs: 0,
        periodMs: 1000 / rate,
        pipeline: `physics ${rate} SPS`,
        align: { edgesMs: syncEdgesMs(curve), curveEndMs: curve.timesMs[curve.timesMs.length - 1] },
      };
    },
  };
}

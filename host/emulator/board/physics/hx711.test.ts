import { describe, expect, it } from "vitest";
import {
  bridgeMv, createHx711Chip, DEFAULT_ENVIRONMENT, IDEAL_ENVIRONMENT, idealCounts,
  type CellEnvironment, type CellSpec, type Hx711Chip,
} from "./index.ts";

const CELL: CellSpec = { capacityN: 4903.3, ratedOutputMvPerV: 2.0, excitationV: 4.3 };

function chipWith(source: (tS: number) => number, env: Partial<CellEnvironment> = IDEAL_ENVIRONMENT,
  rateSps: 10 | 80 = 80, seed = 1, channel = 0): Hx711Chip {
  return createHx711Chip({ cell: CELL, rateSps, seed, channel, source, env });
}

/** Reads n conversions at C speed, 1 µs after each DOUT falling edge: [values, times µs]. */
function readN(chip: Hx711Chip, n: number, mode: 0 | 1 | 2 = 0, from = 0): { v: number[]; t: number[] } {
  const v: number[] = [];
  const t: number[] = [];
  let now = from;
  for (let i = 0; i < n; i++) {
    now = chip.nextReadyUs(now);
    t.push(now);
    v.push(chip.readWord(now + 1, mode));
    now = now + 1;
  }
  return { v, t };
}

/** Bit-banged read like a Lua GPIO reader: 24 + extra pulses, each high `highUs`, low 1 µs. */
function bitBang(chip: Hx711Chip, t0: number, pulses: number, highUs = 1): { value: number; t: number } {
  let t = t0;
  let raw = 0;
  for (let i = 0; i < pulses; i++) {
    chip.clock(1, t);
    t += highUs;
    chip.clock(0, t);
    t += 1;
    if (i < 24) raw = raw * 2 + chip.dout(t);
  }
  return { value: raw >= 8388608 ? raw - 16777216 : raw, t };
}

function sd(xs: number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) * (b - m), 0) / (xs.length - 1));
}

describe("force → bridge → counts", () => {
  it("bridge output is F/capacity × mV/V × excitation, negative for negative force", () => {
    expect(bridgeMv(CELL, 1000, 0)).toBeCloseTo((1000 / 4903.3) * 2.0 * 4.3, 12);
    expect(bridgeMv(CELL, -1000, 0)).toBeCloseTo(-(1000 / 4903.3) * 2.0 * 4.3, 12);
    // Nonlinearity: zero at 0 and capacity, largest (0.02 % FS) at half capacity.
    expect(bridgeMv(CELL, 4903.3, 0.0002)).toBeCloseTo(8.6, 12);
    expect(bridgeMv(CELL, 4903.3 / 2, 0.0002) - 4.3).toBeCloseTo(0.0002 * 8.6, 12);
  });

  it("counts for a steady force match V·gain/(0.5·AVDD)·2^23 at gains 128 and 64, and B32 when wired to B", () => {
    for (const f of [0, 1000, -1000, 4903.3, 123.4]) {
      const expectA128 = Math.floor((f / 4903.3) * 0.002 * 4.3 * 128 / (0.5 * 4.3) * 8388608 + 0.5);
      expect(idealCounts(CELL, f, 0)).toBe(expectA128);
      const a = readN(chipWith(() => f), 8, 0).v;
      expect(a[7]).toBe(expectA128);
      // Mode 2 (A64): after the switch and four settling periods.
      const c = chipWith(() => f);
      const b = readN(c, 10, 2).v;
      expect(b[9]).toBe(idealCounts(CELL, f, 2));
      expect(Math.abs(b[9] - expectA128 / 2)).toBeLessThanOrEqual(1);
      const cb = chipWith(() => f, { ...IDEAL_ENVIRONMENT, wiredTo: "B" });
      readN(cb, 1, 1);
      const bb = readN(cb, 9, 1).v;
      expect(bb[8]).toBe(idealCounts(CELL, f, 1));
    }
    expect(idealCounts(CELL, 1000, 0)).toBe(875934);
  });

  it("the unwired channel B reads only offset and noise", () => {
    const c = chipWith(() => 2000);
    readN(c, 1, 1);
    expect(readN(c, 8, 1).v[7]).toBe(0);
  });

  it("saturates at exactly 8388607 / −8388608", () => {
    // Force whose ideal count is exactly 2^23 − 1: one LSB below the clip.
    const perN = (0.002 * 128 * 16777216) / 4903.3;
    const fTop = 8388607 / perN;
    expect(readN(chipWith(() => fTop), 6).v[5]).toBe(8388607);
    expect(readN(chipWith(() => fTop * 1.001), 6).v[5]).toBe(8388607);
    expect(readN(chipWith(() => 1e6), 6).v[5]).toBe(8388607);
    expect(readN(chipWith(() => -fTop * 1.001), 6).v[5]).toBe(-8388608);
    expect(readN(chipWith(() => -1e6), 6).v[5]).toBe(-8388608);
    // Just inside: not clipped.
    expect(readN(chipWith(() => fTop * 0.999), 6).v[5]).toBeLessThan(8388607);
    // Gain 128 full scale is ±0.5·AVDD/128 = ±16.8 mV: 1.953× capacity for a 2 mV/V cell.
    expect(fTop / 4903.3).toBeCloseTo(1.953125, 5);
  });
});

describe("conversion window and digital filter", () => {
  it("a 1 kHz sine averages out (fine sub-steps), a 200 Hz one too at the default 1 ms sub-step", () => {
    const amp = 2000;
    const counts = idealCounts(CELL, amp, 0);
    for (const rate of [10, 80] as const) {
      const c = chipWith((t) => amp * Math.sin(2 * Math.PI * 1000 * t + 0.3), { ...IDEAL_ENVIRONMENT, subStepUs: 20 }, rate);
      const v = readN(c, 12).v.slice(4);
      for (const x of v) expect(Math.abs(x)).toBeLessThan(counts * 1e-3);
      const c2 = chipWith((t) => amp * Math.sin(2 * Math.PI * 200 * t + 0.3), IDEAL_ENVIRONMENT, rate);
      for (const x of readN(c2, 12).v.slice(4)) expect(Math.abs(x)).toBeLessThan(counts * 3e-3);
    }
    // A point sampler would see the full amplitude; the window average of a DC + sine keeps the DC.
    const c3 = chipWith((t) => 1000 + amp * Math.sin(2 * Math.PI * 200 * t), IDEAL_ENVIRONMENT);
    for (const x of readN(c3, 12).v.slice(4)) expect(Math.abs(x - idealCounts(CELL, 1000, 0))).toBeLessThan(counts * 3e-3);
  });

  it("a short 5 ms pulse is averaged, not point-sampled", () => {
    const c = chipWith((t) => (t >= 1.0 && t < 1.005 ? 3000 : 0));
    const v = readN(c, 100).v;
    const peak = Math.max(...v);
    expect(peak).toBeLessThan(idealCounts(CELL, 3000, 0) * 0.3);
    expect(peak).toBeGreaterThan(0);
  });

  for (const rate of [80, 10] as const) {
    it(`a step settles in four periods at ${rate} SPS (${rate === 80 ? 50 : 400} ms)`, () => {
      const period = 1e6 / rate;
      const stepS = 2 + 0.37 * period / 1e6; // inside a window
      const final = idealCounts(CELL, 1500, 0);
      const c = chipWith((t) => (t >= stepS ? 1500 : 0), IDEAL_ENVIRONMENT, rate);
      const { v, t } = readN(c, Math.ceil(3 * rate));
      const firstMoved = v.findIndex((x) => x !== 0);
      const T = period / 1e6;
      // The first output that sees the step ends the window containing it.
      expect(t[firstMoved] / 1e6).toBeGreaterThan(stepS);
      expect(t[firstMoved] / 1e6 - stepS).toBeLessThan(T);
      for (let i = firstMoved; i < v.length; i++) {
        const after = t[i] / 1e6 - stepS;
        // Sinc⁴: the response reaches 1 − 1/24 at 3 periods and the final value at 4 periods.
        if (after < 3 * T) expect(v[i]).toBeLessThan(final * (1 - 1 / 24) + 1);
        if (after >= 4 * T) expect(Math.abs(v[i] - final)).toBeLessThanOrEqual(1);
        if (after > 3.5 * T) expect(Math.abs(v[i] - final)).toBeLessThan(final * 0.003);
      }
      // Settling time: 4 periods = 50 ms at 80 SPS, 400 ms at 10 SPS (HX711 datasheet).
      expect(4 * T).toBeCloseTo(rate === 80 ? 0.05 : 0.4, 9);
      const settled = v.findIndex((x, i) => i >= firstMoved && Math.abs(x - final) <= 1);
      // Monotonic S-shaped rise until then.
      for (let i = firstMoved; i < settled; i++) expect(v[i + 1]).toBeGreaterThan(v[i]);
    });
  }

  it("after power-on the first three outputs are unsettled, the fourth settled", () => {
    const v = readN(chipWith(() => 1000), 6).v;
    const final = idealCounts(CELL, 1000, 0);
    expect(v[0]).toBeLessThan(final * 0.1);
    expect(v[1]).toBeLessThan(final * 0.9);
    expect(v[2]).toBeLessThan(final);
    expect(v[3]).toBe(final);
  });
});

describe("noise, rate, spikes", () => {
  it("noise: 50 nV rms at 10 SPS and 90 nV at 80 SPS (HX711 datasheet), i.e. 25 and 45 counts at gain 128", () => {
    const nv = { ...IDEAL_ENVIRONMENT, noiseV10: 50e-9, noiseV80: 90e-9 };
    const s10 = sd(readN(chipWith(() => 500, nv, 10, 3), 4000).v.slice(4));
    const s80 = sd(readN(chipWith(() => 500, nv, 80, 3), 4000).v.slice(4));
    const lsb = (0.5 * 4.3) / 128 / 8388608; // V per count
    expect(s10 * lsb).toBeGreaterThan(50e-9 * 0.93);
    expect(s10 * lsb).toBeLessThan(50e-9 * 1.07);
    expect(s80 * lsb).toBeGreaterThan(90e-9 * 0.93);
    expect(s80 * lsb).toBeLessThan(90e-9 * 1.07);
    expect(s80 / s10).toBeGreaterThan(1.6);
    // The default environment is noisier at 80 SPS too (short run: drift negligible).
    const d10 = readN(chipWith(() => 500, DEFAULT_ENVIRONMENT, 10, 4), 600).v.slice(10);
    const d80 = readN(chipWith(() => 500, DEFAULT_ENVIRONMENT, 80, 4), 600).v.slice(10);
    const diffSd = (xs: number[]) => sd(xs.slice(1).map((x, i) => x - xs[i])) / Math.SQRT2; // robust to drift
    expect(diffSd(d80)).toBeGreaterThan(diffSd(d10) * 1.4);
  });

  it("rate: within ±1 % per chip, fixed per seed, jitter small", () => {
    const rates: number[] = [];
    for (let seed = 1; seed <= 40; seed++) {
      const c = chipWith(() => 0, DEFAULT_ENVIRONMENT, 80, seed);
      const { t } = readN(c, 401);
      const measured = 400 / ((t[400] - t[0]) / 1e6);
      expect(measured).toBeGreaterThan(80 * 0.99);
      expect(measured).toBeLessThan(80 * 1.01);
      expect(Math.abs(measured - c.info().rateSps)).toBeLessThan(0.02);
      const periods = t.slice(1).map((x, i) => x - t[i]);
      const p = c.info().periodUs;
      for (const q of periods) expect(Math.abs(q / p - 1)).toBeLessThanOrEqual(0.003 + 1e-12);
      rates.push(measured);
    }
    expect(Math.max(...rates) - Math.min(...rates)).toBeGreaterThan(0.5); // chips differ
    const again = chipWith(() => 0, DEFAULT_ENVIRONMENT, 80, 7).info().rateSps;
    expect(chipWith(() => 0, DEFAULT_ENVIRONMENT, 80, 7).info().rateSps).toBe(again);
    expect(chipWith(() => 0, { ...IDEAL_ENVIRONMENT, rateScale: 1.15 }, 80).info().rateSps).toBeCloseTo(92, 6);
    expect(chipWith(() => 0, IDEAL_ENVIRONMENT, 10).info().periodUs).toBe(100000);
  });

  it("spikes and bogus 2^n − 1 reads happen about 1 in 5000", () => {
    const env = { ...IDEAL_ENVIRONMENT, spikeProb: 1 / 5000, bogusProb: 1 / 5000, subStepUs: 20000 };
    const base = idealCounts(CELL, 800, 0);
    const c = chipWith(() => 800, env, 80, 9);
    const { v } = readN(c, 200000);
    let spikes = 0;
    let bogus = 0;
    for (const x of v.slice(4)) {
      if (x === base) continue;
      let isBogus = x === -1;
      for (let n = 16; n <= 23; n++) if (x === 2 ** n - 1) isBogus = true;
      if (isBogus) bogus++;
      else {
        expect(Math.abs(x - base)).toBeGreaterThanOrEqual(1024 - 1);
        expect(Math.abs(x - base)).toBeLessThanOrEqual(131072 + 1);
        spikes++;
      }
    }
    // Expected 40 each; Poisson 99.9 % range ≈ 21…62.
    expect(spikes).toBeGreaterThan(20);
    expect(spikes).toBeLessThan(63);
    expect(bogus).toBeGreaterThan(20);
    expect(bogus).toBeLessThan(63);
  });
});

describe("faults", () => {
  it("disconnect: the floating input wanders and pins at a rail; reconnect returns to the force", () => {
    const c = chipWith(() => 500, { ...IDEAL_ENVIRONMENT, noiseV80: 90e-9 }, 80, 5);
    readN(c, 80);
    c.setFault("disconnect");
    const { v, t } = readN(c, 80 * 60, 0, 1e6 + 1);
    const rails = v.filter((x) => x === 8388607 || x === -8388608).length;
    expect(rails).toBeGreaterThan(v.length * 0.1);
    expect(new Set(v).size).toBeGreaterThan(v.length * 0.3);
    c.setFault("none");
    const after = readN(c, 8, 0, t[t.length - 1] + 1).v;
    expect(Math.abs(after[7] - idealCounts(CELL, 500, 0))).toBeLessThan(500);
  });

  it("stuck: DOUT never falls, nextReadyUs is Infinity, reads give −1; 'none' restarts the chip", () => {
    const c = chipWith(() => 500);
    readN(c, 10);
    const before = c.counters().conversions;
    c.setFault("stuck");
    expect(c.nextReadyUs(200000)).toBe(Infinity);
    for (let t = 200000; t < 3e6; t += 7919) expect(c.dout(t)).toBe(1);
    expect(c.readWord(3e6, 0)).toBe(-1);
    expect(c.counters().conversions).toBe(before);
    expect(c.counters().timingViolations).toBe(1);
    c.setFault("none");
    const v = readN(c, 5, 0, 3e6).v;
    expect(v[0]).toBeLessThan(v[3]); // restarted: unsettled first
    expect(v[3]).toBe(idealCounts(CELL, 500, 0));
  });
});

describe("readout protocol", () => {
  it("bit-banged 25 pulses give the same words as readWord (same seed)", () => {
    const env = { ...DEFAULT_ENVIRONMENT, bogusProb: 0 };
    const a = chipWith((t) => 1000 * Math.sin(t), env, 80, 21);
    const b = chipWith((t) => 1000 * Math.sin(t), env, 80, 21);
    const viaWord = readN(a, 50).v;
    const viaBits: number[] = [];
    let t = 0;
    for (let i = 0; i < 50; i++) {
      t = b.nextReadyUs(t);
      const r = bitBang(b, t + 1, 25);
      viaBits.push(r.value);
      t = r.t;
    }
    expect(viaBits).toEqual(viaWord);
    expect(b.counters().timingViolations).toBe(0);
  });

  it("25/26/27 pulses select A128 / B32 / A64 for the next conversion", () => {
    const f = 1200;
    for (const [pulses, mode] of [[25, 0], [26, 1], [27, 2]] as const) {
      const c = chipWith(() => f, { ...IDEAL_ENVIRONMENT, wiredTo: "A" });
      let t = 0;
      let last = 0;
      for (let i = 0; i < 10; i++) {
        t = c.nextReadyUs(t);
        const r = bitBang(c, t + 1, pulses);
        last = r.value;
        t = r.t;
      }
      expect(c.info().mode).toBe(mode);
      expect(last).toBe(idealCounts(CELL, mode === 1 ? 0 : f, mode));
      expect(c.counters().timingViolations).toBe(0);
    }
  });

  it("PD_SCK high > 60 µs powers down (DOUT high), back low resets; 50 µs and 60 µs do not", () => {
    const c = chipWith(() => 700);
    readN(c, 8);
    let t = c.nextReadyUs(120000);
    // 50 µs and exactly 60 µs high while idle: no power-down.
    c.clock(1, t + 1);
    c.clock(0, t + 51);
    c.clock(1, t + 60);
    c.clock(0, t + 120);
    expect(c.counters().powerDowns).toBe(0);
    expect(c.dout(t + 121)).toBe(0); // the conversion is still there to read
    // 61 µs: power-down.
    c.clock(1, t + 200);
    expect(c.dout(t + 259)).toBe(0);
    expect(c.dout(t + 261)).toBe(1);
    expect(c.nextReadyUs(t + 300)).toBe(Infinity);
    c.clock(0, t + 5000);
    expect(c.counters().powerDowns).toBe(1);
    expect(c.info().mode).toBe(0);
    // After the reset: first conversion one period later, unsettled; the fourth settled.
    const { v, t: times } = readN(c, 5, 0, t + 5000);
    expect(times[0] - (t + 5000)).toBeCloseTo(12500, 6);
    expect(v[0]).toBeLessThan(idealCounts(CELL, 700, 0) * 0.1);
    expect(v[3]).toBe(idealCounts(CELL, 700, 0));
    // A long high during a read counts as a timing violation (T3 max 50 µs) without power-down.
    t = c.nextReadyUs(times[4] + 1);
    bitBang(c, t + 1, 25, 55);
    expect(c.counters().timingViolations).toBeGreaterThan(0);
    expect(c.counters().powerDowns).toBe(1);
  });

  it("a read held high past 60 µs mid-word powers down: the rest reads as ones", () => {
    const c = chipWith(() => 100);
    readN(c, 8);
    const t = c.nextReadyUs(200000);
    let raw = 0;
    let now = t + 1;
    for (let i = 0; i < 24; i++) {
      c.clock(1, now);
      now += i === 10 ? 100 : 1;
      raw = raw * 2 + c.dout(now);
      c.clock(0, now);
      now += 1;
    }
    expect(c.counters().powerDowns).toBe(1);
    // Bits after the stall are all ones (2^13 − 1 in the low bits).
    expect(raw % 8192).toBe(8191);
  });

  it("an unread conversion is overwritten and counted", () => {
    const c = chipWith(() => 100);
    let t = 0;
    for (let i = 0; i < 100; i++) {
      t = c.nextReadyUs(t);
      if (i % 2 === 0) c.readWord(t + 1, 0);
      t += 1;
    }
    // Odd conversions stay unread until the next one completes → 49 or 50 overwritten.
    expect(c.counters().unread).toBeGreaterThanOrEqual(49);
    expect(c.counters().unread).toBeLessThanOrEqual(50);
    expect(c.counters().conversions).toBeGreaterThanOrEqual(99);
    // readWord with nothing ready returns −1 and counts a violation.
    const c2 = chipWith(() => 100);
    expect(c2.readWord(10, 0)).toBe(-1);
    expect(c2.counters().timingViolations).toBe(1);
  });

  it("a conversion completing during a slow bit-banged read is a timing violation", () => {
    const c = chipWith(() => 100);
    readN(c, 8);
    const t = c.nextReadyUs(200000);
    bitBang(c, t + 1, 25, 1000); // 1 ms per bit: the read takes 25 ms > one 12.5 ms period
    expect(c.counters().timingViolations).toBeGreaterThan(0);
  });
});

describe("determinism", () => {
  it("same seed and channel → identical sequence; another seed or channel → different", () => {
    const src = (t: number) => 900 + 300 * Math.sin(3 * t);
    const a = readN(chipWith(src, DEFAULT_ENVIRONMENT, 80, 42, 0), 500).v;
    const b = readN(chipWith(src, DEFAULT_ENVIRONMENT, 80, 42, 0), 500).v;
    const c = readN(chipWith(src, DEFAULT_ENVIRONMENT, 80, 43, 0), 500).v;
    const d = readN(chipWith(src, DEFAULT_ENVIRONMENT, 80, 42, 1), 500).v;
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).not.toEqual(d);
  });

  it("polling DOUT does not change the values (randomness is per conversion, not per call)", () => {
    const env = DEFAULT_ENVIRONMENT;
    const a = readN(chipWith(() => 300, env, 80, 8), 200).v;
    const c = chipWith(() => 300, env, 80, 8);
    const b: number[] = [];
    let t = 0;
    while (b.length < 200) {
      t += 97;
      if (c.dout(t) === 0) b.push(c.readWord(t, 0));
    }
    expect(b.slice(0, 150)).toEqual(a.slice(0, 150));
  });
});

describe("drift and creep (default environment)", () => {
  it("zero drifts by warm-up over minutes; creep under capacity is about 0.02 % after 30 min", () => {
    const env = { ...DEFAULT_ENVIRONMENT, noiseV10: 0, spikeProb: 0, bogusProb: 0, ambientWalkKPerSqrtH: 0, subStepUs: 100000 };
    const c = chipWith(() => 0, env, 10, 12);
    const v = readN(c, 10 * 1800).v;
    const drift = Math.abs(v[v.length - 1] - v[10 * 10]);
    expect(drift).toBeGreaterThan(0);
    expect(drift).toBeLessThan(0.0002 * 4294967); // < 0.02 % FS
    const creepEnv = { ...env, warmUpK: 0 };
    const cc = chipWith(() => 4903.3, creepEnv, 10, 12);
    const w = readN(cc, 10 * 1800).v;
    const rel = (w[w.length - 1] - w[10]) / 4294967;
    expect(rel).toBeGreaterThan(0.0002 * 0.9);
    expect(rel).toBeLessThan(0.0002 * 1.0);
  });
});

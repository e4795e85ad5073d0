/**
 * A deliberately simple HX711 + scenario used ONLY while the real physics
 * (host/emulator/board/physics/, another developer's work) is not in the build: conversions at
 * the data rate, DOUT low while a conversion is unread, 24 + n pulses per read, power-down after
 * 60 µs of clock high, linear counts from the force. chips.ts prefers the physics when present.
 */
export interface StubChipOpts {
  cell: { capacityN: number; ratedOutputMvPerV: number; excitationV: number };
  rateSps: number;
  seed: number;
  channel: number;
  source: (this: void, tS: number) => number;
}

export function createStubChip(o: StubChipOpts) {
  const period = 1_000_000 / o.rateSps;
  const phase = ((o.seed * 7919 + o.channel * 104729) % 1000) / 1000 * period;
  let readSeq = -1; // index of the last conversion whose data was shifted out
  let pulses = 0;
  let clkHigh = false;
  let clkHighAt = 0;
  let poweredDownUntil = -1; // settling after wake-up
  let fault = "none";
  const c = { conversions: 0, unread: 0, timingViolations: 0, powerDowns: 0 };
  const countsPerN = (o.cell.ratedOutputMvPerV * 1e-3 * 128 / 0.5) * 8388608 / o.cell.capacityN;
  const convIndex = (t: number) => Math.floor((t - phase) / period);
  const ready = (t: number) => fault === "none" && t >= poweredDownUntil && convIndex(t) > readSeq && !clkHigh;
  let shifting = false;
  let word = 0;
  const value = (t: number) => {
    const v = Math.max(-8388608, Math.min(8388607, Math.floor(o.source(t / 1e6) * countsPerN + 0.5)));
    return v < 0 ? v + 16777216 : v;
  };
  const chip = {
    dout: (t: number): 0 | 1 => {
      if (fault === "stuck") return 0;
      if (shifting && pulses > 0) return (Math.floor(word / 2 ** (24 - pulses)) % 2) as 0 | 1;
      return ready(t) ? 0 : 1;
    },
    nextReadyUs: (t: number): number => {
      if (fault !== "none") return math.huge;
      let k = Math.max(convIndex(t) + 1, readSeq + 1);
      let tk = phase + k * period;
      while (tk < poweredDownUntil) { k += 1; tk = phase + k * period; }
      return tk;
    },
    clock: (level: 0 | 1, t: number): void => {
      if (level === 1 && !clkHigh) {
        clkHigh = true;
        clkHighAt = t;
        if (!shifting && pulses === 0 && fault === "none" && t >= poweredDownUntil && convIndex(t) > readSeq) {
          shifting = true;
          word = value(t);
        }
        if (shifting) {
          pulses += 1;
          if (pulses === 24) { readSeq = convIndex(t); c.conversions += 1; }
        }
      } else if (level === 0 && clkHigh) {
        clkHigh = false;
        if (t - clkHighAt > 60) {
          c.powerDowns += 1;
          shifting = false;
          pulses = 0;
          poweredDownUntil = t + 4 * period;
          return;
        }
        if (shifting && pulses >= 24) { shifting = false; pulses = 0; }
      }
    },
    readWord: (t: number, _mode: number): number => {
      readSeq = convIndex(t);
      c.conversions += 1;
      const v = value(t);
      return v >= 8388608 ? v - 16777216 : v;
    },
    setFault: (kind: string): void => { fault = kind; },
    counters: () => ({ conversions: c.conversions, unread: c.unread, timingViolations: c.timingViolations, powerDowns: c.powerDowns }),
  };
  return chip;
}

export function stubScenario(spec: string, channels: number) {
  // "empty" = no load; "static:<N>" = constant force per channel.
  const [kind, arg] = [string.match(spec, "^([%w_-]+)")[0] ?? "empty", tonumber(string.match(spec, ":([%d%.%-]+)")[0] ?? "0") ?? 0];
  return {
    name: kind,
    durationS: math.huge,
    channels,
    forceN: (_ch: number, _tS: number) => (kind === "static" ? arg : 0),
    truth: {},
  };
}

/**
 * The HX711 chips wired to the board's pins and the scenario that pushes on the cells, from the
 * physics module (./physics/, transpiled next to this file).
 */
import { createHx711Chip, scenarioByName, scenarioFromCsv } from "./physics/index.ts";

export interface Cell { capacityN: number; ratedOutputMvPerV: number; excitationV: number }
export interface Channel { name: string; clkPin: number; dataPin: number; hx711Mode: number; reader: string; cell: Cell }
export interface ChipCounters { conversions: number; unread: number; timingViolations: number; powerDowns: number }
/** What the board uses of a chip (the physics' Hx711Chip is @noSelf, like this). */
export interface Hx711Chip {
  dout(this: void, tUs: number): 0 | 1;
  nextReadyUs(this: void, tUs: number): number;
  clock(this: void, level: 0 | 1, tUs: number): void;
  readWord(this: void, tUs: number, mode: 0 | 1 | 2): number;
  setFault(this: void, kind: "none" | "disconnect" | "stuck"): void;
  counters(this: void): ChipCounters;
}
export interface Scenario { name: string; durationS: number; channels: number; forceN(this: void, channel: number, tS: number): number }

export const CH = {
  chips: [] as Hx711Chip[],
  channels: [] as Channel[],
  scenario: undefined as Scenario | undefined,
  /** Virtual µs where scenario time 0 is. */
  scenarioStartUs: 0,
  /** KB the scenario in place kept when it was loaded (what the heap figures count as not the firmware's). */
  scenarioKb: 0,
  physics: "physics",
  faults: [] as string[],
};

export function loadScenario(spec: string, seed: number): Scenario {
  const n = CH.channels.length;
  const isCsv = string.match(spec, "%.csv$")[0] !== undefined;
  if (isCsv) {
    const [f] = io.open(spec, "rb");
    if (f === undefined) return error(`emu: cannot read scenario file ${spec}`, 0);
    const text = f.read("*a") as string;
    f.close();
    return scenarioFromCsv(text, n) as Scenario;
  }
  return scenarioByName(spec, n, seed) as Scenario;
}

export function setupChips(emuDir: string, channels: Channel[], rateSps: number, seed: number, spec: string, nowUs: number): void {
  void emuDir;
  CH.channels = channels;
  collectgarbage("collect");
  const k0 = collectgarbage("count");
  CH.scenario = loadScenario(spec, seed);
  collectgarbage("collect");
  CH.scenarioKb = collectgarbage("count") - k0;
  CH.scenarioStartUs = nowUs;
  CH.chips = [];
  CH.faults = [];
  for (let i = 0; i < channels.length; i++) {
    const ch = channels[i];
    // A copy per channel: TSTL's for-loop shares one `i` among the closures made in it.
    const channel = i;
    const source = (tS: number): number => {
      const sc = CH.scenario;
      if (sc === undefined) return 0;
      return sc.forceN(channel, tS - CH.scenarioStartUs / 1e6);
    };
    const chip = createHx711Chip({ cell: ch.cell, rateSps: rateSps as 10 | 80, seed: seed * 1000 + channel, channel, source }) as unknown as Hx711Chip;
    CH.chips.push(chip);
    CH.faults.push("none");
  }
}

/** Lets go of the scenario in place (before the next is loaded: see board.ts, op "scenario"). */
export function dropScenario(): void {
  CH.scenario = undefined;
}

export function setScenario(spec: string, seed: number, nowUs: number): void {
  CH.scenario = loadScenario(spec, seed);
  CH.scenarioStartUs = nowUs;
}

export function setChipFault(channel: number, kind: "none" | "disconnect" | "stuck"): void {
  const chip = CH.chips[channel];
  if (chip === undefined) return error(`emu: no channel ${channel}`, 0);
  chip.setFault(kind);
  CH.faults[channel] = kind;
}

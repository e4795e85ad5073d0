/**
 * The HX711 chips wired to the board's pins and the scenario that pushes on the cells. The
 * load-cell physics and scenarios live in ./physics/ (another developer's module, transpiled
 * next to this file as emu_physics_*.lua); they are found at run time by their exported names,
 * and until they exist a simple stand-in (chip-stub.ts) keeps the board usable.
 */
import { createStubChip, stubScenario } from "./chip-stub.ts";

export interface Cell { capacityN: number; ratedOutputMvPerV: number; excitationV: number }
export interface Channel { name: string; clkPin: number; dataPin: number; hx711Mode: number; reader: string; cell: Cell }
export interface ChipCounters { conversions: number; unread: number; timingViolations: number; powerDowns: number }
export interface Hx711Chip {
  dout(this: void, tUs: number): 0 | 1;
  nextReadyUs(this: void, tUs: number): number;
  clock(this: void, level: 0 | 1, tUs: number): void;
  readWord(this: void, tUs: number, mode: 0 | 1 | 2): number;
  setFault(this: void, kind: "none" | "disconnect" | "stuck"): void;
  counters(this: void): ChipCounters;
}
export interface Scenario { name: string; durationS: number; channels: number; forceN(this: void, channel: number, tS: number): number }

type ChipFactory = (this: void, o: { cell: Cell; rateSps: number; seed: number; channel: number; source: (this: void, tS: number) => number }) => Hx711Chip;
interface Physics {
  createHx711Chip?: ChipFactory;
  scenarioByName?: (this: void, spec: string, channels: number, seed: number) => Scenario;
  scenarioFromCsv?: (this: void, text: string) => Scenario;
}

export const CH = {
  chips: [] as Hx711Chip[],
  channels: [] as Channel[],
  scenario: undefined as Scenario | undefined,
  /** Virtual µs where scenario time 0 is. */
  scenarioStartUs: 0,
  physics: "stub",
  faults: [] as string[],
};

let physics: Physics | undefined;

function findPhysics(emuDir: string): Physics {
  const found: Physics = {};
  const [p] = io.popen(`ls -1 '${emuDir}' 2>/dev/null`);
  if (p === undefined) return found;
  const mods: string[] = [];
  for (const [f] of p.lines()) {
    const m = string.match(f, "^(emu_physics_[%w_]+)%.lua$")[0];
    if (m !== undefined && string.find(m, "test", 1, true)[0] === undefined) mods.push(m);
  }
  p.close();
  for (const m of mods) {
    const [ok, mod] = pcall(require, m);
    if (ok && type(mod) === "table") {
      const t = mod as Physics;
      if (t.createHx711Chip !== undefined) found.createHx711Chip = t.createHx711Chip;
      if (t.scenarioByName !== undefined) found.scenarioByName = t.scenarioByName;
      if (t.scenarioFromCsv !== undefined) found.scenarioFromCsv = t.scenarioFromCsv;
    }
  }
  return found;
}

export function loadScenario(spec: string, seed: number): Scenario {
  const n = CH.channels.length;
  const isCsv = string.match(spec, "%.csv$")[0] !== undefined;
  if (isCsv) {
    const [f] = io.open(spec, "rb");
    if (f === undefined) return error(`emu: cannot read scenario file ${spec}`, 0);
    const text = f.read("*a") as string;
    f.close();
    if (physics?.scenarioFromCsv !== undefined) return physics.scenarioFromCsv(text);
    return stubScenario("empty", n) as Scenario;
  }
  if (physics?.scenarioByName !== undefined) return physics.scenarioByName(spec, n, seed);
  return stubScenario(spec, n) as Scenario;
}

export function setupChips(emuDir: string, channels: Channel[], rateSps: number, seed: number, spec: string, nowUs: number): void {
  physics = findPhysics(emuDir);
  CH.physics = physics.createHx711Chip !== undefined ? "physics" : "stub";
  CH.channels = channels;
  CH.scenario = loadScenario(spec, seed);
  CH.scenarioStartUs = nowUs;
  CH.chips = [];
  CH.faults = [];
  for (let i = 0; i < channels.length; i++) {
    const ch = channels[i];
    const source = (tS: number): number => {
      const sc = CH.scenario;
      if (sc === undefined) return 0;
      return sc.forceN(i, tS - CH.scenarioStartUs / 1e6);
    };
    const opts = { cell: ch.cell, rateSps, seed: seed * 1000 + i, channel: i, source };
    const chip = physics.createHx711Chip !== undefined ? physics.createHx711Chip(opts) : (createStubChip(opts) as unknown as Hx711Chip);
    CH.chips.push(chip);
    CH.faults.push("none");
  }
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

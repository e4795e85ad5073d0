/**
 * The guided verification against a board: loads are placed (injectable `place`, as in
 * calibration), the indication is read from the sample stream (the total of the pins' forces as
 * the board sends them: the instrument's own indication) and the readings go to verifyScale
 * (certificate.ts).
 */
import type { BoardDefinition } from "../build/boards.ts";
import { fmt, type PlateSpec } from "../calibrate/plates.ts";
import { STANDARD_GRAVITY_MPS2 } from "../../shared/units/force.ts";
import type { CommandLink, PlaceFn, Placement } from "../calibrate/run.ts";
import { verifyScale, type Certificate, type Stage, type VerifyData } from "./certificate.ts";

export interface FrameLike { channels: number; forceN: ArrayLike<number>; totalN: number; wireForceN?: ArrayLike<number> }

/** The instrument's indication: the board's own force per pin as sent (what its display would show), else the host's. */
export function indicationN(f: FrameLike): number {
  if (f.wireForceN) {
    let t = 0;
    for (let c = 0; c < f.channels; c++) {
      const v = f.wireForceN[c];
      if (!Number.isFinite(v)) return f.totalN;
      t += v;
    }
    return t;
  }
  return f.totalN;
}
export interface FrameSource { onFrame(cb: (f: FrameLike) => void): void }

export interface VerifyPlan {
  intervalKg: number;
  /** Max (kg); default: all cells together */
  capacityKg?: number;
  stage: Stage;
  plates: PlateSpec;
  /** weighing test loads, kg, on both pins */
  loads: number[];
  repeatKg?: number;
  repeats?: number;
  eccentricityKg?: number;
  creep?: { kg: number; minutes: number; everyMinutes?: number };
  /** tare before the tests */
  tare?: boolean;
}

export interface VerifyRunOptions {
  settleMs?: number;
  /** averaging window for one indication */
  readMs?: number;
  calId?: string;
  date?: string;
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Averages the total force over `ms` of frames; NaN when no frame came. */
export class Indicator {
  private collecting: number[] | null = null;
  private seen = 0;
  constructor(src: FrameSource) {
    src.onFrame((f) => {
      if (!this.collecting) return;
      this.seen++;
      const n = indicationN(f);
      if (Number.isFinite(n)) this.collecting.push(n);
    });
  }
  async readKg(ms: number): Promise<{ kg: number; sdKg: number; frames: number; uncalibrated: number }> {
    this.collecting = [];
    this.seen = 0;
    await sleep(ms);
    const v = this.collecting;
    this.collecting = null;
    if (v.length === 0) return { kg: NaN, sdKg: NaN, frames: 0, uncalibrated: this.seen };
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, v.length - 1));
    return { kg: m / STANDARD_GRAVITY_MPS2, sdKg: sd / STANDARD_GRAVITY_MPS2, frames: v.length, uncalibrated: this.seen - v.length };
  }
}

export function validateVerifyPlan(board: BoardDefinition, plan: VerifyPlan): string[] {
  const reasons: string[] = [];
  const capKg = plan.capacityKg ?? board.channels.reduce((s, c) => s + c.cell.capacityN, 0) / STANDARD_GRAVITY_MPS2;
  const pinCapKg = Math.min(...board.channels.map((c) => c.cell.capacityN)) / STANDARD_GRAVITY_MPS2;
  if (!(plan.intervalKg > 0)) reasons.push("the verification interval e must be a positive number of kg");
  const all = [...plan.loads, plan.repeatKg ?? 1, plan.eccentricityKg ?? 1, plan.creep?.kg ?? 1];
  if (all.some((x) => !Number.isFinite(x) || x <= 0)) reasons.push("every load must be a positive number of kg");
  if (all.some((x) => x > capKg)) reasons.push(`a load is beyond Max (${fmt(capKg, 1)} kg)`);
  if (plan.eccentricityKg !== undefined && board.channels.length > 1 && plan.eccentricityKg > pinCapKg) {
    reasons.push(`eccentricity load ${fmt(plan.eccentricityKg, 1)} kg is beyond one pin's capacity (${fmt(pinCapKg, 1)} kg): it goes on each pin alone`);
  }
  if (plan.loads.length === 0) reasons.push("the weighing test needs loads: e.g. --loads 100,300,600,900");
  return reasons;
}

export async function runVerification(
  link: CommandLink, frames: FrameSource, board: BoardDefinition, plan: VerifyPlan, place: PlaceFn, opt: VerifyRunOptions = {},
): Promise<{ ok: boolean; reasons: string[]; certificate?: Certificate }> {
  const reasons = validateVerifyPlan(board, plan);
  if (reasons.length > 0) return { ok: false, reasons };
  const log = opt.log ?? (() => undefined);
  const settleMs = opt.settleMs ?? 1500;
  const readMs = opt.readMs ?? 1000;
  const ind = new Indicator(frames);
  const names = board.channels.map((c) => c.name);
  const both = (kg: number): Record<string, number> => Object.fromEntries(names.map((n) => [n, kg / names.length]));
  const on = (pin: string, kg: number): Record<string, number> => Object.fromEntries(names.map((n) => [n, n === pin ? kg : 0]));
  const where = (pin: string) => (pin === "both" ? (names.length > 1 ? "BOTH pins (bar centred)" : "the pins") : `the ${pin.toUpperCase()} pin`);
  const read = async (p: Placement, label: string) => {
    await place(p);
    await sleep(settleMs);
    const r = await ind.readKg(readMs);
    if (r.frames === 0 && r.uncalibrated > 0) throw new Error("the frames carry no calibrated force: run `rackcell calibrate` first");
    if (r.frames === 0) throw new Error("no sample frames arrive: is the board streaming (stream,1)?");
    log(`${label}: ${fmt(r.kg, 3)} kg (SD ${fmt(r.sdKg, 3)} kg, ${r.frames} frames)`);
    return r.kg;
  };
  const empty = (prompt: string): Placement => ({ prompt, kgByChannel: both(0), kind: "empty" });
  const load = (kg: number, pin = "both"): Placement => ({
    prompt: `Put ${fmt(kg, kg % 1 === 0 ? 0 : 2)} kg on ${where(pin)} and press Enter`, kgByChannel: pin === "both" ? both(kg) : on(pin, kg), kind: "load",
  });

  await place(empty("Take everything off the pins and press Enter"));
  if (plan.tare) {
    await sleep(settleMs);
    const t = await link.command("tare", [], { timeoutMs: 15000 });
    if (!t.ok) return { ok: false, reasons: [`tare: ${t.reason}`] };
  }
  const data: VerifyData = { weighing: [] };
  data.weighing.push({ trueKg: 0, indicatedKg: await read(empty("Take everything off the pins and press Enter"), "zero") });
  const loads = [...plan.loads].sort((a, b) => a - b);
  for (const kg of loads) data.weighing.push({ trueKg: kg, indicatedKg: await read(load(kg), `weighing ${kg} kg`) });
  const maxKg = loads[loads.length - 1];
  data.zeroReturn = { afterLoadKg: maxKg, indicatedKg: await read(empty("Take everything off the pins and press Enter"), "zero return") };
  if (plan.repeatKg !== undefined) {
    const ind3: number[] = [];
    for (let i = 0; i < (plan.repeats ?? 3); i++) {
      ind3.push(await read(load(plan.repeatKg), `repeatability ${i + 1}`));
      await place(empty("Take the plates off and press Enter"));
      await sleep(settleMs / 2);
    }
    data.repeatability = { trueKg: plan.repeatKg, indicatedKg: ind3 };
  }
  if (plan.eccentricityKg !== undefined) {
    const positions = names.length > 1 ? [...names, "both"] : ["both"];
    const kg = plan.eccentricityKg;
    data.eccentricity = { trueKg: kg, positions: [] };
    for (const pin of positions) {
      data.eccentricity.positions.push({ pin, indicatedKg: await read(load(kg, pin), `eccentricity ${pin}`) });
    }
  }
  if (plan.creep) {
    const c = plan.creep;
    await place(load(c.kg));
    await sleep(settleMs);
    const readings: { minutes: number; indicatedKg: number }[] = [];
    const t0 = Date.now();
    const every = (c.everyMinutes ?? Math.max(c.minutes / 6, 1 / 60)) * 60_000;
    for (;;) {
      const r = await ind.readKg(readMs);
      readings.push({ minutes: (Date.now() - t0) / 60_000, indicatedKg: r.kg });
      if ((Date.now() - t0) / 60_000 >= c.minutes) break;
      await sleep(Math.max(0, every - readMs));
    }
    data.creep = { trueKg: c.kg, readings };
  }
  await place(empty("Verification done: take the plates off and press Enter"));
  const capacityKg = plan.capacityKg ?? board.channels.reduce((s, c) => s + c.cell.capacityN, 0) / STANDARD_GRAVITY_MPS2;
  const certificate = verifyScale(
    { board: board.name, capacityKg, intervalKg: plan.intervalKg, stage: plan.stage, plates: plan.plates, calId: opt.calId, date: opt.date ?? new Date().toISOString().slice(0, 16) },
    data,
  );
  return { ok: true, reasons: [], certificate };
}

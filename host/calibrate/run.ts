/**
 * The guided calibration against a board, through the command client (`command(name, args)` →
 * {ok, fields, reason}) and an injectable `place` step: a person at a prompt, or the emulated
 * board's scenario. Board commands (firmware/commands.ts): clearpoints, tare, capture,<ch|all>,
 * <forceN>[,samples] (reply c<i>/sd<i>/n<i>), fit (k<i>,z<i>,max<i>,sd<i>,n<i>), save,<calId>,<date>.
 *
 * The board's points mirror the host's plan (plan.ts): a zero point with empty pins, then for each
 * single-pin load the loaded pin at its force and every other pin at 0 N; "both" loads go after
 * the fit as checks of the sum (captured, so the readings exist, but not fitted) — unless a pin
 * has no load of its own, then they are fitted as half the load on each pin, before the fit.
 */
import type { BoardDefinition } from "../build/boards.ts";
import { formatFixed } from "../../shared/protocol/wire-number.ts";
import { fmt, type PlateSpec } from "./plates.ts";
import {
  BOTH, DEFAULT_SAMPLES, checkReading, computeCalibration, defaultMaxSdN, nominalNPerCount, validatePlan,
  type CalibrationOutcome, type ChannelReading, type PlannedPoint, type Step, type StepReadings,
} from "./plan.ts";

export interface CommandResultLike { ok: boolean; fields: Record<string, string>; reason: string }
export interface CommandLink {
  command(name: string, args?: string[], options?: { timeoutMs?: number }): Promise<CommandResultLike>;
}

/** Load on each pin, kg, for a step (what an emulator scenario needs); a person gets the prompt. */
export interface Placement {
  prompt: string;
  kgByChannel: Record<string, number>;
  /** "empty" for the tare/zero step */
  kind: "empty" | "load";
}
export type PlaceFn = (p: Placement) => Promise<void>;

export interface CalibrationRunOptions {
  samples?: number;
  /** largest SD of a reading, N (default 0.1 % of capacity) */
  maxSdN?: number;
  /** wait after placing before capturing (the HX711 settles, the bar stops swinging) */
  settleMs?: number;
  /** capture again this often on an unstable reading */
  retries?: number;
  calId?: string;
  date?: string;
  save?: boolean;
  log?: (line: string) => void;
}

export interface CalibrationRun {
  ok: boolean;
  reasons: string[];
  notes: string[];
  outcome?: CalibrationOutcome;
  /** the board's own fit, per channel */
  boardFit?: BoardChannelFit[];
  /** host fit and board fit agree (slope to 1e-6 relative, zero to 1 count) */
  agree?: boolean;
  saved?: { calId: string; date: string };
}

/** The board's fit of one channel, from its `fit` reply (k<i>, z<i>, max<i>, sd<i>, n<i>); null where it gave none. */
export interface BoardChannelFit {
  channel: string;
  nPerCount: number | null;
  zeroCounts: number | null;
  maxAbsResidualN: number | null;
  residualSdN: number | null;
  points: number | null;
}

export function boardFitFrom(board: BoardDefinition, fields: Record<string, string>): BoardChannelFit[] {
  const num = (key: string): number | null => {
    const v = fields[key] === undefined || fields[key] === "" ? NaN : Number(fields[key]);
    return Number.isFinite(v) ? v : null;
  };
  return board.channels.map((c, i) => ({
    channel: c.name, nPerCount: num(`k${i}`), zeroCounts: num(`z${i}`), maxAbsResidualN: num(`max${i}`), residualSdN: num(`sd${i}`), points: num(`n${i}`),
  }));
}

export function placementFor(board: BoardDefinition, point: PlannedPoint | null, prompt: string): Placement {
  const kg: Record<string, number> = {};
  for (const c of board.channels) kg[c.name] = 0;
  if (point) {
    if (point.pin === BOTH) for (const c of board.channels) kg[c.name] = point.kg / board.channels.length;
    else kg[point.pin] = point.kg;
  }
  return { prompt, kgByChannel: kg, kind: point ? "load" : "empty" };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readingsFrom(board: BoardDefinition, fields: Record<string, string>, samples: number): Record<string, ChannelReading> {
  const out: Record<string, ChannelReading> = {};
  board.channels.forEach((c, i) => {
    if (fields[`c${i}`] === undefined) return;
    out[c.name] = { meanCounts: Number(fields[`c${i}`]), sdCounts: Number(fields[`sd${i}`]), samples };
  });
  return out;
}

export async function runCalibration(
  link: CommandLink, board: BoardDefinition, points: PlannedPoint[], plates: PlateSpec, place: PlaceFn, opt: CalibrationRunOptions = {},
): Promise<CalibrationRun> {
  const log = opt.log ?? (() => undefined);
  const plan = validatePlan(board, points, plates);
  if (!plan.ok) return { ok: false, reasons: plan.reasons, notes: plan.notes };
  const samples = opt.samples ?? DEFAULT_SAMPLES;
  const settleMs = opt.settleMs ?? 1500;
  const retries = opt.retries ?? 3;
  const timeoutMs = Math.ceil((samples / 10) * 1000) + 5000; // even at 10 SPS
  const multi = board.channels.length > 1;
  const fail = (reason: string): CalibrationRun => ({ ok: false, reasons: [reason], notes: plan.notes });

  // capture with retries; checks the SD against the host's threshold too
  const capture = async (target: string, forceN: number, what: string): Promise<Record<string, ChannelReading> | string> => {
    for (let attempt = 0; ; attempt++) {
      await sleep(settleMs);
      const r = await link.command("capture", [target, formatFixed(forceN, 2), String(samples)], { timeoutMs });
      let problem = r.ok ? "" : r.reason;
      const got = r.ok ? readingsFrom(board, r.fields, samples) : {};
      if (r.ok) {
        for (const [name, reading] of Object.entries(got)) {
          const why = checkReading(reading, nominalNPerCount(board, name), opt.maxSdN ?? defaultMaxSdN(board, name));
          if (why) problem = `${name}: ${why}`;
        }
      }
      if (problem === "") return got;
      if (attempt >= retries || !/unstable/.test(problem)) return `${what}: ${problem}`;
      log(`${what}: ${problem}; capturing again`);
    }
  };

  let r = await link.command("clearpoints", []);
  if (!r.ok) return fail(`clearpoints: ${r.reason}`);
  await place(placementFor(board, null, "Take everything off the pins (empty bar removed) and press Enter"));
  await sleep(settleMs);
  r = await link.command("tare", [String(samples)], { timeoutMs });
  if (!r.ok) return fail(`tare: ${r.reason}`);
  const zero = await capture("all", 0, "zero (empty pins)");
  if (typeof zero === "string") return fail(zero);
  const tare: StepReadings = { step: null, channels: zero };
  log(`tare: ${board.channels.map((c, i) => `${c.name} ${r.fields[`z${i}`] ?? "?"} counts`).join(", ")}`);

  const hasSingle = (name: string) => points.some((p) => p.pin === name);
  const bothFitted = multi && board.channels.some((c) => !hasSingle(c.name));
  const fitted: Step[] = plan.steps.filter((s) => s.point.pin !== BOTH || !multi || bothFitted);
  const checks: Step[] = plan.steps.filter((s) => !fitted.includes(s));
  const readings: StepReadings[] = [];

  const runStep = async (s: Step): Promise<string> => {
    await place(placementFor(board, s.point, s.prompt));
    const got: Record<string, ChannelReading> = {};
    if (s.point.pin === BOTH || !multi) {
      const per = multi ? s.forceN / board.channels.length : s.forceN;
      const c = await capture("all", per, s.prompt.replace(/ and press Enter$/, ""));
      if (typeof c === "string") return c;
      Object.assign(got, c);
    } else {
      for (const ch of board.channels) {
        const f = ch.name === s.point.pin ? s.forceN : 0;
        const c = await capture(ch.name, f, `${s.point.pin}:${s.point.kg} (${ch.name} ${ch.name === s.point.pin ? "loaded" : "empty"})`);
        if (typeof c === "string") return c;
        Object.assign(got, c);
      }
    }
    readings.push({ step: s, channels: got });
    log(`${s.point.pin}:${fmt(s.point.kg, 2)} kg → ${Object.entries(got).map(([n, x]) => `${n} ${fmt(x.meanCounts, 1)} ± ${fmt(x.sdCounts, 1)} counts`).join(", ")}`);
    return "";
  };

  for (const s of fitted) {
    const why = await runStep(s);
    if (why) return fail(why);
  }
  const fitReply = await link.command("fit", []);
  if (!fitReply.ok) return fail(`fit: ${fitReply.reason}`);
  for (const s of checks) {
    const why = await runStep(s);
    if (why) return fail(why);
  }
  const outcome = computeCalibration(board, plates, tare, readings);
  const boardFit = boardFitFrom(board, fitReply.fields);
  if (!outcome.ok) return { ok: false, reasons: outcome.reasons, notes: plan.notes, outcome, boardFit };
  let agree = true;
  outcome.channels.forEach((c) => {
    const b = boardFit.find((x) => x.channel === c.channel);
    const k = b?.nPerCount ?? NaN;
    const z = b?.zeroCounts ?? NaN;
    if (!(Math.abs(k - c.fit.nPerCount) <= Math.abs(c.fit.nPerCount) * 1e-6 + 1e-9) || !(Math.abs(z - c.fit.zeroCounts) <= 1)) agree = false;
  });
  const notes = [...plan.notes];
  if (!agree) notes.push("the board's fit differs from the host's (see k/z): the board was given different points than planned");
  const run: CalibrationRun = { ok: true, reasons: [], notes, outcome, boardFit, agree };
  if (opt.save ?? true) {
    const now = new Date();
    const calId = opt.calId ?? `cal-${now.toISOString().slice(0, 10).replace(/-/g, "")}-${now.toISOString().slice(11, 16).replace(":", "")}`;
    const date = opt.date ?? now.toISOString().slice(0, 16);
    const sv = await link.command("save", [calId, date]);
    if (!sv.ok) return { ...run, ok: false, reasons: [`save: ${sv.reason}`] };
    run.saved = { calId, date };
  }
  await place(placementFor(board, null, "Calibration done: take the plates off and press Enter"));
  return run;
}

export function describeRun(run: CalibrationRun): string {
  const L: string[] = [];
  if (!run.ok) L.push(`calibration refused:\n${run.reasons.map((r) => `  - ${r}`).join("\n")}`);
  if (run.outcome) L.push(...run.outcome.summary);
  if (run.agree === true) L.push("board fit = host fit");
  for (const n of run.notes) L.push(`note: ${n}`);
  if (run.saved) L.push(`saved on the board as ${run.saved.calId} (${run.saved.date})`);
  return L.join("\n");
}


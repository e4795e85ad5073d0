import { fromNewtons, kgToLb } from "../../shared/units/force.ts";
import { dayFromNumber, dayNumber, isoWeek, weekMonday } from "./days.ts";
/**
 * The lifter's record: pure logic over plain arrays (no I/O, no clock, no time zone: the caller
 * passes calendar days and "today"; no text: format.ts writes it for a terminal). Storage is
 * host/store; store-adapter.ts reads it into these shapes.
 *
 * Conventions
 *  - A day is a calendar date "YYYY-MM-DD" in the lifter's local time. Weeks are ISO weeks
 *    (Monday to Sunday), keyed "YYYY-Www" (days.ts).
 *  - Loads are kg of mass (a rack pull's verified load = the weighed bar); peaks are forces in N,
 *    shown as kgf and lbf, mass also in lb (shared/units/force.ts).
 *  - Body weight at a lift = the latest weigh-in on or before the lift's day (a weigh-in later the
 *    same day counts); none before: unknown (null), never guessed from a later weigh-in.
 *  - Body-weight multiple: rack pull / deadlift: load kg ÷ body weight kg; isometric: peak kgf ÷
 *    body weight kg (gross peak, as force plates report it).
 *  - Supra-maximal single: a rack pull (one lift-off = one rep) or deadlift single whose load is at
 *    least `supraFraction` (default 1.05) of the athlete's best full-range deadlift as known on
 *    that day (the best of deadlift entries on or before that day). No deadlift known yet: the lift
 *    cannot be classed (counted in `unclassified`).
 *  - Heavy session: a day with at least one supra-maximal single (the same threshold), or, when
 *    `isometricCountsHeavy`, a maximal isometric pull.
 */


export type LiftType = "rackpull" | "isometric" | "deadlift";

export interface WeighIn {
  day: string;
  kg: number;
}

export interface LiftEntry {
  id: string | number;
  day: string;
  type: LiftType;
  /** session the lift belongs to (lifts on the same day without a session share one) */
  sessionId?: string | number;
  /** rack pull: weighed (verified) load; deadlift: bar load; isometric: not used */
  loadKg?: number;
  /** peak force (isometric: gross peak; rack pull: peak lifter force), N */
  peakN?: number;
  /** rack pull: pin height, cm (from the floor to the top of the pin); PRs are per pin height */
  pinHeightCm?: number;
  /** rack pull: false when the bar never left the pins (not a rep, not a PR) */
  liftedOff?: boolean;
  /** repetitions in this entry (a detected rack pull is 1) */
  reps?: number;
}

export interface RecordOptions {
  /** supra-maximal: load ≥ supraFraction × best deadlift; default 1.05 */
  supraFraction?: number;
  /** weekly budget of supra-maximal singles; a warning above it; default 20 */
  weeklyBudget?: number;
  /** a maximal isometric pull makes a session heavy; default false */
  isometricCountsHeavy?: boolean;
}

// ---- body weight ------------------------------------------------------------------------------

/** Latest weigh-in on or before `day` (same day included); null when there is none. */
export function bodyWeightOn(weighIns: WeighIn[], day: string): WeighIn | null {
  const d = dayNumber(day);
  let best: WeighIn | null = null;
  let bestDay = -Infinity;
  for (const w of weighIns) {
    const wd = dayNumber(w.day);
    // later entries of the same day win (the list order is the order they were taken)
    if (wd <= d && wd >= bestDay) {
      best = w;
      bestDay = wd;
    }
  }
  return best;
}

// ---- one lift, in the units people use --------------------------------------------------------

export interface LiftView {
  id: string | number;
  day: string;
  type: LiftType;
  pinHeightCm: number | null;
  loadKg: number | null;
  loadLb: number | null;
  peakN: number | null;
  peakKgf: number | null;
  peakLbf: number | null;
  bodyWeightKg: number | null;
  /** load (rack pull, deadlift) or peak kgf (isometric) ÷ body weight */
  bodyWeightMultiple: number | null;
  /** best deadlift known on that day, and this load as a fraction of it */
  deadliftBestKg: number | null;
  ofDeadlift: number | null;
  supraMaximal: boolean;
  /** a personal record when it happened (strictly better than every earlier lift of its class) */
  isPr: boolean;
}

const num = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);

/** Best full-range deadlift (kg) from entries on or before `day`; null when none. */
export function deadliftBestOn(lifts: LiftEntry[], day: string): number | null {
  const d = dayNumber(day);
  let best: number | null = null;
  for (const l of lifts) {
    if (l.type !== "deadlift" || l.loadKg === undefined || !(l.loadKg > 0)) continue;
    if (dayNumber(l.day) > d) continue;
    if (best === null || l.loadKg > best) best = l.loadKg;
  }
  return best;
}

/** The PR class of a lift: rack pulls per pin height, isometric peaks, deadlifts. */
export function prClass(l: LiftEntry): string {
  if (l.type === "rackpull") return l.pinHeightCm !== undefined ? `rackpull@${l.pinHeightCm}cm` : "rackpull@?";
  return l.type;
}

function prValue(l: LiftEntry): number | null {
  if (l.type === "isometric") return num(l.peakN);
  if (l.type === "rackpull" && l.liftedOff === false) return null;
  return num(l.loadKg);
}

/** Chronological order: by day, then by the order given (stable). */
export function chronological(lifts: LiftEntry[]): LiftEntry[] {
  return lifts
    .map((l, i) => ({ l, i, d: dayNumber(l.day) }))
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .map((x) => x.l);
}

export function liftViews(lifts: LiftEntry[], weighIns: WeighIn[], o: RecordOptions = {}): LiftView[] {
  const supra = o.supraFraction ?? 1.05;
  const best = new Map<string, number>();
  const out: LiftView[] = [];
  for (const l of chronological(lifts)) {
    const bw = bodyWeightOn(weighIns, l.day);
    const loadKg = num(l.loadKg);
    const peakN = num(l.peakN);
    const dl = deadliftBestOn(lifts, l.day);
    const liftedOff = l.type !== "rackpull" || l.liftedOff !== false;
    const ofDl = l.type !== "isometric" && loadKg !== null && dl !== null ? loadKg / dl : null;
    let multiple: number | null = null;
    if (bw !== null) {
      if (l.type === "isometric" && peakN !== null) multiple = fromNewtons(peakN, "kg") / bw.kg;
      else if (l.type !== "isometric" && loadKg !== null) multiple = loadKg / bw.kg;
    }
    const v = prValue(l);
    const cls = prClass(l);
    let isPr = false;
    if (v !== null) {
      const prev = best.get(cls);
      if (prev === undefined || v > prev) {
        isPr = true;
        best.set(cls, v);
      }
    }
    out.push({
      id: l.id,
      day: l.day,
      type: l.type,
      pinHeightCm: num(l.pinHeightCm),
      loadKg,
      loadLb: loadKg !== null ? kgToLb(loadKg) : null,
      peakN,
      peakKgf: peakN !== null ? fromNewtons(peakN, "kg") : null,
      peakLbf: peakN !== null ? fromNewtons(peakN, "lbf") : null,
      bodyWeightKg: bw !== null ? bw.kg : null,
      bodyWeightMultiple: multiple,
      deadliftBestKg: dl,
      ofDeadlift: ofDl,
      supraMaximal: liftedOff && (l.reps ?? 1) === 1 && ofDl !== null && ofDl >= supra - 1e-12,
      isPr,
    });
  }
  return out;
}

// ---- personal records -------------------------------------------------------------------------

export interface PersonalRecord {
  /** "rackpull@45cm", "rackpull@?", "isometric", "deadlift" */
  cls: string;
  type: LiftType;
  pinHeightCm: number | null;
  /** kg for rack pulls and deadlifts, N for isometric */
  value: number;
  unit: "kg" | "N";
  day: string;
  liftId: string | number;
  bodyWeightMultiple: number | null;
  /** every time the record was raised, oldest first */
  history: { day: string; value: number; liftId: string | number }[];
}

export function personalRecords(lifts: LiftEntry[], weighIns: WeighIn[], o: RecordOptions = {}): PersonalRecord[] {
  const views = liftViews(lifts, weighIns, o);
  const byId = new Map<string | number, LiftEntry>();
  for (const l of lifts) byId.set(l.id, l);
  const out = new Map<string, PersonalRecord>();
  for (const v of views) {
    if (!v.isPr) continue;
    const l = byId.get(v.id)!;
    const cls = prClass(l);
    const value = (v.type === "isometric" ? v.peakN : v.loadKg) as number;
    let pr = out.get(cls);
    if (pr === undefined) {
      pr = {
        cls, type: v.type, pinHeightCm: v.pinHeightCm, value, unit: v.type === "isometric" ? "N" : "kg",
        day: v.day, liftId: v.id, bodyWeightMultiple: v.bodyWeightMultiple, history: [],
      };
      out.set(cls, pr);
    }
    pr.value = value;
    pr.day = v.day;
    pr.liftId = v.id;
    pr.bodyWeightMultiple = v.bodyWeightMultiple;
    pr.history.push({ day: v.day, value, liftId: v.id });
  }
  const order = (p: PersonalRecord) => (p.type === "rackpull" ? 0 : p.type === "isometric" ? 1 : 2);
  return [...out.values()].sort((a, b) => order(a) - order(b) || (a.pinHeightCm ?? 1e9) - (b.pinHeightCm ?? 1e9));
}

// ---- the micro-loading ladder -----------------------------------------------------------------

export interface LadderStep {
  day: string;
  sessionId: string | number;
  /** the heaviest rack pull that left the pins in the session */
  topKg: number;
  /** change from the previous session's top load (0 for the first) */
  deltaKg: number;
  /** heaviest ever at that point */
  isPr: boolean;
  singles: number;
}

/**
 * Load per session over time: the top rack-pull load that lifted off, one step per session
 * (optionally only at one pin height). Sessions without a lifted rack pull are skipped.
 */
export function microLoadingLadder(lifts: LiftEntry[], o: { pinHeightCm?: number } = {}): LadderStep[] {
  const sessions = new Map<string, { day: string; sessionId: string | number; topKg: number; singles: number; order: number }>();
  let order = 0;
  for (const l of chronological(lifts)) {
    if (l.type !== "rackpull" || l.liftedOff === false || l.loadKg === undefined || !(l.loadKg > 0)) continue;
    if (o.pinHeightCm !== undefined && l.pinHeightCm !== o.pinHeightCm) continue;
    const sid = l.sessionId ?? `day:${l.day}`;
    const key = `${l.day}|${String(sid)}`;
    const s = sessions.get(key);
    if (s === undefined) sessions.set(key, { day: l.day, sessionId: sid, topKg: l.loadKg, singles: 1, order: order++ });
    else {
      s.topKg = Math.max(s.topKg, l.loadKg);
      s.singles++;
    }
  }
  const list = [...sessions.values()].sort((a, b) => dayNumber(a.day) - dayNumber(b.day) || a.order - b.order);
  const out: LadderStep[] = [];
  let best = -Infinity;
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    out.push({
      day: s.day,
      sessionId: s.sessionId,
      topKg: s.topKg,
      deltaKg: i === 0 ? 0 : s.topKg - list[i - 1].topKg,
      isPr: s.topKg > best,
      singles: s.singles,
    });
    if (s.topKg > best) best = s.topKg;
  }
  return out;
}

// ---- supra-maximal singles per week -----------------------------------------------------------

export interface WeekCount {
  week: string;
  /** Monday of the week */
  monday: string;
  supraSingles: number;
  /** rack pulls / deadlift singles that could not be classed (no deadlift best known yet) */
  unclassified: number;
  overBudget: boolean;
}

export interface SupraReport {
  budget: number;
  supraFraction: number;
  weeks: WeekCount[];
  warnings: string[];
}

export function weeklySupraMaximal(lifts: LiftEntry[], weighIns: WeighIn[], o: RecordOptions = {}): SupraReport {
  const budget = o.weeklyBudget ?? 20;
  const supra = o.supraFraction ?? 1.05;
  const weeks = new Map<string, WeekCount>();
  for (const v of liftViews(lifts, weighIns, o)) {
    if (v.type === "isometric") continue;
    const wk = isoWeek(v.day);
    let w = weeks.get(wk);
    if (w === undefined) {
      w = { week: wk, monday: weekMonday(v.day), supraSingles: 0, unclassified: 0, overBudget: false };
      weeks.set(wk, w);
    }
    if (v.supraMaximal) w.supraSingles++;
    else if (v.deadliftBestKg === null && v.loadKg !== null && v.type === "rackpull") w.unclassified++;
  }
  const list = [...weeks.values()].sort((a, b) => dayNumber(a.monday) - dayNumber(b.monday));
  const warnings: string[] = [];
  for (const w of list) {
    w.overBudget = w.supraSingles > budget;
    if (w.overBudget) {
      warnings.push(
        `week ${w.week} (from ${w.monday}): ${w.supraSingles} supra-maximal singles (≥ ${Math.round(supra * 100)} % of the best deadlift), budget ${budget}`,
      );
    }
  }
  return { budget, supraFraction: supra, weeks: list, warnings };
}

// ---- heavy sessions ---------------------------------------------------------------------------

export interface HeavySessionInfo {
  lastHeavyDay: string | null;
  /** whole days from the last heavy session to today (0 = today); null when there was none */
  daysSince: number | null;
}

export function daysSinceHeavy(lifts: LiftEntry[], weighIns: WeighIn[], today: string, o: RecordOptions = {}): HeavySessionInfo {
  const t = dayNumber(today);
  let last: number | null = null;
  for (const v of liftViews(lifts, weighIns, o)) {
    const d = dayNumber(v.day);
    if (d > t) continue;
    const heavy = v.supraMaximal || (o.isometricCountsHeavy === true && v.type === "isometric" && v.peakN !== null);
    if (heavy && (last === null || d > last)) last = d;
  }
  return { lastHeavyDay: last === null ? null : dayFromNumber(last), daysSince: last === null ? null : t - last };
}

// ---- everything for one athlete ---------------------------------------------------------------

export interface AthleteInput {
  id: string | number;
  name: string;
  weighIns: WeighIn[];
  lifts: LiftEntry[];
}

export interface AthleteRecord {
  id: string | number;
  name: string;
  today: string;
  bodyWeightKg: number | null;
  deadliftBestKg: number | null;
  lifts: LiftView[];
  prs: PersonalRecord[];
  ladder: LadderStep[];
  supra: SupraReport;
  heavy: HeavySessionInfo;
}

export function athleteRecord(a: AthleteInput, today: string, o: RecordOptions = {}): AthleteRecord {
  const bw = bodyWeightOn(a.weighIns, today);
  return {
    id: a.id,
    name: a.name,
    today,
    bodyWeightKg: bw !== null ? bw.kg : null,
    deadliftBestKg: deadliftBestOn(a.lifts, today),
    lifts: liftViews(a.lifts, a.weighIns, o),
    prs: personalRecords(a.lifts, a.weighIns, o),
    ladder: microLoadingLadder(a.lifts),
    supra: weeklySupraMaximal(a.lifts, a.weighIns, o),
    heavy: daysSinceHeavy(a.lifts, a.weighIns, today, o),
  };
}

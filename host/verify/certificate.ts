/**
 * Scale verification after OIML R76, accuracy class III, at a chosen verification interval e
 * (kg). Pure: readings in, certificate out.
 *   weighing      loads from small to near capacity: error = indication − true load, |error| ≤ MPE(load/e)
 *   repeatability the same load ≥ 3 times: max − min ≤ |MPE(load)|
 *   eccentricity  the same load on each pin and on both: every error ≤ MPE(load)
 *   zero return   after unloading: |indication| ≤ 0.5 e
 *   creep         (optional) a constant load over time: |last − first| ≤ |MPE(load)| (R76 asks 30 min)
 * MPE from shared/calibration/oiml.ts (initial verification, or doubled in service).
 * The plates: OIML wants the test load known within 1/3 of the MPE. When the plates' tolerance
 * is larger, a "pass" is below what the plates can prove, and the certificate says so per row.
 */
import { intervalCountIsValid, maxPermissibleErrorE } from "../../shared/calibration/oiml.ts";
import { fmt, loadToleranceKg, type PlateSpec } from "../calibrate/plates.ts";

export type Stage = "initial" | "in-service";

export interface VerifySetup {
  board: string;
  /** Max of the instrument as verified (kg) */
  capacityKg: number;
  /** verification interval e (kg) */
  intervalKg: number;
  stage: Stage;
  plates: PlateSpec;
  calId?: string;
  date?: string;
}

export interface Reading { trueKg: number; indicatedKg: number; plateCount?: number }
export interface VerifyData {
  weighing: Reading[];
  repeatability?: { trueKg: number; indicatedKg: number[]; plateCount?: number };
  eccentricity?: { trueKg: number; positions: { pin: string; indicatedKg: number }[]; plateCount?: number };
  zeroReturn?: { afterLoadKg: number; indicatedKg: number };
  creep?: { trueKg: number; readings: { minutes: number; indicatedKg: number }[] };
}

export interface Row {
  /** for people ("100.00 kg on left"); the same as data in the fields below */
  label: string;
  /** eccentricity: where the load stood (a pin's name, or "both") */
  position?: string;
  /** repeatability: how often the load was weighed */
  weighings?: number;
  /** zero return: the load just taken off, kg */
  afterLoadKg?: number;
  /** creep: minutes between the first and the last reading */
  minutes?: number;
  trueKg: number;
  indicatedKg: number;
  /** the compared quantity (error, spread, change), kg */
  valueKg: number;
  /** its limit, kg (positive) */
  limitKg: number;
  loadInE: number;
  pass: boolean;
  /** the plates' tolerance for this load, kg */
  platesKg: number;
  /** plates within 1/3 of the limit */
  provable: boolean;
}

export interface TestResult {
  name: "weighing" | "repeatability" | "eccentricity" | "zero return" | "creep";
  done: boolean;
  pass: boolean;
  provable: boolean;
  rows: Row[];
  notes: string[];
}

export interface Certificate {
  kind: "rackcell-verification";
  setup: VerifySetup;
  standard: string;
  intervals: number;
  intervalsValid: boolean;
  tests: TestResult[];
  /** "pass" only when every test ran and passed */
  overall: "pass" | "fail" | "incomplete";
  /** every passing row was provable with these plates */
  provable: boolean;
  notes: string[];
}

export function mpeKg(setup: VerifySetup, loadKg: number): number {
  return maxPermissibleErrorE(loadKg / setup.intervalKg, setup.stage === "in-service") * setup.intervalKg;
}

type RowData = Pick<Row, "position" | "weighings" | "afterLoadKg" | "minutes">;

function row(setup: VerifySetup, label: string, trueKg: number, indicatedKg: number, valueKg: number, limitKg: number, platesKg: number, data: RowData = {}): Row {
  // compare in units of e with a hair of slack, so 0.5 e passes at 0.5 e despite binary fractions
  const pass = Math.abs(valueKg) / setup.intervalKg <= limitKg / setup.intervalKg + 1e-9;
  return {
    label, ...data, trueKg, indicatedKg, valueKg, limitKg, loadInE: trueKg / setup.intervalKg, pass,
    platesKg, provable: platesKg <= limitKg / 3 + 1e-12,
  };
}

function finish(name: TestResult["name"], rows: Row[], notes: string[], done = true): TestResult {
  const pass = done && rows.length > 0 && rows.every((r) => r.pass);
  const provable = rows.every((r) => r.provable);
  if (done && rows.some((r) => !r.provable)) {
    const worst = rows.reduce((a, b) => (b.platesKg / b.limitKg > a.platesKg / a.limitKg ? b : a));
    notes.push(
      `below what the plates can prove: their tolerance (±${fmt(worst.platesKg, 3)} kg at ${fmt(worst.trueKg, 1)} kg) ` +
      `is more than 1/3 of the limit (${fmt(worst.limitKg, 3)} kg); use calibrated plates or a coarser e`,
    );
  }
  return { name, done, pass, provable, rows, notes };
}

export function verifyScale(setup: VerifySetup, data: VerifyData): Certificate {
  const e = setup.intervalKg;
  const tol = (kg: number, count?: number) => loadToleranceKg(setup.plates, kg, count);
  const tests: TestResult[] = [];
  const notes: string[] = [];
  const intervals = setup.capacityKg / e;
  const intervalsValid = intervalCountIsValid(setup.capacityKg, e);
  if (!intervalsValid) notes.push(`${fmt(intervals, 0)} intervals: class III allows 100 to 10000 e; choose another e`);
  if (intervals > 3000) notes.push(`${fmt(intervals, 0)} intervals exceed what a C3 load cell is good for (3000)`);

  // weighing
  {
    const rows = [...data.weighing]
      .sort((a, b) => a.trueKg - b.trueKg)
      .map((r) => row(setup, `${fmt(r.trueKg, 2)} kg`, r.trueKg, r.indicatedKg, r.indicatedKg - r.trueKg, mpeKg(setup, r.trueKg), tol(r.trueKg, r.plateCount)));
    const wn: string[] = [];
    const maxLoad = rows.reduce((m, r) => Math.max(m, r.trueKg), 0);
    if (rows.length < 3) wn.push(`only ${rows.length} load(s): weigh at least 3 loads, the largest near capacity`);
    if (maxLoad < 0.8 * setup.capacityKg) wn.push(`largest load ${fmt(maxLoad, 1)} kg is ${fmt((100 * maxLoad) / setup.capacityKg, 0)} % of Max (${fmt(setup.capacityKg, 0)} kg): the result covers only up to that load`);
    tests.push(finish("weighing", rows, wn, rows.length > 0));
  }
  // repeatability
  if (data.repeatability && data.repeatability.indicatedKg.length > 0) {
    const r = data.repeatability;
    const ind = r.indicatedKg;
    const spread = Math.max(...ind) - Math.min(...ind);
    const rn: string[] = [];
    if (ind.length < 3) rn.push(`only ${ind.length} weighings: R76 asks at least 3`);
    // the same plates every time: their error cancels in the spread
    const rows = [row(setup, `${ind.length} × ${fmt(r.trueKg, 2)} kg`, r.trueKg, ind[ind.length - 1], spread, mpeKg(setup, r.trueKg), 0, { weighings: ind.length })];
    tests.push(finish("repeatability", rows, rn, ind.length >= 3));
  } else tests.push(finish("repeatability", [], ["not done"], false));
  // eccentricity
  if (data.eccentricity && data.eccentricity.positions.length > 0) {
    const c = data.eccentricity;
    const rows = c.positions.map((p) => row(setup, `${fmt(c.trueKg, 2)} kg on ${p.pin}`, c.trueKg, p.indicatedKg, p.indicatedKg - c.trueKg, mpeKg(setup, c.trueKg), tol(c.trueKg, c.plateCount), { position: p.pin }));
    const cn: string[] = [];
    if (c.positions.length < 2) cn.push("eccentricity needs the load on at least two positions");
    tests.push(finish("eccentricity", rows, cn, c.positions.length >= 2));
  } else tests.push(finish("eccentricity", [], ["not done"], false));
  // zero return
  if (data.zeroReturn) {
    const z = data.zeroReturn;
    tests.push(finish("zero return", [row(setup, `after ${fmt(z.afterLoadKg, 1)} kg`, 0, z.indicatedKg, z.indicatedKg, 0.5 * e, 0, { afterLoadKg: z.afterLoadKg })], []));
  } else tests.push(finish("zero return", [], ["not done"], false));
  // creep (optional: not counted against "incomplete")
  if (data.creep && data.creep.readings.length >= 2) {
    const c = data.creep;
    const first = c.readings[0];
    const last = c.readings[c.readings.length - 1];
    const cn: string[] = [];
    const minutes = last.minutes - first.minutes;
    if (minutes < 30) cn.push(`observed ${fmt(minutes, 1)} min; R76 observes 30 min (a good cell drifts ≤ 0.7 × MPE in that time)`);
    if (c.trueKg < 0.9 * setup.capacityKg) cn.push(`load ${fmt(c.trueKg, 1)} kg is below 90 % of Max`);
    tests.push(finish("creep", [row(setup, `${fmt(c.trueKg, 1)} kg over ${fmt(minutes, 1)} min`, c.trueKg, last.indicatedKg, last.indicatedKg - first.indicatedKg, mpeKg(setup, c.trueKg), 0, { minutes })], cn));
  }

  const required = tests.filter((t) => t.name !== "creep");
  let overall: Certificate["overall"] = "pass";
  if (tests.some((t) => t.done && !t.pass)) overall = "fail";
  else if (required.some((t) => !t.done) || !intervalsValid) overall = "incomplete";
  const provable = tests.every((t) => t.provable);
  if (overall === "pass" && !provable) notes.push("passed, but some results are below what the plates can prove (see the tests)");
  return {
    kind: "rackcell-verification", setup,
    standard: `OIML R76 class III, ${setup.stage === "in-service" ? "in-service (MPE doubled)" : "initial verification"} MPE`,
    intervals, intervalsValid, tests, overall, provable, notes,
  };
}

/**
 * Integration point with host/store (another developer's module): reads one athlete's weigh-ins,
 * sessions and lifts into the plain shapes of athlete.ts. Read-only.
 *
 * What the store has: athletes, body_weights (measured_at, kg), sessions (started_at,
 * athlete_id, note), lifts (kind "rack pull" | "isometric" | "lift", at_s into the session,
 * peak_force_n, weighed_load_n, time_to_lift_off_ms, details_json).
 * What it does not have (yet), and how it is filled here:
 *  - pin height: lift details `pinHeightCm` (number) if present, else the session note
 *    ("pins 45 cm", "pin=45cm", "pin height 45 cm"); otherwise unknown.
 *  - full-range deadlifts (not measured by the rack): passed by the caller (`deadlifts`).
 *  - sessions → athlete: Store.listSessions (athleteId, startedAt, note).
 */
import type { Store } from "../store/store.ts";
import { distinctLifts } from "../store/lifts.ts";
import { fromNewtons } from "../../shared/units/force.ts";
import type { AthleteInput, LiftEntry, WeighIn } from "./athlete.ts";
import { localDay } from "./days.ts";

export interface FromStoreOptions {
  /** the lifter's UTC offset in minutes (east positive); default: this machine's current offset */
  utcOffsetMin?: number;
  /** full-range deadlifts (the rack does not see them) */
  deadlifts?: { day: string; kg: number }[];
}

const PIN_RE = /pin(?:s| height)?\s*[:=]?\s*(\d+(?:\.\d+)?)\s*cm/i;

export function pinHeightFromNote(note: string | null | undefined): number | undefined {
  if (!note) return undefined;
  const m = PIN_RE.exec(note);
  return m ? Number(m[1]) : undefined;
}

export function athleteFromStore(store: Store, athleteId: number, o: FromStoreOptions = {}): AthleteInput {
  const offset = o.utcOffsetMin ?? -new Date().getTimezoneOffset();
  const a = store.listAthletes().find((x) => x.id === athleteId);
  if (a === undefined) throw new Error(`no athlete with id ${athleteId}`);
  const weighIns: WeighIn[] = store.bodyWeights(athleteId).map((w) => ({ day: localDay(w.at, offset), kg: w.kg }));
  const sessions = store
    .listSessions({ limit: 1_000_000 })
    .filter((s) => s.athleteId === athleteId)
    .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt) || a.id - b.id);
  const lifts: LiftEntry[] = [];
  for (const s of sessions) {
    const start = Date.parse(s.startedAt);
    const notePin = pinHeightFromNote(s.note);
    for (const l of distinctLifts(store.listLifts({ sessionId: s.id, limit: 100000 }))) {
      const atMs = start + (Number.isFinite(l.atS) ? l.atS * 1000 : 0);
      const day = localDay(new Date(atMs).toISOString(), offset);
      const details = (l.details ?? {}) as Record<string, unknown>;
      const detailPin = typeof details.pinHeightCm === "number" ? details.pinHeightCm : undefined;
      if (l.kind === "rack pull") {
        lifts.push({
          id: `lift:${l.id}`,
          day,
          type: "rackpull",
          sessionId: s.id,
          loadKg: Number.isFinite(l.weighedLoadN) ? fromNewtons(l.weighedLoadN, "kg") : undefined,
          peakN: Number.isFinite(l.peakForceN) ? l.peakForceN : undefined,
          pinHeightCm: detailPin ?? notePin,
          liftedOff: Number.isFinite(l.timeToLiftOffMs),
          reps: 1,
        });
      } else if (l.kind === "isometric") {
        lifts.push({
          id: `lift:${l.id}`,
          day,
          type: "isometric",
          sessionId: s.id,
          peakN: Number.isFinite(l.peakForceN) ? l.peakForceN : undefined,
        });
      }
    }
  }
  (o.deadlifts ?? []).forEach((d, i) => lifts.push({ id: `deadlift:${i}`, day: d.day, type: "deadlift", loadKg: d.kg, reps: 1 }));
  return { id: athleteId, name: a.name, weighIns, lifts };
}

/**
 * What the page's History panel and body-weight multiple come from: the host's store read by the
 * same rules as `rackcell history` (each lift once: distinctLifts; PRs: the lifter's record) and
 * `rackcell audit` (a session's seal and whether its rows still hash to it), and whether the board
 * signed each lift (host/sign/lift-state.ts, the rule report and history use). Served as JSON at HISTORY_PATH:
 * numbers as numbers, units in the names. Read-only; opens the database per request.
 */
import * as fs from "node:fs";
import { athleteRecord } from "../lifter/athlete.ts";
import { dayOnThisMachine } from "../lifter/days.ts";
import { athleteFromStore } from "../lifter/store-adapter.ts";
import { distinctLifts } from "../store/lifts.ts";
import { Store } from "../store/store.ts";
import { findAthlete } from "../cli/commands/lifter.ts";
import { storedLiftStatus, type SignatureStatus } from "../sign/lift-state.ts";
import { listKeys } from "../store/board-keys.ts";
import type { WebHistory } from "./protocol.ts";

const num = (n: number) => (Number.isFinite(n) ? n : null);

/** The lift's signature state (host/sign/lift-state.ts, the rule report and history use), for the page. */
function signatureFields(st: SignatureStatus) {
  return { signatureState: st.state, signatureText: st.text };
}

export function readHistory(db: string, o: { athlete?: string; limit?: number } = {}): WebHistory {
  if (!fs.existsSync(db)) {
    if (o.athlete !== undefined) throw new Error(`no database at ${db} yet: weigh the lifter in with \`rackcell lifter weigh ${o.athlete} <kg>\``);
    return { lifter: null, lifters: [], sessions: [], prs: [] };
  }
  const store = new Store(db);
  try {
    const a = o.athlete === undefined ? undefined : findAthlete(store, o.athlete);
    const athletes = store.listAthletes();
    const names = new Map(athletes.map((x) => [x.id, x.name]));
    const keys = listKeys(store);
    let sessions = store.listSessions({ limit: 1_000_000 });
    if (a) sessions = sessions.filter((s) => s.athleteId === a.id);
    sessions = sessions.slice(0, o.limit ?? 20);
    const rec = a ? athleteRecord(athleteFromStore(store, a.id), dayOnThisMachine()) : null;
    return {
      lifter: a ? { name: a.name, bodyWeightKg: rec?.bodyWeightKg ?? null } : null,
      lifters: athletes.map((x) => ({ name: x.name, bodyWeightKg: x.latestKg })),
      sessions: sessions.map((s) => {
        const audit = store.auditSession(s.id);
        const rows = store.listLifts({ sessionId: s.id, limit: 100000 });
        return {
          sessionId: s.id, startedAt: s.startedAt, durationS: s.durationS, frames: s.frames, corruptFrames: s.corrupt, missingFrames: s.missing,
          board: s.board, lifter: s.athleteId === null ? null : names.get(s.athleteId) ?? null,
          sealed: audit.state === "sealed", sealIntact: audit.state === "sealed" && audit.problems.length === 0, sealProblems: audit.problems,
          lifts: distinctLifts(rows).map((l) => ({
            liftId: l.id, kind: l.kind, atS: l.atS, peakForceN: num(l.peakForceN), weighedLoadN: num(l.weighedLoadN),
            timeToLiftOffMs: num(l.timeToLiftOffMs), holdMs: num(l.holdMs), ...signatureFields(storedLiftStatus(store, l, rows, keys)),
          })),
        };
      }),
      prs: (rec?.prs ?? []).map((p) => ({ cls: p.cls, day: p.day, ...(p.unit === "kg" ? { loadKg: p.value } : { peakForceN: p.value }), bodyWeightMultiple: p.bodyWeightMultiple })),
    };
  } finally {
    store.close();
  }
}

import * as fs from "node:fs";
import type { Command } from "commander";
import { Store } from "../../store/store.ts";
import { distinctLifts } from "../../store/lifts.ts";
import { athleteRecord } from "../../lifter/athlete.ts";
import { dayNumber, dayOnThisMachine } from "../../lifter/days.ts";
import { formatRecordLine } from "../../lifter/format.ts";
import { athleteFromStore } from "../../lifter/store-adapter.ts";
import { findAthlete, lifterRecordText, parseDeadlift, recordOptions, type RecordCliOptions } from "./lifter.ts";
import { describeLift } from "../live-view.ts";
import { storedLiftStatus } from "../../sign/lift-state.ts";
import { listKeys } from "../../store/board-keys.ts";
import { examples, globalOptions, positiveNumber } from "../options.ts";
import { action } from "../run.ts";
import { existingDatabase, noDatabase } from "../files.ts";

interface HistoryOptions extends RecordCliOptions { limit: number; session?: number; athlete?: string }

export function register(program: Command): void {
  const cmd = program
    .command("history")
    .description("recorded sessions (duration, frames, integrity, lifts) and each lifter's PRs, body-weight multiple and micro-loading ladder")
    .option("--limit <n>", "sessions to show (newest first)", positiveNumber("--limit"), 20)
    .option("--session <id>", "show one session and all its lifts", positiveNumber("--session"))
    .option("--athlete <name>", "only this lifter's sessions, then their whole record");
  recordOptions(cmd).action(action(async (o: HistoryOptions, c: Command) => {
    const g = globalOptions(c);
    // refused before anything is printed
    (o.deadlift ?? []).forEach(parseDeadlift);
    if (o.today !== undefined) dayNumber(o.today);
    if (!fs.existsSync(g.db)) {
      process.stdout.write(`${noDatabase(g.db)}\n`); // nothing recorded yet is an answer, not an error
      return;
    }
    const store = new Store(existingDatabase(g.db));
    try {
      const athletes = store.listAthletes();
      const athlete = o.athlete === undefined ? undefined : findAthlete(store, o.athlete);
      let sessions = o.session ? store.listSessions({ id: o.session }) : store.listSessions({ limit: athlete ? 1_000_000 : o.limit });
      if (athlete) sessions = sessions.filter((s) => s.athleteId === athlete.id).slice(0, o.limit);
      // seals as stored; `rackcell audit` checks them against the frames
      const sealOf = new Map(store.seals().map((x) => [x.sessionId, x.seal]));
      const keys = listKeys(store);
      if (sessions.length === 0) process.stdout.write(o.session ? `no session ${o.session}\n` : "no sessions recorded yet\n");
      for (const s of sessions) {
        const state = s.endedAt ? "" : " (interrupted)";
        const seal = sealOf.get(s.id);
        const lifts = store.listLifts({ sessionId: s.id, limit: 100000 }); // newest first
        process.stdout.write(`#${s.id}  ${s.startedAt.replace("T", " ").slice(0, 19)}  ${s.durationS.toFixed(1).padStart(7)} s  ${String(s.frames).padStart(7)} frames  ` +
          `${s.corrupt} corrupt, ${s.missing} missing  ${distinctLifts(lifts).length} lift(s)  ${s.board ?? "?"} ${s.port ?? ""}${state}${s.note ? `  "${s.note}"` : ""}` +
          `  ${seal ? `sealed ${seal.slice(0, 8)}` : "not sealed"}\n`);
        for (const l of lifts.slice(0, o.session ? 1000 : 5).reverse()) {
          // the id is what `rackcell report --lift <id>` takes
          process.stdout.write(`      lift ${l.id}: ${describeLift({ ...l, source: l.source as "board" | "host", kind: l.kind as "rack pull" }, g.units)} — ${storedLiftStatus(store, l, lifts, keys).text}\n`);
        }
      }
      if (athlete) {
        process.stdout.write(`\n${lifterRecordText(store, athlete.name, o, g.units)}`);
      } else if (athletes.length > 0 && o.session === undefined) {
        const today = o.today ?? dayOnThisMachine();
        process.stdout.write("\nlifters (PR, body-weight multiple, ladder; `--athlete <name>` for the whole record):\n");
        for (const a of athletes) {
          const rec = athleteRecord(athleteFromStore(store, a.id), today, { weeklyBudget: o.budget, supraFraction: o.supra / 100 });
          process.stdout.write(`  ${formatRecordLine(rec)}\n`);
        }
      }
    } finally {
      store.close();
    }
  }));
  examples(cmd, [
    "rackcell history",
    "rackcell history --session 12 --units N",
    "rackcell history --athlete Mira --deadlift 460@2024-02-20 --svg ladder.svg",
    "rackcell --db ./club.db history --limit 5",
  ]);
}

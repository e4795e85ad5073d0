import * as fs from "node:fs";
import type { Command } from "commander";
import { Store } from "../../store/store.ts";
import { describeLift } from "../live-view.ts";
import { examples, globalOptions, positiveNumber } from "../options.ts";
import { action } from "../run.ts";

export function register(program: Command): void {
  const cmd = program
    .command("history")
    .description("list recorded sessions (duration, frames, integrity, lifts) and their lifts")
    .option("--limit <n>", "sessions to show (newest first)", positiveNumber("--limit"), 20)
    .option("--session <id>", "show one session and all its lifts", positiveNumber("--session"))
    .action(action(async (o: { limit: number; session?: number }, c: Command) => {
      const g = globalOptions(c);
      if (!fs.existsSync(g.db)) {
        process.stdout.write(`no database at ${g.db} yet: record a session with \`rackcell record\`\n`);
        return;
      }
      const store = new Store(g.db);
      try {
        const sessions = o.session ? store.listSessions({ id: o.session }) : store.listSessions({ limit: o.limit });
        if (sessions.length === 0) {
          process.stdout.write(o.session ? `no session ${o.session}\n` : "no sessions recorded yet\n");
          return;
        }
        for (const s of sessions) {
          const state = s.endedAt ? "" : " (interrupted)";
          process.stdout.write(`#${s.id}  ${s.startedAt.replace("T", " ").slice(0, 19)}  ${s.durationS.toFixed(1).padStart(7)} s  ${String(s.frames).padStart(7)} frames  ` +
            `${s.corrupt} corrupt, ${s.missing} missing  ${s.lifts} lift(s)  ${s.board ?? "?"} ${s.port ?? ""}${state}${s.note ? `  "${s.note}"` : ""}\n`);
          for (const l of store.listLifts({ sessionId: s.id, limit: o.session ? 1000 : 5 }).reverse()) {
            process.stdout.write(`      ${describeLift({ ...l, source: l.source as "board" | "host", kind: l.kind as "rack pull" }, g.units)}\n`);
          }
        }
      } finally {
        store.close();
      }
    }));
  examples(cmd, ["rackcell history", "rackcell history --session 12 --units N", "rackcell --db ./club.db history --limit 5"]);
}

import * as fs from "node:fs";
import type { Command } from "commander";
import { buildReport } from "../../report/lift.ts";
import { liftRecordJson, liftRecordsCsv, type LiftRecordJson } from "../../report/lift-record.ts";
import { liftFromStore } from "../../report/source.ts";
import { distinctLifts } from "../../store/lifts.ts";
import { Store } from "../../store/store.ts";
import { csvHeader, csvRow } from "../csv.ts";
import { examples, globalOptions } from "../options.ts";
import { action } from "../run.ts";
import { existingDatabase } from "../files.ts";

/** Every lift (each once: distinctLifts), or a session's, as lift records; a lift that cannot be analysed is said on stderr and left out. */
export function liftRecords(store: Store, sessionId: number | undefined, warn: (line: string) => void): LiftRecordJson[] {
  const lifts = distinctLifts(store.listLifts({ sessionId, limit: 1_000_000 }));
  const out: LiftRecordJson[] = [];
  for (const l of lifts) {
    try {
      out.push(liftRecordJson(buildReport(liftFromStore(store, l.id), "N")));
    } catch (e) {
      warn(`lift ${l.id} left out: ${(e as Error).message}`);
    }
  }
  return out;
}

export function register(program: Command): void {
  const cmd = program
    .command("export [session]")
    .description("write a recorded session as CSV (time_s, force per pin and total in N, raw counts per pin) for R or a spreadsheet; default: the latest session. " +
      "With --lifts: one row per lift with every metric, units in the headers (all sessions, or the one given)")
    .option("-o, --out <file>", "write to this file instead of stdout")
    .option("--lifts", "one row per lift with every metric of its analysis instead of the frames")
    .option("--json", "with --lifts: the lift records as a JSON array (schema: host/report/lift-record.schema.json)")
    .action(action(async (sessionArg: string | undefined, o: { out?: string; lifts?: boolean; json?: boolean }, c: Command) => {
      const g = globalOptions(c);
      existingDatabase(g.db);
      if (o.json && !o.lifts) throw new Error("--json goes with --lifts (the frames are CSV only)");
      const store = new Store(g.db);
      try {
        if (sessionArg !== undefined && !/^\d+$/.test(sessionArg)) throw new Error(`"${sessionArg}" is not a session number (see rackcell history)`);
        if (o.lifts) {
          const records = liftRecords(store, sessionArg === undefined ? undefined : Number(sessionArg), (line) => process.stderr.write(`${line}\n`));
          const text = o.json ? `${JSON.stringify(records, null, 2)}\n` : liftRecordsCsv(records);
          if (o.out) {
            fs.writeFileSync(o.out, text);
            process.stderr.write(`${records.length} lifts → ${o.out}\n`);
          } else process.stdout.write(text);
          return;
        }
        const id = sessionArg !== undefined ? Number(sessionArg) : store.listSessions({ limit: 1 })[0]?.id;
        if (id === undefined || !Number.isInteger(id)) throw new Error(sessionArg ? `"${sessionArg}" is not a session number (see rackcell history)` : `no sessions in ${g.db}`);
        const s = store.getSession(id);
        if (!s) throw new Error(`no session ${id} in ${g.db} (see rackcell history)`);
        const names = s.channelNames.length === s.channels ? s.channelNames : Array.from({ length: s.channels }, (_, i) => `ch${i}`);
        const fd = o.out ? fs.openSync(o.out, "w") : 1;
        let buf = `${csvHeader(names)}\n`;
        let n = 0;
        for (const f of store.frames(id)) {
          buf += `${csvRow(f)}\n`;
          n++;
          if (buf.length > 1 << 16) {
            fs.writeSync(fd, buf);
            buf = "";
          }
        }
        fs.writeSync(fd, buf);
        if (o.out) {
          fs.closeSync(fd);
          process.stderr.write(`session ${id}: ${n} frames → ${o.out}\n`);
        }
      } finally {
        store.close();
      }
    }));
  examples(cmd, [
    "rackcell export -o latest.csv",
    "rackcell export 12 > pulls.csv",
    "rackcell --db ./club.db export 3 -o s3.csv   # in R: read.csv(\"s3.csv\")",
    "rackcell export --lifts -o lifts.csv          # one row per lift, every metric",
    "rackcell export --lifts 12 --json             # session 12's lift records",
  ]);
}

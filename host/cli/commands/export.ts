import * as fs from "node:fs";
import type { Command } from "commander";
import { Store } from "../../store/store.ts";
import { csvHeader, csvRow } from "../csv.ts";
import { examples, globalOptions } from "../options.ts";
import { action } from "../run.ts";

export function register(program: Command): void {
  const cmd = program
    .command("export [session]")
    .description("write a recorded session as CSV (time_s, force per pin and total in N, raw counts per pin) for R or a spreadsheet; default: the latest session")
    .option("-o, --out <file>", "write to this file instead of stdout")
    .action(action(async (sessionArg: string | undefined, o: { out?: string }, c: Command) => {
      const g = globalOptions(c);
      if (!fs.existsSync(g.db)) throw new Error(`no database at ${g.db}: record a session first (rackcell record), or give --db FILE`);
      const store = new Store(g.db);
      try {
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
  examples(cmd, ["rackcell export -o latest.csv", "rackcell export 12 > pulls.csv", "rackcell --db ./club.db export 3 -o s3.csv   # in R: read.csv(\"s3.csv\")"]);
}

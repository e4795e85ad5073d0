import type { Command } from "commander";
import { Store } from "../../store/store.ts";
import { distinctLifts } from "../../store/lifts.ts";
import { connectBoard } from "../board.ts";
import { formatCounts } from "../counts.ts";
import { describeLift } from "../live-view.ts";
import { examples, globalOptions, positiveNumber } from "../options.ts";
import { Recorder } from "../recorder.ts";
import { rememberBoardKey } from "./keys.ts";
import { untilStopped } from "../run.ts";
import { action } from "../run.ts";

export function register(program: Command): void {
  const cmd = program
    .command("record")
    .description("record a session into the database: every frame (raw counts, force, flags), lifts and integrity counts; committed every 100 ms, so nothing is lost if it is killed")
    .option("--seconds <n>", "stop after n seconds (default: until Ctrl-C)", positiveNumber("--seconds"))
    .option("--athlete <name>", "who is lifting (created when new)")
    .option("--body-weight <kg>", "the athlete's body weight today, kg", positiveNumber("--body-weight"))
    .option("--note <text>", "a note kept with the session")
    .option("--scenario <spec>", "emulated board only: scenario to play")
    .action(action(async (o: { seconds?: number; athlete?: string; bodyWeight?: number; note?: string; scenario?: string }, c: Command) => {
      const g = globalOptions(c);
      const store = new Store(g.db);
      const board = await connectBoard(g, { scenario: o.scenario });
      let athleteId: number | undefined;
      if (o.athlete) {
        athleteId = store.athlete(o.athlete);
        if (o.bodyWeight) store.addBodyWeight(athleteId, o.bodyWeight);
      }
      const rec = new Recorder(store, board.session, { port: board.path, athleteId, note: o.note });
      // the board's lift key, remembered (rackcell keys) so its signatures can be checked later
      await rememberBoardKey(store, board.session, "session").catch((e: Error) => process.stderr.write(`board key not read: ${e.message}\n`));
      board.session.onEvent((e) => {
        if (e.type === "lift") process.stderr.write(`lift: ${describeLift(e.lift, g.units)}\n`);
        if (e.type === "state") process.stderr.write(`${e.detail}\n`);
      });
      process.stderr.write(`recording session ${rec.sessionId} from ${board.path} into ${g.db}${o.seconds ? ` for ${o.seconds} s` : " (Ctrl-C to stop)"}\n`);
      const progress = setInterval(() => {
        if (process.stderr.isTTY) process.stderr.write(`\r  ${board.session.live.timeS.toFixed(1)} s, ${rec.frames} frames stored, ${formatCounts(rec.counts())}   `);
      }, 250);
      await untilStopped({ seconds: o.seconds });
      clearInterval(progress);
      await board.close();
      const seal = rec.finish();
      const row = store.getSession(rec.sessionId)!;
      const lifts = distinctLifts(store.listLifts({ sessionId: row.id, limit: 100000 })).length;
      store.close();
      process.stderr.write(process.stderr.isTTY ? "\n" : "");
      process.stdout.write(`session ${row.id}: ${row.frames} frames, ${row.durationS.toFixed(1)} s, ${lifts} lift(s); ${formatCounts(rec.counts())}\n`);
      process.stdout.write(`sealed: ${seal} (keep it: \`rackcell audit --expect ${seal.slice(0, 16)}\` shows the record is unchanged)\n`);
      process.stdout.write(`export it with: rackcell export ${row.id} -o session-${row.id}.csv\n`);
    }));
  examples(cmd, [
    "rackcell record --seconds 30",
    "rackcell --port /dev/ttyUSB0 record --athlete Ana --body-weight 74.8 --note 'rack pulls, pin 3'",
    "rackcell --db ./club.db record --seconds 60 --scenario rackpull:kg=200",
  ]);
}

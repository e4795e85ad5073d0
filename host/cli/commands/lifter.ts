/**
 * `rackcell lifter …`: the lifter's record from the command line (`rackcell history --athlete`
 * prints the same record).
 *   rackcell lifter weigh <name> <kg> [--date YYYY-MM-DD]   add a weigh-in (creates the athlete)
 *   rackcell lifter show <name> [--deadlift 460@2024-02-20 …] [--budget 20] [--today D] [--svg f]
 */
import * as fs from "node:fs";
import type { Command } from "commander";
import { athleteRecord } from "../../lifter/athlete.ts";
import { dayNumber, dayOnThisMachine } from "../../lifter/days.ts";
import { formatRecord } from "../../lifter/format.ts";
import { ladderSvg } from "../../lifter/plot.ts";
import { athleteFromStore } from "../../lifter/store-adapter.ts";
import { Store } from "../../store/store.ts";
import { examples, globalOptions, positiveNumber } from "../options.ts";
import { action } from "../run.ts";
import { existingDatabase } from "../files.ts";

/** "460@2024-02-20" → { kg: 460, day } */
export function parseDeadlift(text: string): { kg: number; day: string } {
  const m = /^(\d+(?:\.\d+)?)@(\d{4}-\d{2}-\d{2})$/.exec(text.trim());
  if (!m) throw new Error(`--deadlift wants <kg>@<YYYY-MM-DD>, e.g. 460@2024-02-20 (got "${text}")`);
  dayNumber(m[2]);
  return { kg: Number(m[1]), day: m[2] };
}

export interface RecordCliOptions { deadlift?: string[]; budget: number; supra: number; today?: string; svg?: string }

/** The options of the lifter's record, shared by `lifter show` and `history --athlete`. */
export function recordOptions(cmd: Command): Command {
  return cmd
    .option("--deadlift <kg@day...>", "best full-range deadlifts (the rack does not see them), e.g. 460@2024-02-20")
    .option("--budget <n>", "weekly budget of supra-maximal singles", positiveNumber("--budget"), 20)
    .option("--supra <percent>", "supra-maximal threshold, % of the best deadlift", positiveNumber("--supra"), 105)
    .option("--today <day>", "as of this day (YYYY-MM-DD), default today")
    .option("--svg <file>", "write the micro-loading ladder as an SVG plot");
}

/** The athlete of that name, or an error naming the ones there are. */
export function findAthlete(store: Store, name: string): { id: number; name: string } {
  const all = store.listAthletes();
  const a = all.find((x) => x.name === name);
  if (a === undefined) {
    const known = all.map((x) => x.name);
    throw new Error(`no athlete "${name}" (${known.length ? `known: ${known.join(", ")}; ` : ""}add one with \`rackcell lifter weigh ${name} <kg>\`)`);
  }
  return a;
}

/** The athlete's record as text (and the ladder's SVG when asked). */
export function lifterRecordText(store: Store, name: string, o: RecordCliOptions, units: string): string {
  const a = findAthlete(store, name);
  const input = athleteFromStore(store, a.id, { deadlifts: (o.deadlift ?? []).map(parseDeadlift) });
  const today = o.today ?? dayOnThisMachine();
  if (o.today) dayNumber(o.today);
  const opts = { weeklyBudget: o.budget, supraFraction: o.supra / 100 };
  const rec = athleteRecord(input, today, opts);
  let text = `${formatRecord(rec)}\n`;
  if (o.svg) {
    const th = rec.deadliftBestKg === null ? null : rec.deadliftBestKg * opts.supraFraction;
    fs.writeFileSync(o.svg, ladderSvg(rec.ladder, { unit: units === "lbf" ? "lb" : "kg", thresholdKg: th, today, title: `${name}: micro-loading ladder` }));
    text += `wrote ${o.svg}\n`;
  }
  return text;
}

export function register(program: Command): void {
  const lifter = program.command("lifter").description("the lifter's record: weigh-ins, PRs, micro-loading ladder, supra-maximal singles");
  const weigh = lifter
    .command("weigh <name> <kg>")
    .description("add a body-weight weigh-in (the athlete is created when new)")
    .option("--date <day>", "day of the weigh-in (YYYY-MM-DD), default today")
    .action(action(async (name: string, kgText: string, o: { date?: string }, c: Command) => {
      const kg = positiveNumber("<kg>")(kgText);
      if (!(kg < 500)) throw new Error(`body weight ${kg} kg is not plausible`);
      if (o.date) dayNumber(o.date); // refused before anything is written
      const g = globalOptions(c);
      const store = new Store(g.db);
      try {
        const id = store.athlete(name);
        const at = o.date ? new Date(`${o.date}T12:00:00`) : new Date();
        store.addBodyWeight(id, kg, at);
        process.stdout.write(`${name}: ${kg} kg on ${o.date ?? dayOnThisMachine(at)}\n`);
      } finally {
        store.close();
      }
    }));
  examples(weigh, ["rackcell lifter weigh Mira 75.2", "rackcell lifter weigh Mira 76 --date 2024-03-01"]);
  const show = lifter
    .command("show <name>")
    .description("PRs (per pin height), body-weight multiples, ladder, weekly supra-maximal singles, days since the last heavy session");
  recordOptions(show).action(action(async (name: string, o: RecordCliOptions, c: Command) => {
    const g = globalOptions(c);
    const store = new Store(existingDatabase(g.db));
    try {
      process.stdout.write(lifterRecordText(store, name, o, g.units));
    } finally {
      store.close();
    }
  }));
  examples(show, ["rackcell lifter show Mira --deadlift 460@2024-02-20", "rackcell lifter show Mira --budget 15 --svg ladder.svg"]);
}

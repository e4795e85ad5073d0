/**
 * `rackcell lifter …`: the lifter's record from the command line (module for the lead to wire into
 * host/cli/main.ts with `register(program)`; not registered by this module itself).
 *   rackcell lifter weigh <name> <kg> [--date YYYY-MM-DD]   add a weigh-in (creates the athlete)
 *   rackcell lifter show <name> [--deadlift 460@2024-02-20 …] [--budget 20] [--today D] [--svg f]
 */
import * as fs from "node:fs";
import type { Command } from "commander";
import { Store } from "../store/store.ts";
import { examples, globalOptions, positiveNumber } from "../cli/options.ts";
import { athleteRecord, dayNumber, formatRecord, localDay } from "./record.ts";
import { ladderSvg } from "./plot.ts";
import { athleteFromStore } from "./store-adapter.ts";

/** "460@2024-02-20" → { kg: 460, day } */
export function parseDeadlift(text: string): { kg: number; day: string } {
  const m = /^(\d+(?:\.\d+)?)@(\d{4}-\d{2}-\d{2})$/.exec(text.trim());
  if (!m) throw new Error(`--deadlift wants <kg>@<YYYY-MM-DD>, e.g. 460@2024-02-20 (got "${text}")`);
  dayNumber(m[2]);
  return { kg: Number(m[1]), day: m[2] };
}

export function register(program: Command): void {
  const lifter = program.command("lifter").description("the lifter's record: weigh-ins, PRs, micro-loading ladder, supra-maximal singles");
  const weigh = lifter
    .command("weigh <name> <kg>")
    .description("add a body-weight weigh-in (the athlete is created when new)")
    .option("--date <day>", "day of the weigh-in (YYYY-MM-DD), default today")
    .action(async (name: string, kgText: string, o: { date?: string }, c: Command) => {
      const kg = positiveNumber("<kg>")(kgText);
      const g = globalOptions(c);
      const store = new Store(g.db);
      try {
        const id = store.athlete(name);
        const at = o.date ? new Date(`${o.date}T12:00:00`) : new Date();
        if (o.date) dayNumber(o.date);
        store.addBodyWeight(id, kg, at);
        process.stdout.write(`${name}: ${kg} kg on ${o.date ?? localDay(at.toISOString(), -at.getTimezoneOffset())}\n`);
      } finally {
        store.close();
      }
    });
  examples(weigh, ["rackcell lifter weigh Mira 75.2", "rackcell lifter weigh Mira 76 --date 2024-03-01"]);
  const show = lifter
    .command("show <name>")
    .description("PRs (per pin height), body-weight multiples, ladder, weekly supra-maximal singles, days since the last heavy session")
    .option("--deadlift <kg@day...>", "best full-range deadlifts (the rack does not see them), e.g. 460@2024-02-20")
    .option("--budget <n>", "weekly budget of supra-maximal singles", positiveNumber("--budget"), 20)
    .option("--supra <percent>", "supra-maximal threshold, % of the best deadlift", positiveNumber("--supra"), 105)
    .option("--today <day>", "as of this day (YYYY-MM-DD), default today")
    .option("--svg <file>", "write the micro-loading ladder as an SVG plot")
    .action(async (name: string, o: { deadlift?: string[]; budget: number; supra: number; today?: string; svg?: string }, c: Command) => {
      const g = globalOptions(c);
      if (!fs.existsSync(g.db)) throw new Error(`no database at ${g.db} yet`);
      const store = new Store(g.db);
      try {
        const a = store.listAthletes().find((x) => x.name === name);
        if (a === undefined) throw new Error(`no athlete "${name}" (add one with \`rackcell lifter weigh ${name} <kg>\`)`);
        const input = athleteFromStore(store, a.id, { deadlifts: (o.deadlift ?? []).map(parseDeadlift) });
        const now = new Date();
        const today = o.today ?? localDay(now.toISOString(), -now.getTimezoneOffset());
        const opts = { weeklyBudget: o.budget, supraFraction: o.supra / 100 };
        const rec = athleteRecord(input, today, opts);
        process.stdout.write(`${formatRecord(rec)}\n`);
        if (o.svg) {
          const th = rec.deadliftBestKg === null ? null : rec.deadliftBestKg * opts.supraFraction;
          fs.writeFileSync(o.svg, ladderSvg(rec.ladder, { unit: g.units === "lbf" ? "lb" : "kg", thresholdKg: th, today, title: `${name}: micro-loading ladder` }));
          process.stdout.write(`wrote ${o.svg}\n`);
        }
      } finally {
        store.close();
      }
    });
  examples(show, ["rackcell lifter show Mira --deadlift 460@2024-02-20", "rackcell lifter show Mira --budget 15 --svg ladder.svg"]);
}

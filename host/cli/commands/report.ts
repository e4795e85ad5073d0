import * as fs from "node:fs";
import { Option, type Command } from "commander";
import { action } from "../run.ts";
import { existingDatabase, readInputFile } from "../files.ts";
import { examples, globalOptions, positiveNumber, wholeNumber } from "../options.ts";
import { buildReport, reportText, type LiftRecord } from "../../report/lift.ts";
import { liftRecordJson } from "../../report/lift-record.ts";
import { forceTimeSvg, svgToPng } from "../../report/plot.ts";
import { demoLift, liftFromCsv, liftFromStore } from "../../report/source.ts";
import { Store } from "../../store/store.ts";

interface ReportFlags {
  lift?: number;
  csv?: string;
  demo?: string;
  kind?: string;
  svg?: string;
  png?: string;
  width?: number;
  body?: number;
  json?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command("report")
    .description("one lift's report: metrics with units, resolution and flags, and a force-time plot (SVG/PNG)")
    .option("--lift <id>", "a lift from the database (`rackcell history` lists them)", wholeNumber("--lift", 1, Number.MAX_SAFE_INTEGER))
    .option("--csv <file>", "samples from a CSV: time_ms|time_s, left_n,right_n and/or total_n (pin load, N)")
    .addOption(new Option("--demo <kind>", "a built-in example").choices(["isometric", "rackpull"]))
    .addOption(new Option("--kind <kind>", "what the --csv holds (default rackpull)").choices(["isometric", "rackpull"]))
    .option("--svg <file>", "write the force-time plot as SVG")
    .option("--png <file>", "write the force-time plot as PNG")
    .option("--width <px>", "PNG width (default 900)", wholeNumber("--width", 100, 10000))
    .option("--body <kg>", "body mass, for × body weight", positiveNumber("--body"))
    .option("--json", "print the lift record as JSON: every metric a number, its unit in its name (schema: host/report/lift-record.schema.json)")
    .action(action(async (flags: ReportFlags, c: Command) => {
      const g = globalOptions(c);
      let rec: LiftRecord;
      const kind = (k?: string): LiftRecord["kind"] => (k && /iso/i.test(k) ? "isometric" : "rackpull");
      if (flags.lift !== undefined) {
        const store = new Store(existingDatabase(g.db));
        try {
          rec = liftFromStore(store, flags.lift);
        } finally {
          store.close();
        }
      } else if (flags.csv) rec = liftFromCsv(readInputFile("the CSV", flags.csv), flags.csv, kind(flags.kind));
      else if (flags.demo) rec = demoLift(kind(flags.demo));
      else {
        process.stderr.write("report: say which lift: --lift <id>, --csv <file> or --demo isometric|rackpull\n");
        process.exitCode = 2;
        return;
      }
      if (flags.body !== undefined) rec.bodyMassKg = flags.body;
      const rep = buildReport(rec, g.units);
      process.stdout.write(flags.json ? `${JSON.stringify(liftRecordJson(rep), null, 2)}\n` : reportText(rep));
      if (flags.svg || flags.png) {
        const svg = forceTimeSvg(rep);
        if (flags.svg) fs.writeFileSync(flags.svg, svg);
        if (flags.png) fs.writeFileSync(flags.png, await svgToPng(svg, flags.width));
        process.stderr.write(`plot written to ${[flags.svg, flags.png].filter(Boolean).join(" and ")}\n`);
      }
    }));
  examples(cmd, [
    "rackcell report --lift 12 --png lift12.png",
    "rackcell --units lbf report --csv pull.csv --kind isometric --svg pull.svg",
    "rackcell report --demo isometric --png demo.png",
  ]);
}

import type { Command } from "commander";
import { loadBoard, type BoardDefinition } from "../../build/boards.ts";
import { connectBoard } from "../board.ts";
import { action } from "../run.ts";
import { readJsonInput } from "../files.ts";
import { examples, globalOptions, wholeNumber } from "../options.ts";
import { parsePlates, CALIBRATED_PLATES, type PlateSpec } from "../../calibrate/plates.ts";
import { parsePoints, validatePlan, type PlannedPoint } from "../../calibrate/plan.ts";
import { describeRun, runCalibration, type PlaceFn } from "../../calibrate/run.ts";
import { announceOnly, askPerson, emulatorPlace } from "../../calibrate/place.ts";
import { Store } from "../../store/store.ts";
import { DEFAULT_BOARD } from "../../paths.ts";

interface CalibrateFlags {
  points?: string;
  plan?: string;
  plates?: string;
  board?: string;
  samples?: number;
  settle?: number;
  calId?: string;
  save: boolean;
  yes?: boolean;
  json?: boolean;
}

/** A plan file: {"points": "left:100,..." | [{"pin":"left","kg":100}], "plates": "calibrated", "samples": 80, "settleMs": 1500} */
export function readPlanFile(file: string): { points?: PlannedPoint[]; plates?: string; samples?: number; settleMs?: number; calId?: string } & Record<string, unknown> {
  const plan = readJsonFile(file);
  if (typeof plan.points === "string") plan.points = parsePoints(plan.points).points;
  return plan as never;
}

/** A plan file's JSON object, or an error naming it (cannot be read, not JSON, not an object). */
export function readJsonFile(file: string): Record<string, unknown> {
  const plan = readJsonInput("the plan", file);
  if (plan === null || typeof plan !== "object" || Array.isArray(plan)) throw new Error(`the plan ${file} is not a JSON object`);
  return plan as Record<string, unknown>;
}

/** How plates get onto the pins: the emulator's scenario, a person at the terminal, or nobody (--yes). */
export function choosePlace(emulator: { setScenario?(spec: string): void | Promise<void> } | undefined, board: BoardDefinition, yes: boolean, log: (s: string) => void): PlaceFn {
  const setScenario = emulator?.setScenario?.bind(emulator);
  if (setScenario) return emulatorPlace({ setScenario }, board.channels.map((c) => c.name), log);
  if (!yes && process.stdin.isTTY) return askPerson();
  return announceOnly(log);
}

export function register(program: Command): void {
  const cmd = program
    .command("calibrate")
    .description("guided calibration with plates of known mass: tare, capture each load, fit per pin, save on the board")
    .option("--points <list>", 'loads as pin:kg, in order, e.g. "left:100,left:200,right:100,right:200,both:300" (pins: the board\'s channels or both)')
    .option("--plan <file>", "a JSON plan: {points, plates, samples, settleMs, calId}")
    .option("--plates <kind>", "calibrated | gym | gym:<pct>% | custom:<pct>% | custom:<kg>kg (default calibrated)")
    .option("--board <name>", "board definition (default: what the board reports)")
    .option("--samples <n>", "samples averaged per reading, 8..1024 (default 80)", wholeNumber("--samples", 8, 1024))
    .option("--settle <ms>", "wait after placing plates before reading (default 1500)", wholeNumber("--settle", 0, 600000))
    .option("--cal-id <id>", "calibration id stored on the board (default cal-<date>-<time>)")
    .option("--no-save", "fit and report, but do not save on the board")
    .option("--yes", "do not wait for Enter between steps (scripted use)")
    .option("--json", "print the result as JSON")
    .action(action(async (flags: CalibrateFlags, c: Command) => {
      const g = globalOptions(c);
      const log = (s: string) => process.stderr.write(`${s}\n`);
      const plan = flags.plan ? readPlanFile(flags.plan) : {};
      const pointsText = flags.points;
      const points = pointsText ? parsePoints(pointsText) : { points: plan.points ?? [], reasons: [] as string[] };
      if (points.reasons.length > 0 || points.points.length === 0) {
        log(`calibrate: ${points.reasons.join("; ") || 'give the loads with --points "left:100,left:200,right:100,right:200,both:300" or --plan plan.json'}`);
        process.exitCode = 2;
        return;
      }
      const plates = flags.plates ?? plan.plates ? parsePlates((flags.plates ?? plan.plates) as string) : CALIBRATED_PLATES;
      if ("error" in plates) {
        log(`calibrate: ${plates.error}`);
        process.exitCode = 2;
        return;
      }
      // refuse a nonsense plan before touching the board, when we know which board it is
      const knownBoard = flags.board ?? (g.port ? undefined : DEFAULT_BOARD);
      if (knownBoard) {
        const early = validatePlan(loadBoard(knownBoard), points.points, plates as PlateSpec);
        if (!early.ok) {
          log(`calibrate refused:\n${early.reasons.map((r) => `  - ${r}`).join("\n")}`);
          process.exitCode = 2;
          return;
        }
      }
      const bc = await connectBoard(g, { scenario: "empty", emulatorBoard: flags.board, log });
      try {
        const board = loadBoard(flags.board ?? (bc.session.info.board || DEFAULT_BOARD));
        const run = await runCalibration(bc.session, board, points.points, plates as PlateSpec, choosePlace(bc.emulator, board, !!flags.yes, log), {
          samples: flags.samples ?? plan.samples,
          settleMs: flags.settle ?? plan.settleMs,
          calId: flags.calId ?? plan.calId, save: flags.save, log,
        });
        if (run.ok) {
          try {
            const store = new Store(g.db);
            store.addCertificate({
              board: board.name, build: bc.session.info.build, calibrationId: run.saved?.calId, passed: true,
              summary: `calibration ${run.saved?.calId ?? "(not saved)"}: ${run.outcome?.summary[0] ?? ""}`, certificate: { kind: "rackcell-calibration", run },
            });
            store.close();
          } catch (e) {
            log(`calibrate: not stored in the database (${(e as Error).message})`);
          }
        }
        // --json: numbers only; the summary is the text output's (describeRun)
        const json = { ...run, outcome: run.outcome && { ...run.outcome, summary: undefined } };
        process.stdout.write(flags.json ? `${JSON.stringify(json, null, 2)}\n` : `${describeRun(run)}\n`);
        if (!run.ok) process.exitCode = 1;
      } finally {
        await bc.close();
      }
    }));
  examples(cmd, [
    'rackcell calibrate --points "left:100,left:200,right:100,right:200,both:300"        # asks you to place each load',
    'rackcell calibrate --port /dev/ttyUSB0 --plates gym:2% --points "left:100,left:200,right:100,right:200"',
    "rackcell calibrate --plan plan.json --yes --json                                     # scripted",
  ]);
}

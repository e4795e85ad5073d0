/**
 * The real pipeline: each curve is written as a force-time CSV and replayed through the
 * EMULATED BOARD (host/emulator: the transpiled firmware in Lua 5.1, the physics' load cells and
 * HX711s) → the board's serial output (sealed lines) → the same host decode and analysis as the
 * stand-in.
 *
 * Calibration (the real path): once per board, through the firmware's own commands, with
 * constant-force CSV scenarios: `tare` with the pins empty, `capture,all,<N>` at two loads,
 * `fit` (least squares per channel, applied at once). Frames then carry calibrated forces; when
 * that fails the run falls back to raw counts with the cell's nominal sensitivity and a zero
 * measured with the pins empty, and says so (`calibration` in the source's notes).
 *
 * Time base: frames carry only sequence numbers and the HX711's oscillator is off nominal by up
 * to ±1 % (physics default), so each CSV is framed by sync pulses (sync.ts: +400 N for 600 ms on both
 * pins) before and after the curve. Their 50 % crossings in the decoded record, matched to their
 * known times, give the offset and the true period of that record (a least-squares line through
 * the four edges). That removes the constant pipeline latency (the sinc⁴ filter's group delay of
 * 2 periods, frame pairing, batching) exactly as the stand-in's latency compensation does; the
 * host's SeqClock does the rate part from heartbeats in real sessions.
 *
 * Sample rate: the HX711 RATE pin is a board property (boards/*.json `sampleRateSps`, used by the
 * emulator's chips and by the firmware). A board definition with sampleRateSps 10 and the same two
 * channels is used for 10 SPS.
 *
 * Nothing here falls back to another pipeline: a board that cannot be found, started or made to
 * stream is an error with its cause, so no figure is ever measured on a stand-in while it claims
 * the emulated board.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { decodeSample, openLine, splitFields } from "../../shared/protocol/frame.ts";
import { encodeCommand } from "../../shared/protocol/messages.ts";
import { validationBoards, type ValidationBoards } from "./cell.ts";
import type { Curve } from "./spec.ts";
import { SYNC_POST_S, SYNC_PRE_S, syncEdgesMs, syncedCsv } from "./sync.ts";
import type { WireRecord, WireSource } from "./wire.ts";

type Board = Awaited<ReturnType<typeof import("../../host/emulator/index.ts").startEmulatedBoard>>;

interface BoardRun {
  board: Board;
  text: string;
  nextId: number;
  calibration: "firmware" | "raw";
  zero: number[];
}

async function constantScenario(run: BoardRun, dir: string, name: string, l: number, r: number): Promise<void> {
  const f = path.join(dir, `${name}.csv`);
  fs.writeFileSync(f, `time_s,left_n,right_n\n0,${l},${r}\n1000,${l},${r}\n`);
  await run.board.setScenario(f);
}

/** Sends a command and waits (virtual time) for its reply; returns the reply's fields or null. */
async function command(run: BoardRun, name: string, args: string[], maxMs = 20000): Promise<string[] | null> {
  const id = run.nextId++;
  const from = run.text.length;
  run.board.write(`${encodeCommand(id, name, args)}\n`);
  let reply: string[] | null = null;
  await run.board.runUntil(() => {
    const lines = run.text.slice(from).split("\n");
    for (const line of lines) {
      if (line.charCodeAt(0) !== 82) continue;
      const o = openLine(line.replace(/\r$/, ""));
      if (o.error !== "") continue;
      const f = splitFields(o.body);
      if (f[0] === "R" && f[1] === String(id)) {
        reply = f;
        return true;
      }
    }
    return false;
  }, maxMs);
  return reply;
}

async function startRun(boardName: string, seed: number, dir: string, notes: string[]): Promise<BoardRun> {
  const { startEmulatedBoard } = await import("../../host/emulator/index.ts");
  const board = await startEmulatedBoard({ board: boardName, install: "firmware", scenario: "empty", seed, clock: "manual" });
  const run: BoardRun = { board, text: "", nextId: 1, calibration: "raw", zero: [0, 0] };
  board.onData((c) => {
    run.text += c.toString("latin1");
  });
  const booted = await board.runUntil((t) => /\nS[^\n]*\n[^\n]*\nS/.test(t), 15000);
  if (!booted) {
    await board.close();
    throw new Error(`emulated ${boardName}: no sample frames within 15 s of boot (got: ${JSON.stringify(run.text.slice(-200))})`);
  }
  // warm-up with the pins empty, then the real calibration path
  await constantScenario(run, dir, "cal0", 0, 0);
  await board.advance(5000);
  const tare = await command(run, "tare", ["256"]);
  await constantScenario(run, dir, "cal1", 1000, 1000);
  await board.advance(1000);
  const c1 = tare && tare[2] === "ok" ? await command(run, "capture", ["all", "1000", "128"]) : null;
  await constantScenario(run, dir, "cal2", 3000, 3000);
  await board.advance(1000);
  const c2 = c1 && c1[2] === "ok" ? await command(run, "capture", ["all", "3000", "128"]) : null;
  const fit = c2 && c2[2] === "ok" ? await command(run, "fit", []) : null;
  if (fit && fit[2] === "ok") {
    run.calibration = "firmware";
    notes.push(`${boardName}: calibrated through the firmware (tare, capture 1000 N and 3000 N per pin, fit): ${fit.slice(3).join(",")}`);
  } else {
    notes.push(
      `${boardName}: firmware calibration failed (tare ${tare?.join(",") ?? "no reply"}; capture ${c1?.join(",") ?? "-"}/${c2?.join(",") ?? "-"}; ` +
        `fit ${fit?.join(",") ?? "-"}): forces from raw counts with the nominal sensitivity`,
    );
    // zero: mean raw counts with the pins empty
    await constantScenario(run, dir, "cal0b", 0, 0);
    await board.advance(1000);
    const from = run.text.length;
    await board.advance(1000);
    const raws: number[][] = [[], []];
    for (const line of run.text.slice(from).split("\n")) {
      const o = openLine(line.replace(/\r$/, ""));
      if (o.error !== "" || o.body.charCodeAt(0) !== 83) continue;
      const f = decodeSample(o.body);
      if (f.seq >= 0) for (let ch = 0; ch < 2; ch++) raws[ch].push(f.rawCounts[ch]);
    }
    run.zero = raws.map((r) => (r.length > 0 ? r.reduce((p, q) => p + q, 0) / r.length : 0));
  }
  return run;
}

export interface EmulatedOptions {
  board80?: string;
  board10?: string;
  seed?: number;
}

/** What the emulated pipeline did besides measuring (how each board was calibrated), to print. */
export const lastEmulatorNotes: string[] = [];

/**
 * The emulated pipeline as a WireSource. Throws, with the cause, when the boards, the emulator or
 * the firmware cannot run here; a rate without a board fails its curves the same way.
 */
export async function emulatedSource(o: EmulatedOptions = {}): Promise<WireSource> {
  lastEmulatorNotes.length = 0;
  const notes = lastEmulatorNotes;
  const chosen: ValidationBoards = validationBoards();
  const b80 = o.board80 ?? chosen.board80;
  const b10 = o.board10 ?? chosen.board10;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-validation-"));
  const runs = new Map<number, BoardRun>();
  try {
    runs.set(80, await startRun(b80, o.seed ?? 1, dir, notes));
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`the emulated pipeline could not start ${b80}: ${(e as Error).message}`, { cause: e });
  }
  const probe = runs.get(80)!;
  let counter = 0;
  const source: WireSource = {
    name: `emulated board (${b80}${b10 ? `, ${b10}` : ""}; calibration ${probe.calibration})`,
    async wire(curve: Curve, rateSps: number): Promise<WireRecord> {
      const boardName = rateSps === 10 ? b10 : rateSps === 80 ? b80 : undefined;
      if (boardName === undefined) throw new Error(`the emulated pipeline has no ${rateSps} SPS board: boards/ needs a 2-channel board with sampleRateSps ${rateSps}`);
      let run = runs.get(rateSps);
      if (run === undefined) {
        run = await startRun(boardName, o.seed ?? 1, dir, notes);
        runs.set(rateSps, run);
      }
      const file = path.join(dir, `curve${counter++}.csv`);
      fs.writeFileSync(file, syncedCsv(curve));
      const from = run.text.length;
      await run.board.setScenario(file);
      const totalMs = SYNC_PRE_S * 1000 + curve.timesMs[curve.timesMs.length - 1] + SYNC_POST_S * 1000 + 300;
      await run.board.advance(totalMs);
      const lines = run.text
        .slice(from)
        .split("\n")
        .map((l) => l.replace(/\r$/, ""))
        .filter((l) => l.length > 0);
      // back to empty pins between curves
      await constantScenario(run, dir, "idle", 0, 0);
      await run.board.advance(300);
      fs.rmSync(file, { force: true });
      return {
        rateSps,
        lines,
        firstConversionEndMs: NaN, // set by alignEmulated
        latencyMs: 0,
        periodMs: 1000 / rateSps,
        pipeline: `emulated ${boardName}`,
        calibration: run.calibration === "firmware" ? undefined : { zeroCounts: run.zero, nominal: true },
        align: { edgesMs: syncEdgesMs(curve), curveEndMs: curve.timesMs[curve.timesMs.length - 1] },
      } as WireRecord;
    },
    async close(): Promise<void> {
      for (const r of runs.values()) await r.board.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return source;
}

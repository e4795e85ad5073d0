import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulatedBoard, type EmulatedBoard } from "../emulator/index.ts";
import { openSession } from "../session/connect.ts";
import type { Session } from "../session/session.ts";
import type { Connection } from "../transport/connection.ts";
import { loadBoard } from "../build/boards.ts";
import { CALIBRATED_PLATES } from "./plates.ts";
import { parsePoints } from "./plan.ts";
import { emulatorPlace } from "./place.ts";
import { runCalibration } from "./run.ts";
import { runVerification } from "../verify/run.ts";
import { certificateText } from "../verify/render.ts";
import { DEFAULT_BOARD } from "../paths.ts";
import { STANDARD_GRAVITY_MPS2 } from "../../shared/units/force.ts";

/**
 * Calibration then verification end to end: the emulated board runs the firmware, the plates are
 * "placed" by changing its scenario, the host talks to it through the session's command client.
 */
const BOARD = DEFAULT_BOARD;
let board: EmulatedBoard;
let session: Session;
let connection: Connection;
let flashDir: string;

beforeAll(async () => {
  flashDir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-cal-"));
  board = await startEmulatedBoard({ board: BOARD, install: "firmware", pty: true, clock: "realtime", scenario: "empty:dur=100000", flashDir });
  ({ session, connection } = await openSession(board.path!));
});
afterAll(async () => {
  session?.close();
  await connection?.close();
  await board?.close();
  fs.rmSync(flashDir, { recursive: true, force: true });
});

describe("calibrate and verify against the emulated board", () => {
  const def = loadBoard(BOARD);
  const place = () => emulatorPlace(board, def.channels.map((c) => c.name));

  it("calibrates from plates placed by scenario, the board's fit equals the host's, saved on the board", async () => {
    const log: string[] = [];
    const run = await runCalibration(session, def, parsePoints("left:100,left:200,right:100,right:200,both:300").points, CALIBRATED_PLATES, place(), {
      settleMs: 800, calId: "e2e-1", date: "2026-11-22", log: (s) => log.push(s),
    });
    expect(run.reasons).toEqual([]);
    expect(run.ok).toBe(true);
    expect(run.agree).toBe(true);
    expect(run.saved?.calId).toBe("e2e-1");
    for (const c of run.outcome!.channels) {
      expect(c.fit.nPerCount).toBeGreaterThan(0);
      expect(c.fit.maxAbsResidualN).toBeLessThan(0.002 * c.capacityN); // within 0.2 % of capacity
    }
    // the "both" check: left + right against the 300 kg stated
    expect(Math.abs(run.outcome!.checks[0].errorN)).toBeLessThan(0.5 * STANDARD_GRAVITY_MPS2);
    const info = await session.refreshInfo();
    expect(info.fields.calid).toBe("e2e-1");
  }, 180_000);

  it("verifies the calibrated rack and writes a certificate", async () => {
    const res = await runVerification(session, session, def, {
      intervalKg: 1, stage: "initial", plates: CALIBRATED_PLATES, loads: [50, 200, 400, 800], repeatKg: 300, eccentricityKg: 200,
    }, place(), { settleMs: 1200, readMs: 800 });
    expect(res.reasons).toEqual([]);
    const cert = res.certificate!;
    expect(cert.tests.map((t) => t.name)).toEqual(["weighing", "repeatability", "eccentricity", "zero return"]);
    expect(cert.tests.every((t) => t.done)).toBe(true);
    const text = certificateText(cert);
    expect(text).toMatch(/OVERALL: (PASS|FAIL)/);
    // calibrated with (emulated) exact plates, the rack weighs within the MPE
    for (const r of cert.tests[0].rows) expect(Math.abs(r.valueKg)).toBeLessThan(r.limitKg);
    expect(cert.overall).toBe("pass");
  }, 240_000);
});

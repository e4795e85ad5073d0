import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { formatAudit } from "../cli/commands/audit.ts";
import { runCli } from "../cli/testing/run-cli.ts";
import { SEQ_MODULUS } from "../../shared/protocol/frame.ts";
import { buildReport, reportText } from "../report/lift.ts";
import { liftFromStore } from "../report/source.ts";
import { GENESIS_SEAL, sealOf } from "./seal.ts";
import { Store } from "./store.ts";
import { DEFAULT_BOARD } from "../paths.ts";

const dirs: string[] = [];
function tmpDb(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-seal-"));
  dirs.push(dir);
  return path.join(dir, "r.db");
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A session of `n` frames (a 1 s rise to 2000 N) with one rack-pull lift, ended. */
function recordSession(store: Store, n: number, note: string): number {
  const id = store.createSession({ channels: 2, board: DEFAULT_BOARD, build: "abc123", note });
  const w = store.frameWriter(id);
  for (let i = 0; i < n; i++) {
    const f = Math.min(1, i / 80) * 1000;
    w.add({ index: i, seq: i % SEQ_MODULUS, timeS: i / 80, channels: 2, raw: [1000 + i, 2000 + i], flags: [0, 0], forceN: [f, f + 0.1], totalN: 2 * f + 0.1 });
  }
  w.close();
  store.addLift(id, { source: "board", kind: "rack pull", atS: 0.5, peakForceN: 2000.1, timeToPeakMs: 1000, weighedLoadN: 2000, timeToLiftOffMs: 640, holdMs: 1500, details: { seq: 40 } });
  store.endSession(id, { good: n, corrupt: 0, missing: 0, duplicates: 0, resets: 0, reconnects: 0, calibrationMismatches: 0 });
  return id;
}

function sealed(file: string): { store: Store; ids: number[]; seals: string[] } {
  const store = new Store(file);
  const ids = [recordSession(store, 200, "pins 45 cm"), recordSession(store, 150, "pins 40 cm"), recordSession(store, 120, "isometric")];
  const seals = ids.map((id) => store.sealSession(id));
  return { store, ids, seals };
}

const problemsOf = (store: Store) => Object.fromEntries(store.audit().sessions.map((s) => [s.sessionId, s.problems]));

describe("seals: a SHA-256 chain over recorded sessions", () => {
  it("chains each seal to the one before; an untouched database audits intact, with the newest seal as head", () => {
    const { store, ids, seals } = sealed(tmpDb());
    const rows = store.seals();
    expect(rows.map((r) => r.prevSeal)).toEqual([GENESIS_SEAL, seals[0], seals[1]]);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.seal) && sealOf(r) === r.seal)).toBe(true);
    expect(new Set(seals).size).toBe(3);
    expect(store.sealSession(ids[0])).toBe(seals[0]); // once sealed, sealing again changes nothing
    const a = store.audit();
    expect(a.intact).toBe(true);
    expect(a.head).toEqual({ sessionId: ids[2], seal: seals[2] });
    expect(a.sessions.map((s) => s.state)).toEqual(["sealed", "sealed", "sealed"]);
    store.close();
  });

  it("names what changed in which session: one frame's force, a lift, the session's note, a deleted frame", () => {
    const { store, ids } = sealed(tmpDb());
    store.db.prepare("UPDATE frames SET force0 = force0 + 0.1 WHERE session_id = ? AND idx = 100").run(ids[0]);
    store.db.prepare("UPDATE lifts SET peak_force_n = 2500 WHERE session_id = ?").run(ids[1]);
    let p = problemsOf(store);
    expect(p[ids[0]]).toEqual(["frames changed"]);
    expect(p[ids[1]]).toEqual(["lifts changed"]);
    expect(p[ids[2]]).toEqual([]);
    store.db.prepare("UPDATE sessions SET note = 'pins 50 cm' WHERE id = ?").run(ids[2]);
    store.db.prepare("DELETE FROM frames WHERE session_id = ? AND idx = 7").run(ids[1]);
    p = problemsOf(store);
    expect(p[ids[2]]).toEqual(["the session's record (times, board, calibration, note or integrity counts) changed"]);
    expect(p[ids[1]]).toEqual(["frames: 149 now, 150 when sealed", "lifts changed"]);
    expect(store.audit().intact).toBe(false);
    store.close();
  });

  it("a removed or edited seal breaks the chain; a deleted session is named", () => {
    const { store, ids } = sealed(tmpDb());
    store.db.prepare("UPDATE seals SET frames_sha256 = ? WHERE session_id = ?").run("f".repeat(64), ids[2]);
    expect(problemsOf(store)[ids[2]]).toEqual(["the seal does not match its own fields (the seal row was edited)", "frames changed"]);
    store.db.prepare("DELETE FROM seals WHERE session_id = ?").run(ids[0]);
    const p = problemsOf(store);
    expect(p[ids[1]]).toEqual(["the chain is broken before this seal (a seal was removed, replaced or reordered)"]);
    expect(store.audit().sessions.find((s) => s.sessionId === ids[0])!.state).toBe("unsealed");
    store.db.prepare("DELETE FROM lifts WHERE session_id = ?").run(ids[1]);
    store.db.prepare("DELETE FROM frames WHERE session_id = ?").run(ids[1]);
    store.db.prepare("DELETE FROM sessions WHERE id = ?").run(ids[1]);
    expect(problemsOf(store)[ids[1]]).toEqual([
      "the chain is broken before this seal (a seal was removed, replaced or reordered)",
      "the session was deleted", "frames: 0 now, 150 when sealed", "lifts changed",
    ]);
    store.close();
  });

  it("a rewritten and re-sealed history audits intact on its own, but not against a head noted earlier", () => {
    const { store, ids, seals } = sealed(tmpDb());
    const noted = seals[2].slice(0, 16);
    // the forger raises a lift, then rebuilds every seal from the first changed session on
    store.db.prepare("UPDATE lifts SET weighed_load_n = 2600 WHERE session_id = ?").run(ids[1]);
    store.db.prepare("DELETE FROM seals WHERE session_id IN (?, ?)").run(ids[1], ids[2]);
    store.sealSession(ids[1]);
    store.sealSession(ids[2]);
    const a = store.audit();
    expect(a.intact).toBe(true);
    const known = store.seals().map((s) => s.seal);
    const forged = formatAudit(a, [noted], known);
    expect(forged.ok).toBe(false);
    expect(forged.text).toContain(`expected seal ${noted}: NOT in the chain`);
    expect(formatAudit(a, [seals[0].slice(0, 12)], known).ok).toBe(true); // the untouched session's seal still is
    store.close();
  });

  it("sessions that stopped without a seal are listed as such, and --seal seals them late (CLI)", async () => {
    const file = tmpDb();
    const { store, ids, seals } = sealed(file);
    const open = store.createSession({ channels: 2, note: "cable pulled" }); // never ended
    const w = store.frameWriter(open);
    w.add({ index: 0, seq: 0, timeS: 0, channels: 2, raw: [1, 2], flags: [0, 0], forceN: [0, 0], totalN: 0 });
    w.close();
    store.close();
    const cli = (args: string[]) => runCli(["--db", file, ...args], { timeoutMs: 30000 });
    let r = await cli(["audit", "--expect", seals[1].slice(0, 10)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`session    ${ids[0]}: ok   sealed ${seals[0].slice(0, 16)}`);
    expect(r.stdout).toContain(`session    ${open}: ok   not sealed (still recording, or interrupted`);
    expect(r.stdout).toContain(`expected seal ${seals[1].slice(0, 10)}: in the chain`);
    expect(r.stdout).toContain(`chain head: ${seals[2]} (session ${ids[2]})`);
    r = await cli(["audit", "--seal"]);
    expect(r.stdout).toMatch(new RegExp(`session ${open}: sealed now, [0-9a-f]{16}`));
    expect(r.stdout).toContain(`session    ${open}: ok   sealed `);
    expect(r.stdout).toContain("(sealed late: the recording had stopped unsealed)");
    const db = new Store(file);
    db.db.prepare("UPDATE frames SET raw0 = raw0 + 1 WHERE session_id = ? AND idx = 3").run(ids[0]);
    db.close();
    r = await cli(["audit"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`session    ${ids[0]}: BAD .*\\n {17}frames changed`));
    expect(r.stdout).toContain("the record has been changed since it was sealed");
    r = await cli(["audit", "--expect", "not-hex"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--expect wants a seal: 8 to 64 hex digits (got "not-hex")');
  });

  it("a lift's report says where its samples come from and whether its session is unchanged since the seal", () => {
    const { store, ids, seals } = sealed(tmpDb());
    const liftId = store.listLifts({ sessionId: ids[0] })[0].id;
    const text = () => reportText(buildReport(liftFromStore(store, liftId), "kg"));
    expect(text()).toContain(`board ${DEFAULT_BOARD}, build abc123; 200 frames, 0 corrupt, 0 missing; sealed ${seals[0].slice(0, 16)}, unchanged since`);
    store.db.prepare("UPDATE frames SET total_n = total_n * 1.1 WHERE session_id = ?").run(ids[0]);
    expect(text()).toContain(`sealed ${seals[0].slice(0, 16)}, CHANGED SINCE: frames changed`);
    store.close();
  });
});

import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MIGRATIONS, migrate } from "./migrations.ts";
import { openDatabase } from "./sqlite.ts";
import { defaultDbPath, Store } from "./store.ts";
import { DEFAULT_BOARD } from "../paths.ts";

const dirs: string[] = [];
function tmpDb(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-store-"));
  dirs.push(dir);
  return path.join(dir, "nested", "rackcell.db");
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("Store", () => {
  it("creates the schema in WAL mode, records its version, and reopens without migrating again", () => {
    const file = tmpDb();
    const s = new Store(file);
    expect(s.schemaVersion()).toBe(MIGRATIONS.at(-1)!.version);
    expect(s.db.pragma("journal_mode", { simple: true })).toBe("wal");
    s.close();
    const again = new Store(file);
    expect((again.db.prepare("SELECT COUNT(*) AS n FROM schema_version").get() as { n: number }).n).toBe(MIGRATIONS.length);
    again.close();
  });

  it("applies only newer migrations and refuses a database from a newer rackcell", () => {
    const file = tmpDb();
    new Store(file).close();
    const db = openDatabase(file);
    const extra = [...MIGRATIONS, { version: 99, name: "test", sql: "CREATE TABLE t99 (x)" }];
    expect(migrate(db, file, extra)).toBe(99);
    expect(() => migrate(db, file)).toThrow(/schema version 99, newer than this rackcell knows/);
    db.close();
  });

  it("stores sessions with integrity counts, every frame, lifts, certificates and athletes", () => {
    const s = new Store(tmpDb());
    const id = s.createSession({ port: "/dev/pts/3", board: DEFAULT_BOARD, firmware: "0.1.0", build: "abc", sps: 80, channels: 2, channelNames: ["left", "right"], calibration: { k: [0.01, 0.02] } });
    const w = s.frameWriter(id);
    w.add({ index: 0, seq: 262143, timeS: 0, channels: 2, raw: [-8388608, 8388607], flags: [1, 12], forceN: [12.5, NaN], totalN: NaN });
    w.add({ index: 2, seq: 1, timeS: 0.025, channels: 2, raw: [5, 6], flags: [0, 0], forceN: [1, 2], totalN: 3 });
    w.close();
    s.addLift(id, { source: "host", kind: "rack pull", atS: 12, peakForceN: 2000, timeToPeakMs: NaN, weighedLoadN: 1961.3, timeToLiftOffMs: 420, holdMs: 2000 });
    s.endSession(id, { good: 2, corrupt: 1, missing: 1, duplicates: 0, resets: 0, reconnects: 1, calibrationMismatches: 0 });
    const frames = [...s.frames(id)];
    expect(frames[0]).toEqual({ idx: 0, seq: 262143, timeS: 0, raw: [-8388608, 8388607], forceN: [12.5, NaN], totalN: NaN, flags: [1, 12] });
    expect(frames[1].idx).toBe(2);
    const row = s.getSession(id)!;
    expect(row).toMatchObject({ board: DEFAULT_BOARD, channelNames: ["left", "right"], good: 2, corrupt: 1, missing: 1, reconnects: 1, frames: 2, lifts: 1, durationS: 0.025 });
    expect(row.endedAt).not.toBeNull();
    expect(s.listLifts({ sessionId: id })[0]).toMatchObject({ kind: "rack pull", timeToPeakMs: NaN, weighedLoadN: 1961.3 });
    const a = s.athlete("Ana");
    expect(s.athlete("Ana")).toBe(a);
    s.addBodyWeight(a, 75.2, new Date("2026-11-01"));
    s.addBodyWeight(a, 75.6, new Date("2026-11-20"));
    expect(s.listAthletes()).toEqual([{ id: a, name: "Ana", latestKg: 75.6 }]);
    expect(() => s.addBodyWeight(a, 0)).toThrow(/not plausible/);
    s.addCertificate({ board: "b", calibrationId: "c1", passed: true, summary: "class III", certificate: { points: 3 } });
    expect(s.listCertificates()[0]).toMatchObject({ passed: true, certificate: { points: 3 } });
    s.close();
  });

  it("uses RACKCELL_DB, else ~/.rackcell/rackcell.db", () => {
    expect(defaultDbPath({ RACKCELL_DB: "/x/y.db", HOME: "/h" })).toBe("/x/y.db");
    expect(defaultDbPath({ HOME: "/h" })).toBe("/h/.rackcell/rackcell.db");
  });

  it("loses nothing committed when the recording process is killed mid-session", async () => {
    const file = tmpDb();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const child = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "testing", "writer-child.ts"), file], { stdio: ["ignore", "pipe", "inherit"] });
    let last = 0;
    let sessionId = 0;
    await new Promise<void>((resolve, reject) => {
      child.on("error", reject);
      child.on("exit", (code) => reject(new Error(`child exited early (${code})`)));
      child.stdout.on("data", (d: Buffer) => {
        for (const m of d.toString().matchAll(/committed (\d+) (\d+)/g)) {
          sessionId = Number(m[1]);
          last = Number(m[2]);
        }
        if (last >= 3000) resolve();
      });
    });
    child.removeAllListeners("exit");
    child.kill("SIGKILL");
    await new Promise((r) => child.on("exit", r));
    const s = new Store(file);
    const n = s.frameCount(sessionId);
    expect(n).toBeGreaterThanOrEqual(last); // every reported commit is there (maybe one more batch)
    const frames = [...s.frames(sessionId)];
    expect(frames.every((f, i) => f.idx === i)).toBe(true); // no holes, no torn batch
    expect(frames[10]).toMatchObject({ raw: [10, -10], forceN: [5, NaN], flags: [0, 4] });
    expect(s.getSession(sessionId)!.endedAt).toBeNull(); // shows as interrupted
    s.close();
  });
});

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seqDistance } from "../shared/protocol/frame.ts";
import { STANDARD_GRAVITY_MPS2 } from "../shared/units/force.ts";
import { openSession } from "../host/session/connect.ts";
import { createDecodedLine, decodeLine, LINE_CORRUPT, LINE_MALFORMED, LINE_SAMPLE } from "../host/session/fast-decode.ts";
import type { IntegrityCounts, Session, SessionEvent } from "../host/session/session.ts";
import type { Connection } from "../host/transport/connection.ts";
import {
  NEEDS_EMPTY_PINS, NEEDS_EMULATOR, NEEDS_LOAD, ON_EMULATOR, openTarget, REAL_LOAD_KG, REAL_PINS_EMPTY, skipped, sleep, waitFor, type Target,
} from "./target.ts";

/**
 * End-to-end through the serial device: the emulated board on its pseudo-terminal by default,
 * a real board when RACKCELL_PORT is set. One board per block; each block states what it needs.
 */
const run = promisify(execFile);
const CLI = path.join(import.meta.dirname, "..", "host", "cli", "main.ts");

async function connect(t: Target): Promise<{ session: Session; connection: Connection; events: SessionEvent[] }> {
  const { session, connection } = await openSession(t.path, { connection: { silenceMs: 2500, retryMs: 300 } });
  const events: SessionEvent[] = [];
  session.onEvent((e) => events.push(e));
  return { session, connection, events };
}

const snap = (c: IntegrityCounts) => ({ ...c });

describe("connect, info, live frames, commands", () => {
  let t: Target;
  let s: Session;
  let conn: Connection;
  let events: SessionEvent[];
  beforeAll(async () => {
    t = await openTarget();
    ({ session: s, connection: conn, events } = await connect(t));
  });
  afterAll(async () => {
    s?.close();
    await conn?.close();
    await t?.close();
  });

  it("handshakes and reads the board's info", () => {
    expect(s.info.firmware).not.toBe("");
    expect(s.info.board).not.toBe("");
    expect([10, 80]).toContain(s.info.sps);
    expect(s.info.channels).toBeGreaterThan(0);
  });

  it("streams intact frames at the board's rate, with heartbeats and no integrity errors", async () => {
    const before = snap(s.counts);
    await sleep(3000);
    const got = s.counts.good - before.good;
    expect(got).toBeGreaterThan(s.info.sps * 2.5);
    expect(got).toBeLessThan(s.info.sps * 3.6);
    expect(s.counts.corrupt - before.corrupt).toBe(0);
    expect(s.counts.missing - before.missing).toBe(0);
    expect(s.counts.calibrationMismatches).toBe(0);
    expect(events.filter((e) => e.type === "heartbeat").length).toBeGreaterThanOrEqual(2);
    expect(s.live.timeS).toBeGreaterThan(2);
  });

  it("answers commands, and refuses an unknown one with a reason", async () => {
    expect(await s.command("ping")).toMatchObject({ ok: true });
    const r = await s.command("frobnicate");
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/the board refused `frobnicate`: .+/);
  });

  it.skipIf(skipped(!ON_EMULATOR && !REAL_PINS_EMPTY, NEEDS_EMPTY_PINS))("tares the empty pins to zero", async () => {
    const r = await s.tare();
    expect(r.ok, r.reason).toBe(true);
    await sleep(500);
    expect(Math.abs(s.live.totalN)).toBeLessThan(5);
    expect(s.counts.calibrationMismatches).toBe(0); // the host uses the new zeros too
  });
});

describe.skipIf(skipped(!ON_EMULATOR && !(REAL_LOAD_KG > 0), NEEDS_LOAD))("weighing a known load", () => {
  it("reads the mass on the pins within 1 %", async () => {
    const t = await openTarget({ scenario: "weigh:kg=100,atS=4,placeS=0.4,dur=60" });
    const { session: s, connection } = await connect(t);
    try {
      const kg = ON_EMULATOR ? 100 : REAL_LOAD_KG;
      if (ON_EMULATOR) {
        await waitFor(() => s.live.timeS > 0.5, 5000, "frames");
        expect((await s.tare()).ok).toBe(true); // empty pins until atS
        await waitFor(() => s.live.totalN > kg * STANDARD_GRAVITY_MPS2 * 0.9, 10000, "the plates on the pins");
        await sleep(1500);
      }
      expect(s.live.totalN / STANDARD_GRAVITY_MPS2).toBeGreaterThan(kg * 0.99);
      expect(s.live.totalN / STANDARD_GRAVITY_MPS2).toBeLessThan(kg * 1.01);
      expect(s.counts.calibrationMismatches).toBe(0);
    } finally {
      s.close();
      await connection.close();
      await t.close();
    }
  });
});

describe("record → store → export CSV (the rackcell command)", () => {
  let t: Target;
  let dir: string;
  beforeAll(async () => {
    t = await openTarget();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-hil-"));
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("records every frame and exports them as CSV", async () => {
    const db = path.join(dir, "hil.db");
    const cli = (args: string[]) => run(process.execPath, ["--import", "tsx", CLI, "--port", t.path, "--db", db, ...args], { timeout: 60000 });
    const rec = await cli(["record", "--seconds", "3"]);
    const m = /session (\d+): (\d+) frames/.exec(rec.stdout);
    expect(m, rec.stdout + rec.stderr).not.toBeNull();
    const frames = Number(m![2]);
    expect(frames).toBeGreaterThan(150);
    expect(rec.stdout).toMatch(/0 corrupt · 0 missing/);
    const csv = path.join(dir, "s.csv");
    await cli(["export", m![1], "-o", csv]);
    const rows = fs.readFileSync(csv, "utf8").trim().split("\n");
    expect(rows[0]).toMatch(/^time_s,\w+_N,(\w+_N,)*total_N,\w+_raw/);
    expect(rows.length - 1).toBe(frames);
    const cols = rows[0].split(",").length;
    expect(rows.slice(1).every((r) => r.split(",").length === cols)).toBe(true);
  });
});

/** Counts what actually crossed the link (after the emulator's faults): the oracle for the session's counts. */
function linkOracle() {
  const d = createDecodedLine();
  const o = { corrupt: 0, missing: 0, frames: 0, buf: "", synced: false, lastSeq: -1 };
  const feed = (chunk: Buffer) => {
    o.buf += chunk.toString("latin1");
    let nl: number;
    while ((nl = o.buf.indexOf("\n")) >= 0) {
      const line = o.buf.slice(0, nl);
      o.buf = o.buf.slice(nl + 1);
      if (!o.synced) {
        o.synced = true; // the first piece started before we listened
        continue;
      }
      if (line === "" || line === "\r") continue;
      const st = decodeLine(line, d);
      if (st === LINE_CORRUPT || st === LINE_MALFORMED) o.corrupt++;
      else if (st === LINE_SAMPLE) {
        if (o.lastSeq >= 0) o.missing += seqDistance(o.lastSeq, d.seq) - 1;
        o.lastSeq = d.seq;
        o.frames++;
      }
    }
  };
  return { o, feed };
}

describe.skipIf(skipped(!ON_EMULATOR, NEEDS_EMULATOR))("faults on the link and on the board (emulator)", () => {
  it("corrupted bytes: corrupt and missing counts match what crossed the link; none becomes a reading", async () => {
    const t = await openTarget({ seed: 5 });
    const emu = t.emulator!;
    const { session: s, connection } = await connect(t);
    try {
      await waitFor(() => s.counts.good > 80, 5000, "frames");
      expect((await s.tare()).ok).toBe(true);
      let wild = 0;
      s.onFrame((f) => {
        if (Math.abs(f.totalN) > 50) wild++;
      });
      const injected0 = (await emu.stats()).injected;
      const { o, feed } = linkOracle();
      const off = emu.onData(feed);
      await sleep(300);
      const before = snap(s.counts);
      await emu.fault({ kind: "byteDrop", rate: 0.0004 });
      await emu.fault({ kind: "bitFlip", rate: 0.0004 });
      await sleep(5000);
      await emu.fault({ kind: "byteDrop", rate: 0 });
      await emu.fault({ kind: "bitFlip", rate: 0 });
      await sleep(1200);
      off();
      const after = snap(s.counts);
      const injected1 = (await emu.stats()).injected;
      const faults = injected1.bytesDropped - injected0.bytesDropped + injected1.bitsFlipped - injected0.bitsFlipped;
      process.stdout.write(`hil-tests: injected ${faults} byte faults (${injected1.lineFeedsMade - injected0.lineFeedsMade} made a line feed); link carried ${o.corrupt} corrupt lines, ${o.missing} missing frames; session counted ${after.corrupt - before.corrupt} corrupt, ${after.missing - before.missing} missing\n`);
      expect(faults).toBeGreaterThan(3);
      expect(o.corrupt).toBeGreaterThan(0);
      // One fault spoils at most one line, except a flip that makes a line feed ('*' 0x2A → 0x0A): that splits a line in two.
      const splits = injected1.lineFeedsMade - injected0.lineFeedsMade;
      expect(o.corrupt).toBeLessThanOrEqual(faults + splits);
      expect(after.corrupt - before.corrupt).toBe(o.corrupt);
      expect(after.missing - before.missing).toBe(o.missing);
      expect(o.missing).toBeGreaterThanOrEqual(o.corrupt - splits - 6); // every corrupt frame line is a missing frame (heartbeats and split halves aside)
      expect(after.calibrationMismatches).toBe(0);
      expect(wild).toBe(0);
    } finally {
      s.close();
      await connection.close();
      await t.close();
    }
  });

  it("unplugged for 2 s: the session notices, reconnects and continues", async () => {
    const t = await openTarget();
    const { session: s, connection, events } = await connect(t);
    try {
      await waitFor(() => s.counts.good > 80, 5000, "frames");
      const before = snap(s.counts);
      await t.emulator!.fault({ kind: "unplug", seconds: 2 });
      await waitFor(() => events.some((e) => e.type === "state" && e.state === "disconnected"), 5000, "the disconnect");
      await waitFor(() => s.counts.reconnects === 1, 15000, "the reconnect");
      const good = s.counts.good;
      await sleep(1500);
      expect(s.counts.good - good).toBeGreaterThan(80);
      expect(s.live.connected).toBe(true);
      expect(s.counts.missing - before.missing).toBeGreaterThan(80); // the board kept sampling while unplugged
      expect(s.counts.resets - before.resets).toBe(0);
    } finally {
      s.close();
      await connection.close();
      await t.close();
    }
  });

  it("board reset mid-stream: the session sees the boot, re-reads info and continues", async () => {
    const t = await openTarget();
    const { session: s, connection, events } = await connect(t);
    try {
      await waitFor(() => s.counts.good > 80, 5000, "frames");
      const before = snap(s.counts);
      const boot = s.info.boot;
      await t.emulator!.fault({ kind: "reset" });
      await waitFor(() => events.some((e) => e.type === "boot"), 15000, "the boot record");
      await waitFor(() => s.info.boot !== boot, 5000, "info re-read after boot");
      const good = s.counts.good;
      await sleep(1500);
      expect(s.counts.good - good).toBeGreaterThan(80);
      expect(s.counts.resets - before.resets).toBe(1);
      expect(s.counts.missing - before.missing).toBeLessThan(5); // a restart is not a gap
    } finally {
      s.close();
      await connection.close();
      await t.close();
    }
  });

  it("a rack pull: the board's lift record and the host's detector both report it", async () => {
    const t = await openTarget({ scenario: "rackpull:kg=200,emptyS=5,restS=2,holdS=1.5,afterS=4" });
    const { session: s, connection, events } = await connect(t);
    try {
      await waitFor(() => s.counts.good > 40, 5000, "frames");
      expect((await s.tare()).ok).toBe(true);
      await waitFor(() => events.filter((e) => e.type === "lift").length >= 2, 25000, "the lift (board and host)");
      const lifts = events.filter((e): e is Extract<SessionEvent, { type: "lift" }> => e.type === "lift").map((e) => e.lift);
      for (const l of lifts) {
        expect(l.kind).toBe("rack pull");
        expect(l.weighedLoadN / STANDARD_GRAVITY_MPS2).toBeGreaterThan(196);
        expect(l.weighedLoadN / STANDARD_GRAVITY_MPS2).toBeLessThan(204);
        expect(l.timeToLiftOffMs).toBeGreaterThan(200);
      }
      expect(new Set(lifts.map((l) => l.source))).toEqual(new Set(["board", "host"]));
    } finally {
      s.close();
      await connection.close();
      await t.close();
    }
  });
});

describe.skipIf(skipped(ON_EMULATOR, "the `reboot` test runs on a real board (RACKCELL_PORT); on the emulator the reset fault covers it"))("a real board only", () => {
  it("restarts on `reboot` and the session continues", async () => {
    const t = await openTarget();
    const { session: s, connection, events } = await connect(t);
    try {
      await waitFor(() => s.counts.good > 20, 5000, "frames");
      expect((await s.command("reboot")).ok).toBe(true);
      await waitFor(() => events.some((e) => e.type === "boot"), 20000, "the boot record");
      const good = s.counts.good;
      await sleep(2000);
      expect(s.counts.good).toBeGreaterThan(good);
    } finally {
      s.close();
      await connection.close();
      await t.close();
    }
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { encodeFields, encodeSample } from "../../shared/protocol/frame.ts";
import { encodeRecord, encodeReplyError, encodeReplyOk } from "../../shared/protocol/messages.ts";
import { STANDARD_GRAVITY_MPS2 } from "../../shared/units/force.ts";
import { createMockBoard, MOCK_INFO, MockBinding } from "../testing/scripted-board/mock-binding.ts";
import { parseBoardInfo } from "./board-info.ts";
import { SeqClock } from "./clock.ts";
import { CommandClient, createIdAllocator } from "./commands.ts";
import { openSession } from "../cli/open-session.ts";
import { DUPLICATE, SeqTracker } from "./integrity.ts";
import { Session, type LineSource, type SessionEvent } from "./session.ts";

const INFO = parseBoardInfo({ sps: "80", ch: "2", k0: "0.010000000", z0: "1000.0", k1: "0.020000000", z1: "-500.0" }).fields;

/** A line source the test drives by hand; writes are answered by `reply`. */
function fakeSource(reply: (line: string) => string | null = () => null) {
  const subs = new Set<(l: string) => void>();
  const written: string[] = [];
  const source: LineSource & { feed(l: string): void; written: string[] } = {
    written,
    onLine: (cb) => (subs.add(cb), () => subs.delete(cb)),
    write: async (line) => {
      written.push(line);
      const r = reply(line);
      if (r !== null) setImmediate(() => source.feed(r));
    },
    feed: (l) => subs.forEach((cb) => cb(l)),
  };
  return source;
}

/** A calibrated two-channel frame whose force agrees with INFO's calibration. */
function frame(seq: number, leftN: number, rightN: number): string {
  const raw0 = Math.round(leftN / 0.01 + 1000);
  const raw1 = Math.round(rightN / 0.02 - 500);
  return encodeSample(seq, [raw0, raw1], [0, 0], [0.01 * (raw0 - 1000), 0.02 * (raw1 + 500)]);
}

afterEach(() => MockBinding.reset());

describe("SeqTracker", () => {
  it("counts gaps as missing, across the 18-bit wrap", () => {
    const t = new SeqTracker();
    for (const s of [262140, 262141, 262143, 1, 2]) t.accept(s);
    expect(t.missing).toBe(2);
    expect(t.index).toBe(6);
    expect(t.good).toBe(5);
  });
  it("counts repeats and late frames as duplicates, a large jump back as a restart", () => {
    const t = new SeqTracker();
    t.accept(100);
    expect(t.accept(100)).toBe(DUPLICATE);
    t.accept(101);
    expect(t.accept(99)).toBe(DUPLICATE);
    expect(t.accept(3)).toBe(0);
    expect(t).toMatchObject({ duplicates: 2, resets: 1, missing: 0, index: 2 });
  });
});

describe("SeqClock", () => {
  it("uses the nominal rate, then the rate measured from heartbeats", () => {
    const c = new SeqClock(80);
    c.advance(0, 0);
    expect(c.advance(8, 0)).toBeCloseTo(0.1);
    c.heartbeat(0, 1000);
    c.heartbeat(920, 11000); // a 92 SPS crystal
    expect(c.rate).toBeCloseTo(92);
    expect(c.advance(92, 0)).toBeCloseTo(1.1);
  });
  it("places the first frame after a restart by wall-clock time", () => {
    const c = new SeqClock(80);
    c.advance(0, 1000);
    c.advance(1, 1012);
    expect(c.advance(0, 3012)).toBeCloseTo(2.0125);
  });
});

describe("CommandClient", () => {
  it("matches replies by id and reports refusals and timeouts clearly", async () => {
    const written: string[] = [];
    const client = new CommandClient(async (l) => void written.push(l), createIdAllocator(41));
    const a = client.command("tare", [], { timeoutMs: 500 });
    const b = client.command("zap", ["1"], { timeoutMs: 500 });
    const c = client.command("info", [], { timeoutMs: 30 });
    expect(written[0]).toMatch(/^C,41,tare\*[0-9a-f]{4}$/);
    client.handleReply(["R", "42", "err", "unknown command zap"]);
    client.handleReply(["R", "41", "ok", "zero0=1234", "zero1=-3"]);
    expect(await a).toEqual({ ok: true, fields: { zero0: "1234", zero1: "-3" }, reason: "", id: 41 });
    expect(await b).toMatchObject({ ok: false, reason: "the board refused `zap`: unknown command zap" });
    expect((await c).reason).toMatch(/no reply to `info` \(id 43\) within 0.0 s/);
    expect(client.handleReply(["R", "43", "ok"])).toBe(false); // too late: ignored
  });
  it("refuses arguments that would break the line", async () => {
    const client = new CommandClient(async () => undefined);
    expect((await client.command("cal", ["1,2"])).reason).toMatch(/contains , \*/);
  });
});

describe("Session", () => {
  it("turns frames into readings, counts corrupt and missing, never shows a bad frame", () => {
    const src = fakeSource();
    const s = new Session(src, INFO);
    const seen: number[] = [];
    s.onFrame((f) => seen.push(f.index));
    src.feed(frame(10, 100, 50));
    src.feed(frame(11, 101, 50));
    const bad = frame(12, 9999, 9999);
    src.feed(bad.slice(0, 5) + bad.slice(6)); // byte dropped: checksum fails
    src.feed(frame(13, 103, 50));
    src.feed(frame(13, 103, 50)); // duplicate
    src.feed("");
    expect(s.counts).toMatchObject({ good: 3, corrupt: 1, missing: 1, duplicates: 1, calibrationMismatches: 0 });
    expect(seen).toEqual([0, 1, 3]);
    expect(s.live.forceN[0]).toBeCloseTo(103);
    expect(s.live.totalN).toBeCloseTo(153);
    expect(s.live.peakTotalN).toBeCloseTo(153);
    expect(s.live.timeS).toBeCloseTo(3 / 80);
  });

  it("re-derives force from raw counts and reports a disagreement beyond rounding", () => {
    const src = fakeSource();
    const s = new Session(src, INFO);
    const events: SessionEvent[] = [];
    s.onEvent((e) => events.push(e));
    src.feed(encodeSample(1, [11000, -500], [0, 0], [100.0, 0.0])); // first two frames: the median
    src.feed(encodeSample(2, [11000, -500], [0, 0], [999, 0.0])); // filter is priming, not checked
    src.feed(encodeSample(3, [11000, -500], [0, 0], [100.0, 0.0])); // 0.01·(11000−1000) = 100 ✓
    src.feed(encodeSample(4, [11000, -500], [0, 0], [100.1, 0.0])); // off by 0.1 N ✗
    src.feed(encodeSample(5, [11005, -500], [0, 0], [100.0, 0.0])); // median(11000, 11000, 11005) ✓
    src.feed(encodeSample(6, [11005, -500], [0, 0], [100.1, 0.0])); // 100.05 → "100.1" ✓ (rounding)
    src.feed(encodeSample(7, [50000, -500], [0, 0], [100.1, 0.0])); // a spike: the median holds ✓
    expect(s.counts.calibrationMismatches).toBe(1);
    expect(events).toContainEqual({ type: "mismatch", channel: 0, wireN: 100.1, derivedN: 100, index: 3 });
    expect(s.live.forceN[0]).toBeCloseTo(100.05);
  });

  it("shows a stale channel as no reading", () => {
    const src = fakeSource();
    const s = new Session(src, INFO);
    src.feed(encodeSample(1, [11000, -500], [4, 0], [NaN, 0]));
    expect(s.live.forceN[0]).toBeNaN();
    expect(s.live.totalN).toBeNaN();
  });

  it("handles boot, lift, notice and heartbeat records; a boot restarts the sequence without a gap", async () => {
    const src = fakeSource((l) => (l.includes(",info*") ? encodeReplyOk(Number(l.split(",")[1]), ["sps", "80", "ch", "2", "k0", "0.01", "z0", "2000.0", "k1", "0.02", "z1", "-500.0"]) : null));
    const s = new Session(src, INFO);
    const events: string[] = [];
    s.onEvent((e) => events.push(e.type));
    src.feed(frame(500, 10, 10));
    src.feed(frame(501, 10, 10));
    src.feed(`> ${encodeRecord("B", ["fw", "rackcell", "boot", "7"])}`); // glued to the Lua prompt, as after a reset
    src.feed(frame(0, 10, 10));
    src.feed(encodeRecord("H", ["seq", "1", "ms", "1000"]));
    src.feed(encodeRecord("E", ["id", "4", "boot", "7", "kind", "rackpull", "peak", "2000.5", "ttp", "850", "weighed", "1961.3", "liftoff", ""]));
    src.feed(encodeFields("M", ["uncalibrated channel 1"]));
    expect(s.counts).toMatchObject({ good: 3, missing: 0, resets: 1, corrupt: 0 });
    expect(s.live.lastLift).toMatchObject({ source: "board", kind: "rack pull", peakForceN: 2000.5, timeToPeakMs: 850, weighedLoadN: 1961.3 });
    expect(s.live.notices).toEqual(["uncalibrated channel 1"]);
    await new Promise((r) => setTimeout(r, 20));
    expect(s.info.zeroCounts[0]).toBe(2000); // info re-read after the boot
    expect(events).toEqual(["boot", "heartbeat", "lift", "notice", "info"]);
  });

  it("applies new zeros from a tare reply before the frames that follow it in the same chunk", async () => {
    const src = fakeSource();
    const s = new Session(src, INFO);
    for (let i = 0; i < 4; i++) src.feed(frame(i, 50, 0));
    const p = s.tare();
    const id = Number(src.written[0].split(",")[1]);
    // One serial chunk: the reply, then frames computed with the new zero (raw 6000 → 0 N).
    src.feed(encodeReplyOk(id, ["z0", "6000.0", "sd0", "1.0", "z1", "-500.0", "sd1", "1.0", "saved", "1"]));
    for (let i = 4; i < 8; i++) src.feed(encodeSample(i, [6000, -500], [0, 0], [0, 0]));
    expect(s.counts.calibrationMismatches).toBe(0);
    expect((await p).ok).toBe(true);
    expect(s.live.forceN[0]).toBe(0);
    expect(s.live.peakTotalN).toBeCloseTo(0); // the peak restarted with the new zero
  });

  it("asks for the lifts it missed after a reconnect, and ignores lifts it already has", async () => {
    const subs = new Set<(e: { state: string; detail: string; info?: Record<string, string> }) => void>();
    const src = Object.assign(fakeSource(), { onState: (cb: (e: { state: string; detail: string }) => void) => (subs.add(cb), () => subs.delete(cb)) });
    const s = new Session(src, { ...INFO, boot: "2" });
    const lifts: SessionEvent[] = [];
    s.onEvent((e) => e.type === "lift" && lifts.push(e));
    src.feed(encodeRecord("E", ["id", "4", "boot", "2", "kind", "rackpull", "peak", "2000.0"]));
    for (const cb of subs) cb({ state: "disconnected", detail: "gone" });
    expect(s.live.connected).toBe(false);
    for (const cb of subs) cb({ state: "connected", detail: "back", info: { ...INFO, boot: "2" } });
    expect(src.written.at(-1)).toMatch(/^C,\d+,lifts,4\*/);
    src.feed(encodeRecord("E", ["id", "4", "boot", "2", "kind", "rackpull", "peak", "2000.0"])); // replayed: already seen
    src.feed(encodeRecord("E", ["id", "5", "boot", "2", "kind", "isometric", "peak", "3100.0"])); // missed while away
    expect(lifts.map((e) => (e as { lift: { kind: string } }).lift.kind)).toEqual(["rack pull", "isometric"]);
    expect(s.counts.reconnects).toBe(1);
    expect(s.live.connected).toBe(true);
  });

  it("detects a rack pull on the host from the frames", () => {
    const src = fakeSource();
    const s = new Session(src, INFO);
    const lifts: SessionEvent[] = [];
    s.onEvent((e) => e.type === "lift" && lifts.push(e));
    const W = 200 * STANDARD_GRAVITY_MPS2;
    let seq = 0;
    const pin = (total: number) => src.feed(frame(seq++, total / 2, total / 2));
    for (let i = 0; i < 160; i++) pin(W + (i % 2 ? 0.4 : -0.4)); // 2 s resting
    for (let i = 1; i <= 40; i++) pin(W * (1 - i / 40)); // pull: pins unload over 0.5 s
    for (let i = 0; i < 120; i++) pin(0.2 * (i % 2)); // bar held off the pins
    for (let i = 0; i < 200; i++) pin(W + (i % 2 ? 0.4 : -0.4)); // set down, re-weigh
    expect(lifts).toHaveLength(1);
    expect(s.live.lastLift).toMatchObject({ source: "host", kind: "rack pull" });
    expect(s.live.lastLift!.weighedLoadN).toBeCloseTo(W, 0);
    expect(s.live.lastLift!.timeToLiftOffMs).toBeGreaterThan(300);
  });

  it("runs over the mock serial port: handshake, frames, commands", async () => {
    const board = createMockBoard();
    board.onCommand((name, _a, id) => (name === "info" ? encodeReplyOk(id, MOCK_INFO) : name === "tare" ? encodeReplyOk(id, ["z0", "1010.0", "sd0", "3.1", "z1", "-502.5", "sd1", "2.0", "saved", "1"]) : encodeReplyError(id, "unknown command")));
    const { session, connection } = await openSession("/dev/ttyMOCK0", { connection: { createPort: board.factory } });
    expect(session.info).toMatchObject({ firmware: "0.1.0", boot: "3", calibration: "ok", sps: 80, channels: 2, nPerCount: [0.01, 0.02], zeroCounts: [1000, -500] });
    board.emit(`${frame(1, 5, 5)}\n${frame(2, 6, 6)}\n`);
    const tare = await session.tare(undefined, { timeoutMs: 1000 });
    expect(tare).toMatchObject({ ok: true, fields: { z0: "1010.0", saved: "1" } });
    expect(session.info.zeroCounts).toEqual([1010, -502.5]);
    expect(session.counts.good).toBe(2);
    session.close();
    await connection.close();
  });
});

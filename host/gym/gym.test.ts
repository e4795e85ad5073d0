import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Store } from "../store/store.ts";
import { GymHost, hostClientId } from "./gym-host.ts";
import { SimRack } from "./loadgen.ts";
import type { RacksFile } from "./racks-file.ts";
import { embeddedTestBroker, mosquittoTestBroker, type TestBroker } from "./test-brokers.ts";
import { MAX_RACK_PAYLOAD_BYTES, rackTopic } from "./topics.ts";

const GYM = "testgym";
const racks: RacksFile = {
  gym: GYM,
  racks: new Map([["rack-a", "alpha-password-1"], ["rack-b", "bravo-password-2"], ["victim", "victim-password-3"]]),
};
const until = (fn: () => void, timeout = 15000) => vi.waitFor(fn, { timeout, interval: 20 });

describe.each(["embedded", "mosquitto"] as const)("gym over MQTT, %s broker", (kind) => {
  let dir: string;
  let broker: TestBroker;
  let store: Store;
  let host: GymHost | null;
  const sims: SimRack[] = [];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-gym-"));
    broker = kind === "embedded" ? await embeddedTestBroker(racks) : await mosquittoTestBroker(racks, dir);
    store = new Store(path.join(dir, "gym.db"));
    host = await GymHost.connect({ url: broker.url, gym: GYM, store, username: broker.hostUsername, password: broker.hostPassword, reconnectMs: 100 });
  });

  afterEach(async () => {
    for (const s of sims.splice(0)) await s.stop(false);
    if (host) await host.close();
    store.close();
    await broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function rack(name: string, extra: Partial<ConstructorParameters<typeof SimRack>[0]> = {}): Promise<SimRack> {
    const s = new SimRack({ url: broker.url, gym: GYM, rack: name, password: racks.racks.get(name)!, reconnectMs: 100, ...extra });
    sims.push(s);
    await s.start();
    return s;
  }

  it("records a rack's frames and lifts into its own session, with integrity counts and a seal at the end", async () => {
    const a = await rack("rack-a");
    await until(() => expect(host!.racks.get("rack-a")?.recorder.frames ?? 0).toBeGreaterThan(40));
    a.lift(1400);
    a.lift(1600);
    await until(() => expect(host!.racks.get("rack-a")!.lifts).toBe(2));
    const r = host!.racks.get("rack-a")!;
    await until(() => expect(r.session.info.sps).toBe(80)); // the info reply came back over cmd/reply
    await a.stop(true);
    await until(() => expect(r.online).toBe(false));
    const seals = await host!.close();
    host = null;
    const row = store.getSession(r.recorder.sessionId)!;
    expect(row.frames).toBe(r.session.counts.good);
    expect(row.good).toBe(r.session.counts.good);
    expect(row.corrupt).toBe(0);
    expect(row.calibrationMismatches).toBe(0); // host re-derived force from raw counts = the rack's force
    expect(row.board).toBe("nodemcu-v3-2pin");
    const lifts = store.listLifts({ sessionId: row.id }).filter((l) => l.source === "board");
    expect(lifts.map((l) => l.peakForceN).sort()).toEqual([1400, 1600]);
    expect(store.auditSession(row.id).state).toBe("sealed");
    expect(seals.get("rack-a")).toBe(store.auditSession(row.id).seal);
  });

  it("refuses a wrong password", async () => {
    const s = new SimRack({ url: broker.url, gym: GYM, rack: "rack-a", password: "not-the-password", reconnectMs: 0 });
    await expect(s.start()).rejects.toThrow(/not authori[sz]ed|bad user ?name or password/i);
    const stranger = new SimRack({ url: broker.url, gym: GYM, rack: "stranger", password: "whatever-password", reconnectMs: 0 });
    await expect(stranger.start()).rejects.toThrow(/not authori[sz]ed|bad user ?name or password/i);
    expect(host!.racks.size).toBe(0);
  });

  it("refuses a rack publishing under another rack's topic", async () => {
    await rack("rack-b");
    const intruder = await rack("rack-a");
    await until(() => expect(host!.racks.get("rack-b")?.recorder.frames ?? 0).toBeGreaterThan(0));
    await intruder.client!.publishAsync(rackTopic(GYM, "victim", "frames"), "S AAA garbage*0000", { qos: 0 }).catch(() => undefined);
    await intruder.client!.publishAsync(rackTopic(GYM, "victim", "status"), "online", { qos: 0 }).catch(() => undefined);
    await intruder.client!.publishAsync(rackTopic(GYM, "rack-b", "lifts"), "E,id=99*0000", { qos: 0 }).catch(() => undefined);
    // rack-b keeps streaming: once 20 more of its batches are stored, the forged ones would have been too
    const before = host!.racks.get("rack-b")!.recorder.frames;
    await until(() => expect(host!.racks.get("rack-b")!.recorder.frames).toBeGreaterThan(before + 160));
    expect(host!.racks.has("victim")).toBe(false);
    expect(host!.racks.get("rack-b")!.session.counts.corrupt).toBe(0);
    expect(host!.racks.get("rack-b")!.lifts).toBe(0);
  });

  it("counts garbage and oversized payloads and never stores them as readings", async () => {
    const a = await rack("rack-a");
    await until(() => expect(host!.racks.get("rack-a")?.recorder.frames ?? 0).toBeGreaterThan(0));
    await a.publishRaw("frames", "hello\nS000garbage*1234");
    await a.publishRaw("frames", Buffer.from([0xff, 0xfe, 0x00, 0x53, 0x0a]));
    await a.publishRaw("frames", "S".repeat(MAX_RACK_PAYLOAD_BYTES + 1));
    await a.publishRaw("lifts", "not a lift", 1);
    await a.publishRaw("status", "maybe", 1);
    const r = host!.racks.get("rack-a")!;
    await until(() => {
      expect(r.session.counts.corrupt).toBe(5); // 2 lines + 1 binary line + 1 oversized payload + 1 lift
      expect(r.oversizedPayloads).toBe(1);
      expect(host!.counts.badPayloads).toBe(1);
    });
    r.recorder.flush();
    const frames = [...store.frames(r.recorder.sessionId)];
    expect(frames.length).toBe(r.session.counts.good);
    // every stored frame is one the rack made: consecutive sequence numbers, forces as it sent them
    for (let i = 1; i < frames.length; i++) expect(frames[i].seq).toBe(frames[i - 1].seq + 1);
    expect(frames.every((f) => Number.isFinite(f.totalN) && f.totalN > 800 && f.totalN < 1000)).toBe(true);
  });

  it("a broker restart mid-session loses no lift, stores each once, and counts the lost frames as missing", async () => {
    const a = await rack("rack-a");
    const r = () => host!.racks.get("rack-a")!;
    await until(() => expect(host!.racks.get("rack-a")?.recorder.frames ?? 0).toBeGreaterThan(40));
    for (let i = 0; i < 3; i++) a.lift(1000 + i);
    await until(() => expect(r().lifts).toBe(3));
    await broker.restart();
    await until(() => expect(a.connected).toBe(false), 5000).catch(() => undefined); // it may already be back
    a.lift(1003); // while offline (or just back): kept in the rack's lift log
    a.lift(1004);
    await until(() => expect(r().lifts).toBe(5), 20000);
    // a last replay round trip: every repeat the rack sends comes before this reply
    const res = await r().session.command("lifts", ["0"], { timeoutMs: 10000 });
    expect(res.ok).toBe(true);
    expect(Number(res.fields.count)).toBe(5);
    // frames after the outage reached the host, so the gap is behind it
    const goodBefore = r().session.counts.good;
    await until(() => expect(r().session.counts.good).toBeGreaterThan(goodBefore + 16));
    await a.stop(true);
    const sessionId = r().recorder.sessionId;
    const counts = { ...r().session.counts };
    await host!.close();
    host = null;
    const lifts = store.listLifts({ sessionId }).filter((l) => l.source === "board");
    expect(lifts.map((l) => l.peakForceN).sort()).toEqual([1000, 1001, 1002, 1003, 1004]);
    // frames: every stored one is real, and good + missing spans exactly first..last sequence number
    const frames = [...store.frames(sessionId)];
    expect(frames.length).toBe(counts.good);
    expect(counts.duplicates).toBe(0);
    expect(counts.good + counts.missing).toBe(frames[frames.length - 1].seq - frames[0].seq + 1);
    expect(counts.missing).toBeGreaterThanOrEqual(a.framesDropped);
    expect(counts.missing).toBeGreaterThan(0);
  });

  it("a rack's WiFi down and back: every lift arrives once, the frames it could not send counted missing exactly", async () => {
    const a = await rack("rack-a");
    const r = () => host!.racks.get("rack-a")!;
    await until(() => expect(host!.racks.get("rack-a")?.recorder.frames ?? 0).toBeGreaterThan(40));
    a.lift(2000);
    await until(() => expect(r().lifts).toBe(1));
    await a.linkDown();
    await until(() => expect(r().online).toBe(false)); // the last will
    a.lift(2001);
    a.lift(2002);
    await until(() => expect(a.framesDropped).toBeGreaterThanOrEqual(40));
    a.linkUpAgain();
    await until(() => expect(r().lifts).toBe(3));
    expect(r().online).toBe(true);
    const res = await r().session.command("lifts", ["0"], { timeoutMs: 10000 });
    expect(res.ok).toBe(true);
    const goodBefore = r().session.counts.good;
    await until(() => expect(r().session.counts.good).toBeGreaterThan(goodBefore + 16));
    await a.stop(true);
    const counts = { ...r().session.counts };
    const sessionId = r().recorder.sessionId;
    await host!.close();
    host = null;
    expect(counts.missing).toBe(a.framesDropped);
    expect(counts.duplicates).toBe(0);
    expect(counts.reconnects).toBe(1);
    expect(store.listLifts({ sessionId }).filter((l) => l.source === "board").map((l) => l.peakForceN).sort()).toEqual([2000, 2001, 2002]);
    expect(store.getSession(sessionId)!.missing).toBe(a.framesDropped);
  });

  it("a restarted host resumes its persistent session (one client id per gym): a lift made while it was away arrives from the broker's queue", async () => {
    const a = await rack("rack-a");
    await until(() => expect(host!.racks.get("rack-a")?.lifts ?? -1).toBe(0));
    a.lift(1500);
    await until(() => expect(host!.racks.get("rack-a")!.lifts).toBe(1));
    expect(host!.client.options.clientId).toBe(hostClientId(GYM));
    expect(host!.client.options.clean).toBe(false);
    await host!.close();
    host = null;
    a.lift(1501); // only the broker can hold it for the host now (the rack does not reconnect, so it re-sends nothing)
    await new Promise((r) => setTimeout(r, 300));
    // a second database: nothing stored there makes the new host ask the rack for lifts
    const store2 = new Store(path.join(dir, "second.db"));
    try {
      host = await GymHost.connect({ url: broker.url, gym: GYM, store: store2, username: broker.hostUsername, password: broker.hostPassword, reconnectMs: 100 });
      await until(() => expect(host!.racks.get("rack-a")?.lifts ?? 0).toBe(1));
      expect(host!.racks.get("rack-a")!.lastLift!.peakForceN).toBe(1501);
      await host.close();
      host = null;
      expect(store2.listLifts().filter((l) => l.source === "board").map((l) => l.peakForceN)).toEqual([1501]);
    } finally {
      store2.close();
    }
  });

  it("a lift replayed after the host restarted is stored once (the store knows it by the board's lift id and boot)", async () => {
    const a = await rack("rack-a");
    await until(() => expect(host!.racks.get("rack-a")?.lifts ?? -1).toBe(0));
    a.lift(1600);
    a.lift(1601);
    await until(() => expect(host!.racks.get("rack-a")!.lifts).toBe(2));
    await host!.close();
    host = await GymHost.connect({ url: broker.url, gym: GYM, store, username: broker.hostUsername, password: broker.hostPassword, reconnectMs: 100 });
    await until(() => expect(host!.racks.get("rack-a")?.recorder.frames ?? 0).toBeGreaterThan(16));
    // the rack's WiFi drops and comes back: it re-sends its whole lift log (1600, 1601, then 1602)
    await a.linkDown();
    a.lift(1602);
    a.linkUpAgain();
    await until(() => expect(host!.racks.get("rack-a")!.lifts).toBe(1));
    // every repeat the rack sends comes before the reply to this request for its whole log
    const res = await host!.racks.get("rack-a")!.session.command("lifts", ["0"], { timeoutMs: 10000 });
    expect(Number(res.fields.count)).toBe(3);
    expect(host!.racks.get("rack-a")!.lifts).toBe(1);
    await host!.close();
    host = null;
    const stored = store.listLifts().filter((l) => l.source === "board");
    expect(new Set(stored.map((l) => l.sessionId)).size).toBe(2);
    expect(stored.map((l) => l.peakForceN).sort()).toEqual([1600, 1601, 1602]);
  });
});

describe("README's Mosquitto files", () => {
  it("are the ones the tests start Mosquitto with", async () => {
    const { mosquittoAcl, mosquittoConf } = await import("./test-brokers.ts");
    const readme = fs.readFileSync(path.join(import.meta.dirname, "../../README.md"), "utf8");
    expect(readme).toContain(mosquittoAcl("north").trim());
    const conf = mosquittoConf(1883, "/etc/mosquitto").split("\n");
    for (const line of ["listener 1883", "allow_anonymous false"]) expect(conf.some((l) => l.startsWith(line))).toBe(true);
    for (const line of ["listener 1883", "allow_anonymous false", "password_file /etc/mosquitto/rackcell.passwd", "acl_file /etc/mosquitto/rackcell.acl"]) {
      expect(readme).toContain(line);
    }
  });
});

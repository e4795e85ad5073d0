import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NET_KEYS, toHexText, type NetConfig } from "../../shared/board/netcfg.ts";
import { Store } from "../store/store.ts";
import { field } from "../testing/firmware/emu-link.ts";
import { GymBoard, gymNetConfig } from "../testing/firmware/gym-board.ts";
import { GymHost } from "./gym-host.ts";
import type { RacksFile } from "./racks-file.ts";
import { embeddedTestBroker, mosquittoTestBroker, type TestBroker } from "./test-brokers.ts";
import { rackTopic } from "./topics.ts";

/**
 * End to end: full emulated boards (the built firmware in the emulator's Lua VM, NodeMCU's wifi and
 * mqtt stand-ins on real TCP) configured over their serial link with the `net` command, join a
 * `rackcell gym` host (GymHost) through a real broker (embedded Aedes, and Mosquitto), stream and
 * lift. The serial link stays open all along: it is the truth the MQTT side is checked against
 * (every frame and lift the board made), and it must keep working while the board is on WiFi.
 */
const GYM = "boardgym";
const RACKS: RacksFile = { gym: GYM, racks: new Map([["rack-1", "rack-one-mqtt-pw"], ["rack-2", "rack-two-mqtt-pw"]]) };
const PULL = "rackpull:kg=120,emptyS=2,restS=2,holdS=1,afterS=2";

describe.each(["embedded", "mosquitto"] as const)("emulated boards in a gym, %s broker", (kind) => {
  let dir: string;
  let broker: TestBroker;
  let store: Store;
  let host: GymHost | null;
  let boards: GymBoard[] = [];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-gym-boards-"));
    broker = kind === "embedded" ? await embeddedTestBroker(RACKS) : await mosquittoTestBroker(RACKS, dir);
    store = new Store(path.join(dir, "gym.db"));
    host = await GymHost.connect({ url: broker.url, gym: GYM, store, username: broker.hostUsername, password: broker.hostPassword, reconnectMs: 100 });
  });

  afterEach(async () => {
    await Promise.all(boards.map((b) => b.close()));
    boards = [];
    if (host) await host.close();
    store.close();
    await broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function board(rack: string): Promise<GymBoard> {
    const b = await GymBoard.start({ rack });
    boards.push(b);
    expect(await b.link.until(() => b.link.records("B,").length > 0, 5000), "B record").toBe(true);
    return b;
  }

  /** What `rackcell net` sends: each field in hex, then save and reboot. */
  async function configure(b: GymBoard, cfg: NetConfig): Promise<void> {
    for (const key of NET_KEYS) {
      const r = await b.link.command("net", [key, toHexText(cfg[key])]);
      expect(r.slice(2), `net ${key}`).toEqual(["ok", `${key}=set`]);
    }
    expect((await b.link.command("net", ["save"]))[2]).toBe("ok");
    const boots = b.link.records("B,").length;
    await b.link.command("reboot");
    expect(await b.link.until(() => b.link.records("B,").length > boots, 6000), "rebooted").toBe(true);
    b.newBoot();
  }

  const netConfig = (rack: string, mqttPassword = RACKS.racks.get(rack)!) => gymNetConfig({ port: broker.port, gym: GYM, rack, mqttPassword });

  /** Advances every board by `ms` of virtual time, in steps, all at once (each board is its own process). */
  async function run(ms: number, stepMs = 100): Promise<void> {
    for (let t = 0; t < ms; t += stepMs) await Promise.all(boards.map((b) => b.link.advance(stepMs)));
  }

  /** Runs the boards until `p` settles (a host command the boards must answer). */
  async function runWhile<T>(p: Promise<T>): Promise<T> {
    let done = false;
    const settled = p.finally(() => (done = true));
    while (!done) await run(100);
    return settled;
  }

  /** Runs the boards until `pred` holds or `maxMs` of virtual time passed. */
  async function runUntil(pred: () => boolean, maxMs: number, what: string): Promise<void> {
    for (let t = 0; t <= maxMs; t += 100) {
      if (pred()) return;
      await run(100);
    }
    const diag = await Promise.all(boards.map(async (b) => `${b.rack}: USB lifts ${liftIds(b).join(" ")}, stored ${storedLiftIds(b.rack).join(" ")}, host ${JSON.stringify({ online: host?.racks.get(b.rack)?.online, lifts: host?.racks.get(b.rack)?.lifts, counts: host?.racks.get(b.rack)?.session.counts })}` +
      ` usb ${JSON.stringify((await b.link.board.stats()).network)} ${(await b.link.command("info")).slice(-12).join(",")}`));
    expect(pred(), `${what} within ${maxMs} virtual ms\n${diag.join("\n")}`).toBe(true);
  }

  const liftIds = (b: GymBoard) => b.liftIds();
  const storedLiftIds = (rack: string) => store.boardLiftIdentities(`/${rackTopic(GYM, rack, "frames").replace(/\/frames$/, "")}`).map((l) => l.id).sort((x, y) => x - y);

  it("two boards join over WiFi and MQTT, stream and lift; one loses its WiFi for 30 s: lifts replayed once, missing frames counted exactly; USB works throughout", async () => {
    const [b1, b2] = [await board("rack-1"), await board("rack-2")];
    // rack-2 first with a wrong WiFi password, then a wrong MQTT password: refused by the access
    // point (802.11 reason 15, 4-way handshake timeout), then by the broker (CONNACK 4 or 5); the board says so over USB
    await configure(b1, netConfig("rack-1"));
    await configure(b2, { ...netConfig("rack-2"), pwd: "not the wifi password" });
    await runUntil(() => (host!.racks.get("rack-1")?.session.counts.good ?? 0) > 80, 20000, "rack-1's frames at the host");
    await run(8000);
    const noWifi = await b2.link.command("info");
    expect([field(noWifi, "netstate"), field(noWifi, "netfail")]).toEqual(["wifi", "15"]);
    await configure(b2, netConfig("rack-2", "not-the-mqtt-password"));
    await run(8000);
    const noBroker = await b2.link.command("info");
    expect(field(noBroker, "netstate")).toBe("broker");
    expect(["4", "5"]).toContain(field(noBroker, "netfail"));
    expect(host!.racks.has("rack-2")).toBe(false);
    await configure(b2, netConfig("rack-2"));
    await runUntil(() => (host!.racks.get("rack-2")?.session.counts.good ?? 0) > 80, 20000, "rack-2's frames at the host");
    const r1 = host!.racks.get("rack-1")!;
    const r2 = host!.racks.get("rack-2")!;
    expect(r1.online && r2.online).toBe(true);
    // tare from the gym host over MQTT (an allowed remote command; the host applies the new zeros), then a pull on each rack
    for (const r of [r1, r2]) expect((await runWhile(r.session.tare())).ok).toBe(true);
    await Promise.all([b1, b2].map((b) => b.link.board.setScenario(PULL)));
    // (the host's own lift detection from the frames stores lifts too: only the board's count here)
    const arrived = (b: GymBoard) => storedLiftIds(b.rack).length === liftIds(b).length;
    await runUntil(() => liftIds(b1).length > 0 && liftIds(b2).length > 0 && arrived(b1) && arrived(b2), 20000, "each rack's lift at the host");

    // rack-1's WiFi goes for 30 s; it lifts meanwhile; USB keeps answering and streaming
    const usbBefore = b1.usbSeqs.length;
    await b1.link.board.fault({ kind: "wifiDown", seconds: 30 });
    await runUntil(() => !r1.online, 10000, "rack-1 offline at the host (its last will)");
    const liftsBefore = liftIds(b1).length;
    await b1.link.board.setScenario(PULL);
    await runUntil(() => liftIds(b1).length > liftsBefore, 20000, "rack-1's lift on USB while its WiFi is down");
    const info = await b1.link.command("info");
    expect(field(info, "netstate")).toBe("wifi");
    await runUntil(() => r1.online && arrived(b1), 120000, "rack-1 back with its lift");
    expect(b1.usbSeqs.length - usbBefore).toBeGreaterThan(30 * 80);
    const liftsBack = liftIds(b1).length;
    await b1.link.board.setScenario(PULL);
    await runUntil(() => liftIds(b1).length > liftsBack && arrived(b1), 20000, "rack-1's lift after its WiFi came back");
    // the bar off the pins for good (which may be one more lift): from then on no board lifts
    await Promise.all([b1, b2].map((b) => b.link.board.setScenario("empty:dur=900")));
    await run(8000);
    await runUntil(() => arrived(b1) && arrived(b2), 20000, "every lift at the host");
    // a last replay round trip: every repeat the board sends comes before this reply
    const res = await runWhile(r1.session.command("lifts", ["0"], { timeoutMs: 10000 }));
    expect(res.ok).toBe(true);
    expect(Number(res.fields.count)).toBe(liftIds(b1).length);
    await run(1000);

    const counts = [{ ...r1.session.counts }, { ...r2.session.counts }];
    const sessions = [r1.recorder.sessionId, r2.recorder.sessionId];
    await host!.close();
    host = null;
    for (const [i, b] of [b1, b2].entries()) {
      // every lift the board made (its E records on USB) stored exactly once
      expect(storedLiftIds(b.rack), `${b.rack}'s lifts`).toEqual(liftIds(b));
      // USB: every frame, no gap, while the board was on WiFi too
      expect(b.link.stats.gaps, `${b.rack} USB gaps`).toBe(0);
      expect(b.link.stats.corrupt).toBe(0);
      // MQTT: the stored frames are the board's; the missing ones exactly those it made but never sent
      const stored = [...store.frames(sessions[i])].map((f) => f.seq);
      expect(stored.length).toBe(counts[i].good);
      const neverSent = b.neverSent(stored);
      expect(neverSent, `${b.rack}: every stored frame is one the board made`).not.toBeNull();
      expect(counts[i].duplicates).toBe(0);
      expect(counts[i].corrupt).toBe(0);
      expect(counts[i].calibrationMismatches, `${b.rack}: host-derived force = board force`).toBe(0);
      expect(counts[i].missing, `${b.rack} missing`).toBe(neverSent);
    }
    // node.heap() in every heartbeat, reboots and the outage included: at least the 8 KB the board
    // needs, and the firmware's ≈ 20 KB and the network's C side taken from the ≈ 44 KB
    for (const b of [b1, b2]) {
      b.readHeartbeats();
      expect(b.heartbeatHeap.length).toBeGreaterThan(60);
      expect(Math.min(...b.heartbeatHeap), `${b.rack} lowest free heap`).toBeGreaterThanOrEqual(8 * 1024);
      expect(Math.max(...b.heartbeatHeap), `${b.rack} highest free heap`).toBeLessThan(30_000);
    }
    expect(liftIds(b1).length).toBeGreaterThanOrEqual(3);
    expect(counts[0].missing).toBeGreaterThan(30 * 80);
  }, 300_000);
});

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { defaultDetectorConfig, detectorCreate, KIND_RACKPULL } from "../../shared/analysis/detector.ts";
import { liftBody } from "../../shared/board/liftrecord.ts";
import { encodeNetFile } from "../../shared/board/netcfg.ts";
import { decodeSample, openLine, sealLine } from "../../shared/protocol/frame.ts";
import { encodeCommand } from "../../shared/protocol/messages.ts";
import { runOnFake } from "../testing/firmware/fake-board.ts";
import { Store } from "../store/store.ts";
import { GymHost } from "./gym-host.ts";
import type { RacksFile } from "./racks-file.ts";
import { embeddedTestBroker, type TestBroker } from "./test-brokers.ts";
import { rackTopic } from "./topics.ts";

/**
 * What the firmware publishes (firmware/net-link.ts, run on the fake NodeMCU with the fake
 * wifi/mqtt that records every publish) is what the gym host records: the board's own messages,
 * outage and replays included, fed in their order to a GymHost on a real embedded broker. Until the
 * emulator's wifi/mqtt stand-ins carry the firmware onto a real broker, this is the seam test
 * between the two sides.
 */
const GYM = "testgym";
const RACK = "rack-a";
const racks: RacksFile = { gym: GYM, racks: new Map([[RACK, "alpha-password-1"]]) };
const until = (fn: () => void) => vi.waitFor(fn, { timeout: 15000, interval: 20 });

/** A complete rack pull's sealed E line, as the board's lift log holds it. */
function liftLine(id: number, peakForceN: number): string {
  const s = detectorCreate(defaultDetectorConfig(80)).summary;
  Object.assign(s, {
    kind: KIND_RACKPULL, complete: true, confirmed: true, quietOk: true, baselinePinN: 0, thresholdN: 50, onsetMs: 1000 * id, peakMs: 1000 * id + 800,
    peakForceN, peakNetForceN: peakForceN, timeToPeakMs: 800, weighedLoadN: 1000, liftOffMs: 1000 * id + 100, timeToLiftOffMs: 100,
    setDownMs: 1000 * id + 1800, holdMs: 1700, endMs: 1000 * id + 2000, maxGapMs: 13,
  });
  return sealLine(liftBody(id, 1, s));
}

interface Publish { topic: string; payload: string; qos: number; retain: number }
let publishes: Publish[] = [];
let dir: string;
let broker: TestBroker;
let store: Store;

beforeAll(async () => {
  const cfg = { ssid: "gym", pwd: "", host: "127.0.0.1", port: "1883", rack: RACK, gym: GYM, user: RACK, mpass: "alpha-password-1" };
  const r = runOnFake("5.1", { files: { "net.cfg": encodeNetFile(cfg), "lifts.txt": `${liftLine(1, 1400)}\n${liftLine(2, 1500)}\n` } }, `
T.value = {1000, -2000}; T.run(300000)
T.wifiUp(); T.run(3000000)
T.brokerDown(); T.run(5000000)
T.files["lifts.txt"] = T.files["lifts.txt"] .. ${JSON.stringify(`${liftLine(3, 1600)}\n`)}
T.brokerUp(); T.run(5000000)
-- the host asks for lifts from the start: each again, and stored once
T.mqttIn(${JSON.stringify(rackTopic(GYM, RACK, "cmd"))}, ${JSON.stringify(encodeCommand(900, "lifts", ["0"]))}); T.run(2000000)
__write(__json({ publishes = T.net.publishes, errors = T.errors or "" }))`) as { publishes: Publish[]; errors: string };
  expect(r.errors).toBe("");
  publishes = r.publishes;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-board-payloads-"));
  broker = await embeddedTestBroker(racks);
  store = new Store(path.join(dir, "gym.db"));
}, 120_000);

afterAll(async () => {
  store?.close();
  await broker?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the board's MQTT messages, recorded by the gym host", () => {
  it("every frame once, the outage counted missing, each lift stored once, nothing corrupt, sealed", async () => {
    const host = await GymHost.connect({ url: broker.url, gym: GYM, store, username: broker.hostUsername, password: broker.hostPassword, reconnectMs: 100 });
    try {
      for (const p of publishes) host.handle(p.topic, Buffer.from(p.payload, "latin1"));
      const seqs = publishes.filter((p) => p.topic === rackTopic(GYM, RACK, "frames")).flatMap((p) => p.payload.split("\n"))
        .filter((l) => l.startsWith("S")).map((l) => decodeSample(openLine(l).body).seq);
      const span = seqs[seqs.length - 1] - seqs[0] + 1;
      expect(span - seqs.length).toBeGreaterThan(300); // ≈ 5 s at 80 SPS were not sent
      const r = host.racks.get(RACK)!;
      await until(() => expect(r.lifts).toBe(3));
      expect(r.session.counts.good).toBe(seqs.length);
      expect(r.session.counts.missing).toBe(span - seqs.length);
      expect(r.session.counts.corrupt).toBe(0);
      expect(r.session.counts.duplicates).toBe(0);
      // the lifts went out more than once (first connect, reconnect, the lifts,0 replay); the host kept each once
      const sent = publishes.filter((p) => p.topic === rackTopic(GYM, RACK, "lifts")).length;
      expect(sent).toBeGreaterThanOrEqual(6);
      const seals = await host.close();
      const lifts = store.listLifts({ sessionId: r.recorder.sessionId }).filter((l) => l.source === "board");
      expect(lifts.map((l) => l.peakForceN).sort()).toEqual([1400, 1500, 1600]);
      const row = store.getSession(r.recorder.sessionId)!;
      expect(row.frames).toBe(seqs.length);
      expect(seals.get(RACK)).toBe(store.auditSession(row.id).seal);
    } finally {
      await host.close().catch(() => undefined);
    }
  });
});

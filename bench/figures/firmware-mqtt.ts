import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../host/gym/broker.ts";
import { GymHost } from "../../host/gym/gym-host.ts";
import { Store } from "../../host/store/store.ts";
import { GymBoard, gymNetConfig } from "../../host/testing/firmware/gym-board.ts";

/**
 * The firmware's heap with the network on (issue 15), on the emulated board (the built firmware,
 * NodeMCU's wifi and mqtt stand-ins whose C-side memory is charged to node.heap(), manual clock):
 * net.cfg on flash, streaming 2 × 80 SPS over MQTT to an embedded broker and a gym host, tared.
 * - firmware.heap_steady_kb_mqtt: the Lua heap (stats().heapUsedBytes less the C side the
 *   emulator charges for WiFi, TCP and MQTT) at 60 s, mean of 5 readings 1 s apart: as
 *   firmware.heap_steady_kb, with the network on.
 * - firmware.free_heap_min_kb_mqtt: the lowest free heap (node.heap(): every heartbeat's, and
 *   stats().heapFreeBytes every 100 ms) from the first minute on, through outages: the WiFi down
 *   30 s with a lift meanwhile, the broker restarted, the WiFi down 5 s.
 * The run stops with an error unless the board came back to the host after each outage and every
 * lift it made was stored.
 */
const GYM = "heapgym";
const RACK = "rack-h";
const PASSWORD = "rack-h-mqtt-password";
const PULL = "rackpull:kg=150,emptyS=2,restS=2,holdS=1,afterS=2";
const STEP_MS = 100;

export async function figures(): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-bench-fwmqtt-"));
  const racksFile = { gym: GYM, racks: new Map([[RACK, PASSWORD]]) };
  let broker: EmbeddedBroker | null = await startEmbeddedBroker(racksFile, { port: 0, host: "127.0.0.1" });
  const { port, hostPassword } = broker;
  const store = new Store(path.join(dir, "gym.db"));
  const host = await GymHost.connect({ url: broker.url, gym: GYM, store, username: broker.hostUsername, password: hostPassword, reconnectMs: 100 });
  const b = await GymBoard.start({ rack: RACK, net: gymNetConfig({ port, gym: GYM, rack: RACK, mqttPassword: PASSWORD }) });
  let lowestFree = Infinity;
  let sampling = false;
  const run = async (ms: number) => {
    for (let t = 0; t < ms; t += STEP_MS) {
      await b.link.advance(STEP_MS);
      if (sampling) lowestFree = Math.min(lowestFree, (await b.link.board.stats()).heapFreeBytes);
    }
  };
  const runUntil = async (pred: () => boolean, maxMs: number, what: string) => {
    for (let t = 0; !pred(); t += STEP_MS) {
      if (t > maxMs) throw new Error(`${what}: not within ${maxMs} virtual ms`);
      await run(STEP_MS);
    }
  };
  const rack = () => host.racks.get(RACK);
  const storedLifts = () => store.boardLiftIdentities(`/rackcell/${GYM}/${RACK}`).length;
  try {
    await runUntil(() => (rack()?.session.counts.good ?? 0) > 80, 20000, "the board's frames at the host");
    const tare = await b.link.command("tare");
    if (tare[2] !== "ok") throw new Error(`tare: ${tare.join(",")}`);
    await run(60_000 - b.link.board.nowUs() / 1000 - 4000);
    const lua: number[] = [];
    for (let i = 0; i < 5; i++) {
      await run(1000);
      const s = await b.link.board.stats();
      lua.push(s.heapUsedBytes - s.network.cHeapBytes);
    }
    if (!rack()!.online) throw new Error("the board is not online at 60 s");

    sampling = true;
    b.readHeartbeats();
    const heartbeats0 = b.heartbeatHeap.length;
    await b.link.board.fault({ kind: "wifiDown", seconds: 30 });
    await b.link.board.setScenario(PULL);
    await runUntil(() => !rack()!.online, 10000, "offline after the WiFi went");
    await runUntil(() => rack()!.online && storedLifts() === b.liftIds().length, 120_000, "back after 30 s without WiFi, with its lift");
    await run(5000);
    const goodBefore = rack()!.session.counts.good;
    await broker.close();
    broker = null;
    await run(2000);
    broker = await startEmbeddedBroker(racksFile, { port, host: "127.0.0.1", hostPassword });
    const reconnects = rack()!.session.counts.reconnects;
    await runUntil(() => host.client.connected && rack()!.session.counts.good > goodBefore + 80, 60_000, "frames again after the broker restart");
    await run(10_000);
    await b.link.board.fault({ kind: "wifiDown", seconds: 5 });
    await run(5000);
    await runUntil(() => rack()!.online && rack()!.session.counts.reconnects > reconnects, 60_000, "back after 5 s without WiFi");
    await run(10_000);
    if (b.liftIds().length === 0 || storedLifts() !== b.liftIds().length) throw new Error(`lifts made ${b.liftIds().length}, stored ${storedLifts()}`);
    b.readHeartbeats();
    for (const h of b.heartbeatHeap.slice(heartbeats0)) lowestFree = Math.min(lowestFree, h);
    return {
      "firmware.heap_steady_kb_mqtt": lua.reduce((x, y) => x + y, 0) / lua.length / 1024,
      "firmware.free_heap_min_kb_mqtt": lowestFree / 1024,
    };
  } finally {
    await b.close();
    await host.close();
    await broker?.close();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

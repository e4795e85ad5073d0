import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import { listBoards, loadBoard } from "../../build/boards.ts";
import { Store } from "../../store/store.ts";
import type { HostMessage } from "../../web/protocol.ts";
import { serveWeb, type WebServer } from "../../web/server.ts";
import { GymHost } from "../gym-host.ts";
import { SimRack } from "../loadgen.ts";
import type { RacksFile } from "../racks-file.ts";
import { embeddedTestBroker, type TestBroker } from "../test-brokers.ts";
import { rackTopic } from "../topics.ts";
import type { GymSnapshot } from "./protocol.ts";
import { createGymRelay } from "./relay.ts";

/** The gym page's WebSocket without a browser: snapshots for the tiles, one rack's lines for its lifter screen. */
const GYM = "relaygym";
const racks: RacksFile = { gym: GYM, racks: new Map([["rack-a", "alpha-password-1"], ["rack-b", "bravo-password-2"]]) };
const until = (fn: () => void, timeout = 10000) => vi.waitFor(fn, { timeout, interval: 20 });

function open(server: WebServer, query: string): { ws: WebSocket; messages: (HostMessage | GymSnapshot)[] } {
  const ws = new WebSocket(`${server.url.replace("http", "ws")}ws${query}`, { origin: server.url.slice(0, -1) });
  const messages: (HostMessage | GymSnapshot)[] = [];
  ws.on("message", (d) => messages.push(JSON.parse(String(d)) as HostMessage | GymSnapshot));
  return { ws, messages };
}

describe("the gym page's WebSocket", () => {
  let dir: string;
  let broker: TestBroker;
  let store: Store;
  let host: GymHost | null = null;
  let server: WebServer | null = null;
  const sims: SimRack[] = [];
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-gymrelay-"));
    broker = await embeddedTestBroker(racks);
    store = new Store(path.join(dir, "gym.db"));
  });
  afterEach(async () => {
    await server?.close();
    for (const s of sims.splice(0)) await s.stop(false);
    await host?.close();
    store.close();
    await broker.close();
    fs.rmSync(dir, { recursive: true, force: true });
    host = null;
    server = null;
  });
  const connectHost = () => GymHost.connect({ url: broker.url, gym: GYM, store, username: broker.hostUsername, password: broker.hostPassword, reconnectMs: 100 });
  const startRack = async (rack: string) => {
    const s = new SimRack({ url: broker.url, gym: GYM, rack, password: racks.racks.get(rack)!, reconnectMs: 100 });
    sims.push(s);
    await s.start();
    return s;
  };

  it("snapshots every rack for the tiles, a rack only its retained offline names among them; relays one rack's lines and commands", async () => {
    // rack-a was on and went off before this host started: only its retained `offline` is left
    const a = await startRack("rack-a");
    await a.stop(true);
    host = await connectHost();
    server = await serveWeb({ dir, relay: createGymRelay(host, { gym: GYM, boards: listBoards().map((b) => loadBoard(b)), intervalMs: 50 }) });
    const tiles = open(server, "?view=gym");
    const latest = () => tiles.messages[tiles.messages.length - 1] as GymSnapshot | undefined;
    await until(() => expect(latest()?.racks.map((r) => [r.rack, r.online, r.heard])).toEqual([["rack-a", false, false]]));
    expect(latest()).toMatchObject({ t: "gym", gym: GYM, racks: [{ liveTotalN: null, lifts: 0, lastLift: null, counts: null }] });

    const b = await startRack("rack-b");
    await until(() => expect(latest()!.racks.find((r) => r.rack === "rack-b")?.counts?.good ?? 0).toBeGreaterThan(16));
    const tile = latest()!.racks.find((r) => r.rack === "rack-b")!;
    expect(tile.online).toBe(true);
    expect(tile.liveTotalN!).toBeGreaterThan(850);
    expect(tile.liveTotalN!).toBeLessThan(950);
    b.lift(1234);
    await until(() => expect(latest()!.racks.find((r) => r.rack === "rack-b")!.lastLift).toMatchObject({ kind: "rack pull", peakForceN: 1234, weighedLoadN: 900 }));

    // rack-b's lifter screen: hello with its board, then its lines; what it writes goes to rack-b's cmd topic
    const screen = open(server, "?rack=rack-b");
    await until(() => expect(screen.messages.filter((m) => m.t === "line").length).toBeGreaterThan(5));
    expect(screen.messages[0]).toMatchObject({ t: "hello", port: rackTopic(GYM, "rack-b", "frames").replace(/\/frames$/, ""), emulated: false, board: { name: "nodemcu-v3-2pin" } });
    const commands: string[] = [];
    b.client!.on("message", (_topic, payload) => commands.push(payload.toString()));
    screen.ws.send(JSON.stringify({ t: "write", l: "C,77,info*0000" }));
    await until(() => expect(commands).toContain("C,77,info*0000"));
    screen.ws.send(JSON.stringify({ t: "place", id: 3, placement: {} }));
    await until(() => expect(screen.messages.find((m) => m.t === "placed")).toMatchObject({ id: 3, error: expect.stringMatching(/place the plates yourself/) }));
    // the rack drops off: the screen hears it as the host losing the board
    await b.linkDown();
    await until(() => expect(screen.messages.find((m) => m.t === "state")).toMatchObject({ state: "lost", detail: "rack-b is offline (its last will)" }));

    // a rack nobody heard, and the lifter page without a rack: no board
    const nobody = open(server, "?rack=nobody");
    const bare = open(server, "");
    await until(() => {
      expect(nobody.messages[0]).toMatchObject({ t: "hello", board: null });
      expect(bare.messages[0]).toMatchObject({ t: "hello", port: "", board: null });
    });
    for (const c of [tiles, screen, nobody, bare]) c.ws.close();
  });
});

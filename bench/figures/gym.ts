import { fork, type ChildProcess, type Serializable } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { listBoards, loadBoard } from "../../host/build/boards.ts";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../host/gym/broker.ts";
import { GymHost } from "../../host/gym/gym-host.ts";
import type { LoadCommand, LoadMessage, LoadPlan, RackReport } from "../../host/gym/loadgen-process.ts";
import { GYM_VIEW_QUERY } from "../../host/gym/page/protocol.ts";
import { createGymRelay } from "../../host/gym/page/relay.ts";
import { rackTopic } from "../../host/gym/topics.ts";
import { repoRoot } from "../../host/paths.ts";
import { Store } from "../../host/store/store.ts";
import { framesNeverSent } from "../../host/testing/firmware/gym-board.ts";
import type { BoardsCommand, BoardsMessage, BoardsPlan } from "../../host/testing/firmware/gym-boards-process.ts";
import { WS_PATH } from "../../host/web/protocol.ts";
import { serveWeb } from "../../host/web/server.ts";

/**
 * A gym on one host: `rackcell gym`'s parts (embedded Aedes broker, the recorder, the SQLite store,
 * the gym page's server and relay at their defaults) in this process; RACKS simulated racks
 * (host/gym/loadgen.ts, the shared encoders) at 80 SPS, 2 channels, batches of 100 ms, in a child
 * process that also watches the gym page's WebSocket as the page does; beside them
 * EMULATED_BOARDS full emulated boards (the built firmware, its WiFi and MQTT on the emulator's
 * stand-ins over real TCP, realtime clock, net.cfg on flash) in another child process
 * (host/testing/firmware/gym-boards-process.ts), tared from the host over MQTT.
 *   gym.racks                   racks streaming at once, every frame they published in the steady
 *                               window stored and shown on the gym page
 *   gym.emulated_boards         boards recorded exactly: every lift they made (E records on USB)
 *                               stored once, every stored frame one they made, the missing ones
 *                               exactly those they made but never sent
 *   gym.frames_per_s            frames stored per second over the steady window
 *   gym.lift_delivery_pct       lifts stored exactly once / lifts made, through outages: every rack
 *                               and board lifts in the steady window, OUTAGE_RACKS racks lose their
 *                               WiFi for OUTAGE_MS and lift while offline (BOARD_OUTAGES boards
 *                               lose it for BOARD_OUTAGE_S and lift), then the broker restarts (all
 *                               state lost) with every rack lifting while it is down, and every
 *                               rack lifts once more after
 *   gym.latency_ms_p99          rack publish → frame committed in the store AND shown on its tile
 *                               (the snapshot on the gym page's WebSocket carrying its count), p99
 *   gym.store_latency_ms_p99    rack publish → frame committed in the store, p99
 *   gym.host_cpu_pct_per_rack   this process's CPU (broker + recorder + store + page relay) per
 *                               rack or board over the steady window, % of one core
 * Latency counts batches published in the steady window, before any outage. It is wall time: on a
 * machine whose other work leaves this process a fraction of a core, batches queue and it grows.
 */
const RACKS = 200;
const GYM = "bench";
const WARMUP_S = 5;
const STEADY_S = 10;
const OUTAGE_RACKS = 20;
const OUTAGE_MS = 4000;
const BROKER_DOWN_MS = 1500;
const DRAIN_MS = 20000;
const EMULATED_BOARDS = 8;
const BOARD_OUTAGES = 2;
const BOARD_OUTAGE_S = 3;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const wallMs = () => performance.timeOrigin + performance.now();

export async function figures(): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-bench-gym-"));
  const racks = new Map<string, string>();
  for (let i = 0; i < RACKS; i++) racks.set(`rack-${String(i).padStart(3, "0")}`, `password-${i}-bench`);
  const simRacks = [...racks];
  for (let i = 0; i < EMULATED_BOARDS; i++) racks.set(`board-${i}`, `board-password-${i}-bench`);
  const racksFile = { gym: GYM, racks };
  let broker: EmbeddedBroker | null = await startEmbeddedBroker(racksFile, { port: 0, host: "127.0.0.1" });
  const { port, hostPassword } = broker;
  const store = new Store(path.join(dir, "gym.db"));
  const commits = new Map<string, [number, number][]>();
  const host = await GymHost.connect({
    url: broker.url, gym: GYM, store, username: broker.hostUsername, password: hostPassword,
    onCommit: (rack, total) => {
      let c = commits.get(rack);
      if (!c) commits.set(rack, (c = []));
      c.push([total, wallMs()]);
    },
  });
  let hostReconnects = 0;
  host.client.on("connect", () => hostReconnects++);
  const page = await serveWeb({ dir, index: "gym.html" });
  page.setRelay(createGymRelay(host, { gym: GYM, boards: listBoards().map((b) => loadBoard(b)) }));
  const children: Child<{ t: string }>[] = [];
  try {
    const boardNames = [...racks.keys()].filter((r) => r.startsWith("board-"));
    const boards = forkChild<BoardsMessage>("host/testing/firmware/gym-boards-process.ts", "the emulated boards");
    children.push(boards);
    boards.send({ url: broker.url, gym: GYM, boards: boardNames.map((r) => [r, racks.get(r)!]) } satisfies BoardsPlan);
    await boards.next("ready");
    const boardCommand = (m: BoardsCommand) => boards.send(m);
    await waitFor(() => boardNames.every((r) => (host.racks.get(r)?.session.counts.good ?? 0) > 0), 30000, "every emulated board's frames at the host");
    for (const t of await Promise.all(boardNames.map((r) => host.racks.get(r)!.session.tare()))) if (!t.ok) throw new Error(`tare over MQTT: ${t.reason}`);
    const loadgen = forkChild<LoadMessage>("host/gym/loadgen-process.ts", "the load generator");
    children.push(loadgen);
    loadgen.send({
      url: broker.url, gym: GYM, racks: simRacks, sps: 80, batchMs: 100,
      pageWsUrl: `${page.url.replace(/^http/, "ws").replace(/\/$/, "")}${WS_PATH}?${GYM_VIEW_QUERY}`, pageOrigin: page.url.replace(/\/$/, ""),
    } satisfies LoadPlan);
    const command = (m: LoadCommand) => loadgen.send(m);
    await loadgen.next("ready");

    // steady window: no outage; every rack lifts once in it
    await sleep(WARMUP_S * 1000);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const window0 = wallMs();
    const stored0 = storedFrames(host);
    await sleep(2000);
    command({ t: "lift" });
    boardCommand({ t: "pull" });
    await sleep(STEADY_S * 1000 - 2000);
    const cpu = process.cpuUsage(cpu0);
    const wallS = (performance.now() - t0) / 1000;
    const stored1 = storedFrames(host);
    const window1 = wallMs();

    // outages: some racks lose their WiFi (and lift meanwhile), then the broker restarts
    command({ t: "outage", racks: simRacks.map(([r]) => r).filter((_, i) => i % Math.floor(RACKS / OUTAGE_RACKS) === 0).slice(0, OUTAGE_RACKS), ms: OUTAGE_MS });
    boardCommand({ t: "wifiDown", racks: boardNames.slice(0, BOARD_OUTAGES), seconds: BOARD_OUTAGE_S });
    boardCommand({ t: "pull", racks: boardNames.slice(0, BOARD_OUTAGES) });
    await sleep(OUTAGE_MS + 2000);
    await broker.close();
    broker = null;
    command({ t: "lift" }); // every rack lifts while the broker is down: into its lift log
    await sleep(BROKER_DOWN_MS);
    broker = await startEmbeddedBroker(racksFile, { port, host: "127.0.0.1", hostPassword });
    await sleep(4000);
    command({ t: "lift" });
    await sleep(2000);
    command({ t: "stop" });
    boardCommand({ t: "stop" });
    const report = await loadgen.next("report");
    const boardReport = await boards.next("report");
    if (report.t !== "report" || boardReport.t !== "report") throw new Error("no report");

    // the outages happened: the host saw racks' last wills and their return, and lost the broker and came back
    const outageRacks = [...host.racks.values()].filter((r) => r.session.counts.reconnects > 0).length;
    if (outageRacks < OUTAGE_RACKS || hostReconnects < 1) throw new Error(`outages not injected: ${outageRacks} racks came back after their last will, the host reconnected ${hostReconnects} times`);
    // let the last lifts land (the boards stopped streaming, so both their roads end on the same frame)
    const storedLifts = (rack: string) => store.boardLiftIdentities(`/${rackTopic(GYM, rack, "frames").replace(/\/frames$/, "")}`).map((l) => l.id);
    await waitFor(() => report.racks.every((r) => (host.racks.get(r.rack)?.lifts ?? 0) >= r.liftsMade) &&
      boardReport.boards.every((b) => storedLifts(b.rack).length >= b.liftIds.length), DRAIN_MS, "").catch(() => undefined);
    for (const r of host.racks.values()) r.recorder.flush();
    let deliveredOnce = 0;
    let made = 0;
    const onceEach = (rack: string, ids: number[]) => {
      const stored = storedLifts(rack);
      made += ids.length;
      const once = ids.filter((id) => stored.filter((s) => s === id).length === 1).length;
      deliveredOnce += once;
      return once === ids.length && stored.length === ids.length;
    };
    for (const r of report.racks) onceEach(r.rack, Array.from({ length: r.liftsMade }, (_, i) => i + 1));
    const exactBoards = boardReport.boards.filter((b) => {
      const r = host.racks.get(b.rack);
      if (!onceEach(b.rack, b.liftIds) || !r || b.liftIds.length === 0) return false;
      const frames = [...store.frames(r.recorder.sessionId)].map((f) => f.seq);
      return frames.length > 0 && framesNeverSent(b.usbSeqs, frames) === r.recorder.counts().missing;
    }).length;
    boardCommand({ t: "exit" });
    const shown: number[] = [];
    const stored: number[] = [];
    const recorded = report.racks.filter((r) => latencies(r, commits.get(r.rack) ?? [], window0, window1, stored, shown)).length;
    return {
      "gym.racks": recorded,
      "gym.emulated_boards": exactBoards,
      "gym.frames_per_s": Math.round((stored1 - stored0) / wallS),
      "gym.lift_delivery_pct": made > 0 ? Math.round((10000 * deliveredOnce) / made) / 100 : 0,
      "gym.latency_ms_p99": p99(shown),
      "gym.store_latency_ms_p99": p99(stored),
      "gym.host_cpu_pct_per_rack": Math.round(((100 * (cpu.user + cpu.system)) / 1e6 / wallS / (RACKS + EMULATED_BOARDS)) * 1000) / 1000,
    };
  } finally {
    await Promise.all(children.map((c) => c.end()));
    await page.close();
    await host.close();
    await broker?.close();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Per batch published inside [window0, window1]: ms until the rack's committed frames, and until its
 * tile's shown frame count, first reached the frames published with it (no outage there). False
 * when a batch was never stored or never shown.
 */
function latencies(r: RackReport, commits: [number, number][], window0: number, window1: number, stored: number[], shown: number[]): boolean {
  let j = 0;
  let k = 0;
  for (const [cum, t] of r.batchTimes) {
    while (j < commits.length && commits[j][0] < cum) j++;
    while (k < r.shownTimes.length && r.shownTimes[k][0] < cum) k++;
    if (t < window0 || t > window1) continue;
    if (j >= commits.length || k >= r.shownTimes.length) return false;
    stored.push(commits[j][1] - t);
    shown.push(Math.max(commits[j][1], r.shownTimes[k][1]) - t);
  }
  return true;
}

function p99(xs: number[]): number {
  if (xs.length === 0) throw new Error("no batch in the steady window");
  xs.sort((a, b) => a - b);
  return Math.round(xs[Math.floor(xs.length * 0.99)] * 10) / 10;
}

interface Child<M extends { t: string }> {
  send(m: unknown): void;
  /** The next message of type `t`; an error when the child reported one or exited first. */
  next(t: M["t"]): Promise<M>;
  /** Waits up to 10 s for the child to exit (after its last command), then ends it. */
  end(): Promise<void>;
}

/** A helper process forked with an IPC channel (its module's path from the repository root). */
function forkChild<M extends { t: string }>(module: string, name: string): Child<M> {
  const c: ChildProcess = fork(path.join(repoRoot(), module), [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const messages: M[] = [];
  let failed: string | null = null;
  const exited = new Promise<void>((resolve) => c.once("exit", (code) => {
    failed ??= `${name} exited (${code})`;
    resolve();
  }));
  c.on("message", (m) => {
    const error = (m as { error?: string }).error;
    if (error) failed = `${name}: ${error}`;
    messages.push(m as M);
  });
  return {
    send: (m) => c.send(m as Serializable),
    async next(t) {
      for (;;) {
        const i = messages.findIndex((m) => m.t === t);
        if (i >= 0) return messages.splice(i, 1)[0];
        if (failed) throw new Error(`${failed} before "${t}"`);
        await sleep(20);
      }
    },
    async end() {
      if (c.exitCode === null && c.signalCode === null) await Promise.race([exited, sleep(10000)]);
      if (c.exitCode === null && c.signalCode === null) {
        c.kill();
        await exited;
      }
    },
  };
}

async function waitFor(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(50);
  }
}

function storedFrames(host: GymHost): number {
  let n = 0;
  for (const r of host.racks.values()) n += r.recorder.frames;
  return n;
}

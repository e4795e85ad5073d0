import { WebSocket } from "ws";
import { SimRack } from "./loadgen.ts";
import type { GymSnapshot } from "./page/protocol.ts";

/**
 * A load generator in its own process (so the host's CPU figure is the host's alone), driven over
 * its IPC channel: it receives a LoadPlan, connects the racks and answers `ready`; then each
 * LoadCommand (every rack lifts; some racks lose their WiFi for a while, lifting while offline;
 * stop) until `stop`, answered by a LoadReport. With `pageWsUrl` it also watches the gym page's
 * WebSocket as the page does, noting when each rack's tile first shows each frame count.
 */
export interface LoadPlan {
  url: string;
  gym: string;
  racks: [string, string][];
  sps: number;
  batchMs: number;
  /** the gym page's WebSocket (`ws://…/ws?view=gym`) and the Origin the page would send */
  pageWsUrl?: string;
  pageOrigin?: string;
}

export type LoadCommand =
  | { t: "lift" }
  /** each named rack's WiFi drops for `ms` (socket cut, last will); it lifts once while offline */
  | { t: "outage"; racks: string[]; ms: number }
  | { t: "stop" };

export interface RackReport {
  rack: string;
  framesPublished: number;
  framesDropped: number;
  liftsMade: number;
  /** [frames published so far, wall ms] per batch */
  batchTimes: [number, number][];
  /** [frames the rack's tile showed (its good count), wall ms] each time that count grew */
  shownTimes: [number, number][];
}

export type LoadMessage = { t: "ready" } | { t: "report"; racks: RackReport[]; error?: string };

const wallMs = () => performance.timeOrigin + performance.now();

function watchPage(plan: LoadPlan, shown: Map<string, [number, number][]>): Promise<WebSocket> {
  const ws = new WebSocket(plan.pageWsUrl!, { origin: plan.pageOrigin });
  ws.on("message", (data) => {
    const t = wallMs();
    const m = JSON.parse(String(data)) as GymSnapshot;
    if (m.t !== "gym") return;
    for (const tile of m.racks) {
      const good = tile.counts?.good;
      if (good === undefined) continue;
      let s = shown.get(tile.rack);
      if (!s) shown.set(tile.rack, (s = []));
      if (s.length === 0 || s[s.length - 1][0] < good) s.push([good, t]);
    }
  });
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

async function run(plan: LoadPlan, commands: AsyncIterable<LoadCommand>, send: (m: LoadMessage) => void): Promise<void> {
  const shown = new Map<string, [number, number][]>();
  const page = plan.pageWsUrl ? await watchPage(plan, shown) : null;
  const sims = plan.racks.map(([rack, password]) => new SimRack({ url: plan.url, gym: plan.gym, rack, password, sps: plan.sps, batchMs: plan.batchMs, trackLatency: true }));
  const byName = new Map(sims.map((s) => [s.o.rack, s]));
  // connect in small groups: a real gym's boards do not all power up in the same millisecond
  for (let i = 0; i < sims.length; i += 20) await Promise.all(sims.slice(i, i + 20).map((s) => s.start()));
  send({ t: "ready" });
  const outages: Promise<void>[] = [];
  for await (const c of commands) {
    if (c.t === "lift") {
      for (const s of sims) s.lift(1000 + Math.round(Math.random() * 1000));
    } else if (c.t === "outage") {
      for (const name of c.racks) {
        const s = byName.get(name);
        if (!s) throw new Error(`outage for an unknown rack ${name}`);
        outages.push((async () => {
          await s.linkDown();
          s.lift(1000 + Math.round(Math.random() * 1000));
          await new Promise((r) => setTimeout(r, c.ms));
          s.linkUpAgain();
        })());
      }
    } else {
      await Promise.all(outages);
      for (const s of sims) await s.stop(true);
      page?.close();
      send({
        t: "report",
        racks: sims.map((s) => ({
          rack: s.o.rack, framesPublished: s.framesPublished, framesDropped: s.framesDropped, liftsMade: s.liftsMade,
          batchTimes: s.batchTimes, shownTimes: shown.get(s.o.rack) ?? [],
        })),
      });
      return;
    }
  }
}

/**
 * The parent's commands after the plan, queued from the moment this module loads (none is missed
 * while the racks connect).
 */
const queued: LoadCommand[] = [];
let wake: (() => void) | null = null;
async function* incoming(): AsyncGenerator<LoadCommand> {
  for (;;) {
    while (queued.length > 0) yield queued.shift()!;
    await new Promise<void>((r) => (wake = r));
    wake = null;
  }
}

if (process.send) {
  process.once("disconnect", () => process.exit(1)); // the parent is gone: nobody to report to
  const send = (m: LoadMessage, then?: () => void) => (then ? process.send!(m, then) : process.send!(m));
  let plan: LoadPlan | null = null;
  process.on("message", (m: LoadPlan | LoadCommand) => {
    if (plan === null) {
      plan = m as LoadPlan;
      run(plan, incoming(), (r) => send(r, r.t === "report" ? () => process.exit(0) : undefined)).catch((err: Error) =>
        send({ t: "report", racks: [], error: err.message }, () => process.exit(1)));
      return;
    }
    queued.push(m as LoadCommand);
    wake?.();
  });
}

/**
 * `rackcell gym`'s side of its page's WebSocket (host/web's server and WS_PATH): the gym view
 * (`?view=gym`) gets a snapshot of every rack every `intervalMs`; a rack's lifter screen
 * (`?rack=NAME`) gets that rack's lines as the host reads them from MQTT, its lines go to the
 * rack's `cmd` topic (the rack refuses what is not allowed over the network), and it hears when
 * the rack goes offline or comes back. The same messages as `rackcell web`'s relay (host/web/protocol.ts),
 * so the lifter's page runs unchanged.
 */
import type { WebSocket } from "ws";
import type { BoardDefinition } from "../../build/boards.ts";
import type { HostMessage, PageMessage } from "../../web/protocol.ts";
import type { Relay } from "../../web/relay.ts";
import type { GymHost, RackState } from "../gym-host.ts";
import { rackTopic } from "../topics.ts";
import { GYM_VIEW_QUERY, RACK_QUERY, type GymSnapshot, type RackTile } from "./protocol.ts";

/**
 * Tiles refresh as often as the store commits a rack's frames (its 100 ms tick): a frame reaches the
 * page about when it is stored, well within issue 15's 250 ms from the rack's publish (bench gym.latency_ms_p99).
 */
export const SNAPSHOT_INTERVAL_MS = 100;
/** Less than the lifter page waits for the host's hello (3 s). */
const BOARD_WAIT_MS = 2000;
const finiteOrNull = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : null);

function tile(r: RackState): RackTile {
  const l = r.lastLift;
  return {
    rack: r.rack, online: r.online, heard: true, lifts: r.lifts,
    liveTotalN: r.online ? finiteOrNull(r.session.live.totalN) : null,
    lastLift: l ? { kind: l.kind, peakForceN: finiteOrNull(l.peakForceN), weighedLoadN: finiteOrNull(l.weighedLoadN), atMs: r.lastLiftAtMs } : null,
    counts: { ...r.session.counts },
  };
}

/** Every rack the host knows, by name. */
export function gymSnapshot(host: GymHost, gym: string): GymSnapshot {
  const racks: RackTile[] = [...host.racks.values()].map(tile);
  for (const rack of host.offlineUnheard) {
    racks.push({ rack, online: false, heard: false, liveTotalN: null, lifts: 0, lastLift: null, counts: null });
  }
  racks.sort((a, b) => (a.rack < b.rack ? -1 : a.rack > b.rack ? 1 : 0));
  return { t: "gym", gym, racks };
}

export function createGymRelay(host: GymHost, o: { gym: string; boards: BoardDefinition[]; intervalMs?: number }): Relay {
  const gymPages = new Set<WebSocket>();
  const closers = new Set<() => void>();
  const send = (ws: WebSocket, m: HostMessage | GymSnapshot) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  };
  const timer = setInterval(() => {
    if (gymPages.size === 0) return;
    const text = JSON.stringify(gymSnapshot(host, o.gym));
    for (const ws of gymPages) if (ws.readyState === ws.OPEN) ws.send(text);
  }, o.intervalMs ?? SNAPSHOT_INTERVAL_MS);
  timer.unref?.();

  const attachGym = (ws: WebSocket) => {
    gymPages.add(ws);
    ws.on("close", () => gymPages.delete(ws));
    send(ws, gymSnapshot(host, o.gym));
  };

  const attachRack = async (ws: WebSocket, name: string) => {
    const path = rackTopic(o.gym, name, "frames").replace(/\/frames$/, "");
    const r = host.racks.get(name);
    const boardOf = (x: RackState) => o.boards.find((b) => b.name === x.session.info.board) ?? null;
    // a rack just heard may not have answered the host's `info` yet: wait a little for its board
    for (let i = 0; r && !boardOf(r) && i < BOARD_WAIT_MS / 100 && ws.readyState === ws.OPEN; i++) await new Promise((res) => setTimeout(res, 100));
    const board = r ? boardOf(r) : null;
    // no board: the page says the host holds none, and tries again when reloaded
    const [state, detail] = r?.online ? ["connected", path] : ["lost", `${name} is offline (its last will)`];
    send(ws, { t: "hello", port: path, emulated: false, board, boards: o.boards, state, detail });
    if (!r || !board) return;
    const unsubscribe = r.lines.onLine((l) => send(ws, { t: "line", l, at: Date.now() }));
    let online = r.online; // the hello said so
    const watch = setInterval(() => {
      if (r.online === online) return;
      online = r.online;
      send(ws, online ? { t: "state", state: "connected", detail: path } : { t: "state", state: "lost", detail: `${name} is offline (its last will)` });
    }, 100);
    const close = () => {
      clearInterval(watch);
      unsubscribe();
      closers.delete(close);
    };
    closers.add(close);
    ws.on("close", close);
    ws.on("message", (data) => {
      let m: PageMessage;
      try {
        m = JSON.parse(String(data)) as PageMessage;
      } catch {
        return; // not ours
      }
      if (m.t === "write" && typeof m.l === "string" && !/[\r\n]/.test(m.l)) {
        void r.lines.write(m.l).catch(() => undefined); // no reply then: the page's command times out and says so
      } else if (m.t === "place") {
        send(ws, { t: "placed", id: m.id, error: "this rack is reached over MQTT: place the plates yourself" });
      }
    });
  };

  return {
    attach(ws, query) {
      const rack = query?.get(RACK_QUERY);
      if (rack) void attachRack(ws, rack);
      else if (query?.toString() === GYM_VIEW_QUERY) attachGym(ws);
      else send(ws, { t: "hello", port: "", emulated: false, board: null, boards: o.boards, state: "disconnected", detail: "no rack named" }); // the lifter's page without a rack
    },
    close() {
      clearInterval(timer);
      for (const c of [...closers]) c();
      for (const ws of gymPages) ws.close();
      gymPages.clear();
    },
  };
}

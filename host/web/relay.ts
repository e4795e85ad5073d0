/**
 * The host's side of the page's WebSocket: every line the board sends goes to every page as it
 * was read (with the time it was read), so does every change of the host's connection to the
 * board (and its state now, in the hello), lines from a page go to the board, and an emulated
 * board's pins are loaded on a page's request (calibration and verification placing plates).
 */
import type { WebSocket } from "ws";
import type { BoardDefinition } from "../build/boards.ts";
import { weighScenario } from "../calibrate/place.ts";
import type { Connection } from "../transport/connection.ts";
import type { HostMessage, PageMessage } from "./protocol.ts";

export interface RelayBoard {
  connection: Connection;
  /** the board's definition, null when unknown */
  board: BoardDefinition | null;
  /** set when the board is emulated: loads its pins */
  setScenario?: (spec: string) => Promise<void>;
}

export interface Relay {
  /** A page connected; `query` is its WebSocket URL's query (the page's own, passed on). */
  attach(ws: WebSocket, query?: URLSearchParams): void;
  close(): void;
}

export function createRelay(b: RelayBoard | null, boards: BoardDefinition[]): Relay {
  const clients = new Set<WebSocket>();
  const send = (ws: WebSocket, m: HostMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  };
  const unsubscribe: (() => void)[] = [];
  // the host's link to the board now, for a page that connects later (hello)
  let linkState = b ? { state: b.connection.state as string, detail: "" } : { state: "closed", detail: "this host holds no board" };
  if (b) {
    unsubscribe.push(b.connection.onLine((l) => {
      const text = JSON.stringify({ t: "line", l, at: Date.now() } satisfies HostMessage);
      for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text);
    }));
    unsubscribe.push(b.connection.onState((e) => {
      linkState = { state: e.state, detail: e.detail };
      for (const ws of clients) send(ws, { t: "state", state: e.state, detail: e.detail, ...(e.info ? { info: e.info } : {}) });
    }));
  }
  const onMessage = async (ws: WebSocket, text: string) => {
    let m: PageMessage;
    try {
      m = JSON.parse(text) as PageMessage;
    } catch {
      return; // not ours
    }
    if (m.t === "write" && b && typeof m.l === "string" && !/[\r\n]/.test(m.l)) {
      await b.connection.write(m.l).catch(() => undefined); // no reply then: the page's command times out and says so
    } else if (m.t === "place") {
      let error = "";
      if (!b?.setScenario || !b.board) error = "this host's board is not emulated: place the plates yourself";
      else {
        try {
          await b.setScenario(weighScenario(m.placement, b.board.channels.map((c) => c.name)));
        } catch (e) {
          error = (e as Error).message;
        }
      }
      send(ws, { t: "placed", id: m.id, error });
    }
  };
  return {
    attach(ws) {
      clients.add(ws);
      ws.on("message", (data) => void onMessage(ws, String(data)));
      ws.on("close", () => clients.delete(ws));
      send(ws, { t: "hello", port: b?.connection.path ?? "", emulated: !!b?.setScenario, board: b?.board ?? null, boards, ...linkState });
    },
    close() {
      for (const u of unsubscribe) u();
      for (const ws of clients) ws.close();
      clients.clear();
    },
  };
}

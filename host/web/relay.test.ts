import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import type { Connection, ConnectionEvent } from "../transport/connection.ts";
import type { HostMessage } from "./protocol.ts";
import { createRelay } from "./relay.ts";
import { serveWeb } from "./server.ts";

/** A stand-in for the host's Connection: lines to emit, lines written. */
function fakeConnection() {
  const subs = new Set<(l: string) => void>();
  const stateSubs = new Set<(e: ConnectionEvent) => void>();
  const written: string[] = [];
  const connection = {
    path: "/dev/ttyFAKE",
    state: "connected",
    onLine: (cb: (l: string) => void) => (subs.add(cb), () => subs.delete(cb)),
    onState: (cb: (e: ConnectionEvent) => void) => (stateSubs.add(cb), () => stateSubs.delete(cb)),
    write: async (l: string) => void written.push(l),
  } as unknown as Connection & { state: string };
  return {
    connection, written,
    emit: (l: string) => subs.forEach((cb) => cb(l)),
    changeState: (e: ConnectionEvent) => {
      connection.state = e.state;
      stateSubs.forEach((cb) => cb(e));
    },
  };
}

function open(url: string, origin: string): Promise<{ ws: WebSocket; messages: HostMessage[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace("http", "ws") + "ws", { origin });
    const messages: HostMessage[] = [];
    ws.on("message", (d) => messages.push(JSON.parse(String(d)) as HostMessage));
    ws.on("open", () => resolve({ ws, messages }));
    ws.on("error", reject);
  });
}

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
};

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

describe("rackcell web's WebSocket", () => {
  it("relays the board's lines with the host's read time, writes the page's lines, places plates on an emulated board", async () => {
    const f = fakeConnection();
    const scenarios: string[] = [];
    const board = { name: "b", channels: [{ name: "left" }, { name: "right" }] } as never;
    const server = await serveWeb({ relay: createRelay({ connection: f.connection, board, setScenario: async (s) => void scenarios.push(s) }, []) });
    close = server.close;
    const { ws, messages } = await open(server.url, server.url.slice(0, -1));
    await until(() => messages.length > 0);
    expect(messages[0]).toMatchObject({ t: "hello", port: "/dev/ttyFAKE", emulated: true, state: "connected" });
    const before = Date.now();
    f.emit("S,1,2*abcd");
    await until(() => messages.length > 1);
    expect(messages[1]).toMatchObject({ t: "line", l: "S,1,2*abcd" });
    expect((messages[1] as { at: number }).at).toBeGreaterThanOrEqual(before);
    ws.send(JSON.stringify({ t: "write", l: "C,7,info*1234" }));
    ws.send(JSON.stringify({ t: "write", l: "C,8,x\nrm" })); // a line with a newline is not one line: refused
    ws.send(JSON.stringify({ t: "place", id: 3, placement: { prompt: "", kind: "load", kgByChannel: { left: 20, right: 0 } } }));
    await until(() => messages.length > 2);
    expect(messages[2]).toEqual({ t: "placed", id: 3, error: "" });
    expect(f.written).toEqual(["C,7,info*1234"]);
    expect(scenarios).toEqual(["weigh:kgL=20,kgR=0,atS=0,placeS=0.3,dur=1000000"]);
    ws.close();
  });

  it("tells pages when the host loses and regains the board (with the new handshake), and a page that comes meanwhile that it is lost", async () => {
    const f = fakeConnection();
    const server = await serveWeb({ relay: createRelay({ connection: f.connection, board: null }, []) });
    close = server.close;
    const first = await open(server.url, server.url.slice(0, -1));
    await until(() => first.messages.length > 0);
    f.changeState({ state: "disconnected", detail: "/dev/ttyFAKE: no valid line for 3.0 s" });
    await until(() => first.messages.length > 1);
    expect(first.messages[1]).toEqual({ t: "state", state: "disconnected", detail: "/dev/ttyFAKE: no valid line for 3.0 s" });
    // a page (or the same page on a new WebSocket) arriving now must not believe the board is there
    const later = await open(server.url, server.url.slice(0, -1));
    await until(() => later.messages.length > 0);
    expect(later.messages[0]).toMatchObject({ t: "hello", state: "disconnected", detail: "/dev/ttyFAKE: no valid line for 3.0 s" });
    f.changeState({ state: "connected", detail: "/dev/ttyFAKE: reconnected", info: { boot: "2", board: "b" } });
    await until(() => later.messages.length > 1);
    expect(later.messages[1]).toEqual({ t: "state", state: "connected", detail: "/dev/ttyFAKE: reconnected", info: { boot: "2", board: "b" } });
    first.ws.close();
    later.ws.close();
  });

  it("refuses a page from another origin (any web site could otherwise command the board)", async () => {
    const f = fakeConnection();
    const server = await serveWeb({ relay: createRelay({ connection: f.connection, board: null }, []) });
    close = server.close;
    await expect(open(server.url, "https://example.com")).rejects.toThrow(/403/);
  });
});

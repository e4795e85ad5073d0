/**
 * The board's TCP (lwIP under espconn, C on a board): client connections whose bytes travel on
 * REAL sockets that Node opens (host/emulator/net-world.ts). This side keeps what lwIP knows in
 * virtual time; Node only carries bytes.
 *
 *   board → Node:  N c <id> <host> <port> | N s <id> <0|1 answer expected> <hex> | N x <id> (FIN) | N k <id> (drop)
 *   Node → board:  N c <id> (connected) | N r <id> <hex> | N f <id> (peer closed) | N e <id> <refused|dns|reset|abort>
 *
 * Node's news arrives between two steps of the board and runs as an event at that moment. After a
 * connect, or bytes the peer answers, the board yields to Node (events.ts yieldToNode), which lets
 * the real peer answer (bounded wait) before virtual time moves on.
 *
 * The radio link (wifi.ts calls setLinkUp): while it is down nothing reaches the peer and nothing
 * is acknowledged. lwIP does not know: a segment in flight is retransmitted on its timer
 * (app/lwip/core/tcp.c tcp_slowtmr: rto 3 ticks of 250 ms on a quiet LAN — sv settles at 3 from
 * the initial 1000 ms / TCP_SLOW_INTERVAL — doubled per tcp_backoff {1,2,3,4,5,6,7,7,…} as a
 * shift) and the connection is aborted after TCP_MAXRTX = 12 retransmissions (init.c): ≈575 s.
 * A SYN is retried every 1 s (rto not doubled in SYN_SENT) up to TCP_SYNMAXRTX = 6. When the
 * link dies Node drops the real socket at once, so the broker sees the client go (its last will)
 * right away, where a real broker waits 1.5 × keepalive (its timers run on the wall clock, which
 * the board's virtual time outruns): the harsher case. The board learns only when a
 * retransmission gets through after the link is back and meets the peer's reset.
 */
import { K } from "../kernel.ts";
import { PRIO_HIGH, schedule, schedule2, yieldToNode } from "../events.ts";
import { fromHex, send, toHex } from "../link.ts";
import { C_SIZE, SEGMENT_BYTES, blockBytes, chargeC, releaseC } from "./c-heap.ts";

export type TcpError = "refused" | "dns" | "reset" | "abort" | "route";

export interface TcpHandler {
  connected(this: void, c: TcpConn): void;
  received(this: void, c: TcpConn, data: string): void;
  /** espconn's sent callback: the peer acknowledged the last segment. */
  sent(this: void, c: TcpConn): void;
  /** Closed in order (FIN from the peer, or our own close done). */
  disconnected(this: void, c: TcpConn): void;
  /** espconn's reconnect callback: refused, reset, aborted (lwIP gave up). */
  failed(this: void, c: TcpConn, why: TcpError): void;
}

const FREE = 0;
const CONNECTING = 1;
const OPEN = 2;
const CLOSING = 3;

export interface TcpConn {
  slot: number;
  id: number;
  state: number;
  handler: TcpHandler | undefined;
  owner: unknown;
  /** Segments not yet acknowledged (their lwIP memory is charged). */
  inFlight: number;
  /** The real socket behind this connection is gone (the link died under it). */
  peerGone: boolean;
  nrtx: number;
  /** Bumped whenever a pending timer of this connection must be ignored. */
  timerGen: number;
}

/** lwipopts.h / init.c: MEMP_NUM_TCP_PCB = 5 simultaneous connections. */
const MAX_CONNS = 5;
/** A round trip on the WLAN (virtual µs): the peer's acknowledgement, a reset, a close. */
export const RTT_US = 3000;
const TICK_US = 250_000;
const RTO_TICKS = 3;
const BACKOFF = [1, 2, 3, 4, 5, 6, 7, 7, 7, 7, 7, 7, 7];
const TCP_MAXRTX = 12;
const SYN_RTO_US = 1_000_000;
const TCP_SYNMAXRTX = 6;
/** A connection's own memory: its tcp_pcb and espconn's espconn_msg. */
const CONN_BYTES = blockBytes(C_SIZE.tcpPcb) + blockBytes(C_SIZE.espconnMsg);

// The five connection slots, made once (before any heap baseline): no allocation per connection.
const conns: TcpConn[] = [];
for (let i = 0; i < MAX_CONNS; i++) {
  conns.push({ slot: i, id: 0, state: FREE, handler: undefined, owner: undefined, inFlight: 0, peerGone: false, nrtx: 0, timerGen: 0 });
}
let nextId = 0;

/** linkUp: packets get through; hasIp: the station has an address (lwIP has a route). */
export const NET = { linkUp: false, hasIp: false, connects: 0, resets: 0, aborts: 0, bytesSent: 0, bytesReceived: 0 };

function find(id: number): TcpConn | undefined {
  for (const c of conns) if (c.state !== FREE && c.id === id) return c;
  return undefined;
}

function release(c: TcpConn): void {
  releaseC(CONN_BYTES + c.inFlight * SEGMENT_BYTES);
  c.state = FREE;
  c.inFlight = 0;
  c.timerGen += 1;
  // handler and owner stay until the slot is reused: the callback that follows needs them.
}

function fail(this: void, c: TcpConn, why: TcpError): void {
  if (c.state === FREE) return;
  const h = c.handler as TcpHandler;
  if (why === "reset") NET.resets += 1;
  if (why === "abort") NET.aborts += 1;
  if (!c.peerGone) send(`N k ${c.id}`);
  release(c);
  h.failed(c, why);
}

/**
 * Opens a connection (espconn_connect). "route": the station has no address (lwIP's tcp_connect
 * returns ERR_RTE at once); "full": all five pcbs are taken.
 */
export function tcpOpen(host: string, port: number, handler: TcpHandler, owner: unknown): TcpConn | "route" | "full" {
  if (!NET.hasIp) return "route";
  let c: TcpConn | undefined;
  for (const s of conns) if (s.state === FREE) { c = s; break; }
  if (c === undefined) return "full";
  nextId += 1;
  c.id = nextId;
  c.state = CONNECTING;
  c.handler = handler;
  c.owner = owner;
  c.inFlight = 0;
  c.nrtx = 0;
  c.peerGone = false;
  c.timerGen += 1;
  chargeC(CONN_BYTES);
  NET.connects += 1;
  if (!NET.linkUp) {
    // No route out yet: the SYN goes nowhere and is retried until lwIP gives up.
    c.peerGone = true;
    schedule2(K.now + SYN_RTO_US * (TCP_SYNMAXRTX + 1), PRIO_HIGH, synTimeout, c, c.timerGen);
    return c;
  }
  send(`N c ${c.id} ${host} ${port}`);
  yieldToNode.wanted = true;
  return c;
}

function synTimeout(this: void, c: TcpConn, _t: number, gen: number): void {
  if (c.timerGen === gen && c.state === CONNECTING) fail(c, "abort");
}

/** espconn_send: false when the connection cannot take it. `answered`: the peer will reply (Node waits for it). */
export function tcpSend(c: TcpConn, data: string, answered: boolean): boolean {
  if (c.state !== OPEN) return false;
  c.inFlight += 1;
  chargeC(SEGMENT_BYTES);
  NET.bytesSent += data.length;
  if (NET.linkUp && !c.peerGone) {
    send(`N s ${c.id} ${answered ? 1 : 0} ${toHex(data)}`);
    if (answered) yieldToNode.wanted = true;
    schedule2(K.now + RTT_US, PRIO_HIGH, acked, c, c.timerGen);
  } else if (NET.linkUp) {
    // The link is back but the peer forgot this connection: its reset answers the segment.
    schedule2(K.now + RTT_US, PRIO_HIGH, resetByPeer, c, c.timerGen);
  } else if (c.inFlight === 1) {
    c.nrtx = 0;
    schedule2(K.now + RTO_TICKS * TICK_US, PRIO_HIGH, retransmit, c, c.timerGen);
  }
  return true;
}

function acked(this: void, c: TcpConn, _t: number, gen: number): void {
  if (c.timerGen !== gen || c.state === FREE || c.inFlight === 0) return;
  c.inFlight -= 1;
  releaseC(SEGMENT_BYTES);
  if (c.state === OPEN) (c.handler as TcpHandler).sent(c);
}

/** lwIP's retransmission timer for a segment nobody acknowledged. */
function retransmit(this: void, c: TcpConn, _t: number, gen: number): void {
  if (c.timerGen !== gen || c.state === FREE || c.inFlight === 0) return;
  if (c.nrtx >= TCP_MAXRTX) {
    fail(c, "abort");
    return;
  }
  c.nrtx += 1;
  if (NET.linkUp) {
    // It gets through now, to a peer that no longer knows this connection: a reset comes back.
    schedule2(K.now + RTT_US, PRIO_HIGH, resetByPeer, c, c.timerGen);
    return;
  }
  schedule2(K.now + (RTO_TICKS * 2 ** BACKOFF[c.nrtx - 1]) * TICK_US, PRIO_HIGH, retransmit, c, c.timerGen);
}

function resetByPeer(this: void, c: TcpConn, _t: number, gen: number): void {
  if (c.timerGen === gen && c.state !== FREE) fail(c, "reset");
}

/** espconn_disconnect: FIN to the peer; the disconnect callback follows (espconn posts it). */
export function tcpClose(c: TcpConn): void {
  if (c.state !== OPEN && c.state !== CONNECTING) return;
  if (!c.peerGone) send(`N x ${c.id}`);
  c.state = CLOSING;
  c.timerGen += 1;
  schedule2(K.now + 1000, PRIO_HIGH, closed, c, c.timerGen);
}

function closed(this: void, c: TcpConn, _t: number, gen: number): void {
  if (c.timerGen !== gen || c.state !== CLOSING) return;
  const h = c.handler as TcpHandler;
  release(c);
  h.disconnected(c);
}

/** The radio link changed (wifi.ts): going down takes every real socket with it (see above). */
export function setLinkUp(up: boolean): void {
  if (NET.linkUp === up) return;
  NET.linkUp = up;
  if (!up) {
    for (const c of conns) {
      if (c.state !== FREE && !c.peerGone) {
        send(`N k ${c.id}`);
        c.peerGone = true;
        if (c.state === CONNECTING) schedule2(K.now + SYN_RTO_US * (TCP_SYNMAXRTX + 1), PRIO_HIGH, synTimeout, c, c.timerGen);
        else if (c.inFlight > 0) {
          // What was sent but not yet acknowledged now waits for lwIP's retransmission timer.
          c.timerGen += 1;
          c.nrtx = 0;
          schedule2(K.now + RTO_TICKS * TICK_US, PRIO_HIGH, retransmit, c, c.timerGen);
        }
      }
    }
  }
}

function onNode(this: void, line: string): void {
  const [op, idText, arg] = string.match(line, "^(%a) (%d+) ?(.*)$");
  const c = find(tonumber(idText) as number);
  if (c === undefined || c.peerGone) return; // a connection already gone on this side
  const h = c.handler as TcpHandler;
  if (op === "c" && c.state === CONNECTING) {
    c.state = OPEN;
    h.connected(c);
  } else if (op === "r" && c.state === OPEN && NET.linkUp) {
    // The segment acknowledges what we sent: lwIP handles its ACK (sent callback) before its data.
    while (c.inFlight > 0 && c.state === OPEN) {
      c.inFlight -= 1;
      releaseC(SEGMENT_BYTES);
      h.sent(c);
    }
    if (c.state !== OPEN) return;
    const data = fromHex(arg as string);
    NET.bytesReceived += data.length;
    h.received(c, data);
  } else if (op === "f") {
    c.peerGone = true;
    if (c.state === CLOSING) return; // our own close completes on its own
    release(c);
    h.disconnected(c);
  } else if (op === "e") {
    c.peerGone = true;
    fail(c, arg as TcpError);
  }
}

/** A line of news from Node (main.ts): runs as an event now, between two steps. */
export function tcpFromNode(rest: string): void {
  schedule(K.now, PRIO_HIGH, onNode, rest);
}

/** A reset of the board: every connection is gone (Node drops the real sockets). */
export function resetTcp(): void {
  for (const c of conns) {
    if (c.state !== FREE) {
      if (!c.peerGone) send(`N k ${c.id}`);
      c.state = FREE;
      c.inFlight = 0;
      c.timerGen += 1;
    }
    // A released slot keeps its handler and owner for the callback that follows (release()); after
    // a reset none follows, and kept they would hold the old boot's client (its callbacks, the old
    // firmware's state) into the next boot's heap baseline, to be freed when the slot is reused:
    // node.heap() would then read that much too high (up to the whole heap).
    c.handler = undefined;
    c.owner = undefined;
  }
  NET.linkUp = false;
  NET.hasIp = false;
}

export function setHasIp(on: boolean): void {
  NET.hasIp = on;
}

export function openConnections(): number {
  let n = 0;
  for (const c of conns) if (c.state !== FREE) n += 1;
  return n;
}

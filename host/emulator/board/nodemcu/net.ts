/**
 * net: the TCP client of app/modules/net.c (raw lwIP) over tcp.ts, so its bytes reach a REAL
 * peer. net.createConnection(), socket:on("connection"|"reconnection"|"disconnection"|"receive"|"sent"),
 * :connect(port, host), :send(data[, fn]), :close(), :getpeer(). As net.c: a peer's FIN calls
 * "disconnection" with 0; an error (lwIP err.h: ERR_ABRT −8, ERR_RST −9) calls "reconnection" if
 * registered, else "disconnection"; no address → connect() raises "routing problem" (ERR_RTE);
 * send() without a connection raises "not connected". Sends are copied (TCP_WRITE_FLAG_COPY):
 * each segment's bytes are charged until the peer acknowledges them.
 */
import { K, api, apiError, ledgerAllocated, runFirmware } from "../kernel.ts";
import { blockBytes, chargeC, releaseC } from "./c-heap.ts";
import { tcpClose, tcpOpen, tcpSend, type TcpConn, type TcpError, type TcpHandler } from "./tcp.ts";

type Fn = (this: void, ...a: unknown[]) => unknown;
const EVENTS = ["connection", "reconnection", "disconnection", "receive", "sent"];
const ERR_ABRT = -8;
const ERR_RST = -9;
/** app/modules/net.c `lnet_userdata` (enum, self_ref, pcb pointer, the client's 8 ints: 44 bytes, counted by hand) + Lua's Udata header. */
const USERDATA_BYTES = 44 + 24;
/** What the module's sockets hold in the emulator's ledger (a reset gives it back at once). */
const NS = { bookedKb: 0 };

interface Sock {
  obj: unknown;
  gen: number;
  kb: number;
  cb: Record<string, Fn | false>;
  conn: TcpConn | false;
  peer: string | false;
  port: number;
  closing: boolean;
  /** Copied bytes of each unacknowledged send (charged), oldest first. */
  pending: number[];
}

const dbg = debug as unknown as { setfenv(this: void, u: unknown, t: unknown): void; getfenv(this: void, u: unknown): unknown };
const newproxy = (_G as unknown as Record<string, (this: void, a: unknown) => unknown>).newproxy;
const proto = newproxy(true);
const meta = getmetatable(proto as object) as Record<string, unknown>;

function sockOf(self: unknown, fn: string): Sock {
  if (type(self) !== "userdata" || getmetatable(self as object) !== meta) return apiError(`bad argument #1 to '${fn}' (net.tcpsocket expected)`);
  return dbg.getfenv(self) as Sock;
}

function call(s: Sock, name: string, a?: unknown): void {
  const f = s.cb[name];
  if (f !== false && f !== undefined) runFirmware(f, "callback", s.obj, a);
}

function dropPending(s: Sock): void {
  for (const n of s.pending) releaseC(n);
  s.pending.length = 0;
}

const handler: TcpHandler = {
  connected: (c) => call(c.owner as Sock, "connection"),
  received: (c, data) => call(c.owner as Sock, "receive", data),
  sent: (c) => {
    const s = c.owner as Sock;
    const n = s.pending.shift();
    if (n !== undefined) releaseC(n);
    call(s, "sent");
  },
  disconnected: (c) => {
    const s = c.owner as Sock;
    s.conn = false;
    dropPending(s);
    if (!s.closing) call(s, "disconnection", 0);
  },
  failed: (c, why: TcpError) => {
    const s = c.owner as Sock;
    s.conn = false;
    dropPending(s);
    const err = why === "reset" || why === "refused" ? ERR_RST : ERR_ABRT;
    call(s, s.cb.reconnection !== false ? "reconnection" : "disconnection", err);
  },
};

const methods: Record<string, unknown> = {
  on: api((self: unknown, event: unknown, fn: unknown) => {
    const s = sockOf(self, "on");
    let known = false;
    for (const e of EVENTS) if (e === event) known = true;
    if (!known) return apiError(`bad argument #2 to 'on' (invalid option '${tostring(event)}')`);
    s.cb[event as string] = type(fn) === "function" ? (fn as Fn) : false;
  }, 10),
  connect: api((self: unknown, port: unknown, host: unknown) => {
    const s = sockOf(self, "connect");
    if (type(port) !== "number") return apiError("bad argument #2 to 'connect' (number expected)");
    if (type(host) !== "string") return apiError("bad argument #3 to 'connect' (string expected)");
    if (s.conn !== false) return apiError("already connected");
    const c = tcpOpen(host as string, port as number, handler, s);
    if (c === "route") return apiError("routing problem");
    if (c === "full") return apiError("out of memory");
    s.conn = c;
    s.closing = false;
    s.peer = host as string;
    s.port = port as number;
  }, 60),
  send: api((self: unknown, data: unknown, fn?: unknown) => {
    const s = sockOf(self, "send");
    if (s.conn === false) return apiError("not connected");
    if (type(data) !== "string" && type(data) !== "number") return apiError("bad argument #2 to 'send' (string expected)");
    if (type(fn) === "function") s.cb.sent = fn as Fn;
    const text = tostring(data);
    const n = blockBytes(text.length);
    if (!tcpSend(s.conn, text, false)) return apiError("not connected");
    chargeC(n);
    s.pending.push(n);
  }, 40),
  close: api((self: unknown) => {
    const s = sockOf(self, "close");
    if (s.conn === false) return;
    s.closing = true;
    tcpClose(s.conn);
  }, 20),
  getpeer: api((self: unknown) => {
    const s = sockOf(self, "getpeer");
    if (s.conn === false || s.peer === false) return $multi(undefined, undefined);
    return $multi(s.port, s.peer);
  }, 5),
};
meta.__index = methods;
meta.__tostring = () => "net.tcpsocket";
meta.__gc = (u: unknown) => {
  const s = dbg.getfenv(u) as Sock;
  if (s === undefined || s.gen !== K.gen) return;
  dropPending(s);
  releaseC(USERDATA_BYTES);
  K.emuKb -= s.kb;
  NS.bookedKb -= s.kb;
};

/** A reset: the sandbox and its sockets go; their share of the ledger leaves now. */
export function resetNet(): void {
  K.emuKb -= NS.bookedKb;
  NS.bookedKb = 0;
}

export function createNetModule(): Record<string, unknown> {
  return {
    TCP: 1,
    UDP: 2,
    createConnection: api((kind?: unknown, secure?: unknown) => {
      if (kind !== undefined && kind !== 1) return apiError("bad argument #1 to 'createConnection' (only net.TCP here)");
      if (secure === true || (type(secure) === "number" && secure !== 0)) return apiError("secure connections are in the tls module");
      let u: unknown;
      let made: Sock | undefined;
      const kb = ledgerAllocated(() => {
        u = newproxy(proto);
        const cb: Record<string, Fn | false> = {};
        for (const e of EVENTS) cb[e] = false;
        made = { obj: u, gen: K.gen, kb: 0, cb, conn: false, peer: false, port: 0, closing: false, pending: [] };
        dbg.setfenv(u, made);
      });
      (made as Sock).kb = kb;
      K.emuKb += kb;
      NS.bookedKb += kb;
      chargeC(USERDATA_BYTES);
      return u;
    }, 30),
  };
}

/**
 * uart (UART0 only, which is the console). Both directions are paced at the configured baud
 * (10 bits per byte). RX: bytes arrive on the wire one byte time apart, land in a 256-byte ring
 * that overwrites the OLDEST byte when full (NodeMCU's RX buffer), and an input task drains the
 * ring like app/driver/input.c: either to the interpreter (echo, CR/LF merging, lines over
 * 256 bytes discarded) or to the uart.on("data") callback. TX: uart.write/print block while
 * more than the 128-byte hardware FIFO is queued, so time passes for the writer.
 */
import { K, api, apiError, busyUntil, hooks, ledgerAllocated, runFirmware } from "../kernel.ts";
import { PRIO_HIGH, PRIO_ISR, post, schedule } from "../events.ts";
import { uartBytes } from "../varargs";
import { fromHex, sendTx } from "../link.ts";
import { hardwareBaud, resample } from "./baud.ts";

export const RX_RING = 256;
export const TX_FIFO = 128;
/** LUA_MAXINPUT: the interpreter's line buffer. */
export const MAX_INPUT = 256;

export const U = {
  baud: 115200,
  /** The host's end of the cable (the emulator's option; a board cannot know it): another rate garbles both ways. */
  hostBaud: 115200,
  databits: 8,
  parity: 0,
  stopbits: 1,
  /** UART1: TX only (GPIO2, D4), never on the USB serial; paced at its own rate. */
  baud1: 115200,
  tx1End: 0,
  tx1Bytes: 0,
  echo: true,
  txEnd: 0,
  txBytes: 0,
  rxBytes: 0,
  rxOverwritten: 0,
  /** Interpreter input active (false before lua_main set it up, e.g. while booting or powered off). */
  ready: false,
  cb: undefined as ((this: void, data: string) => void) | undefined,
  dataLen: 0,
  endChar: "",
  runInput: true,
  /** Where complete interpreter lines go (prompt.ts, installed by board.ts). */
  onLine: (_line: string) => {},
  /** Where an empty line's prompt comes from. */
  currentPrompt: () => "> ",
};

// ---- TX ------------------------------------------------------------------------------------
export function byteUs(): number {
  return 10_000_000 / U.baud;
}

/** Puts bytes on the wire; blocks (virtual time) while more than the FIFO is queued. */
export function txWrite(s: string): void {
  const n = s.length;
  if (n === 0 || !K.powered) return;
  const bu = byteUs();
  const start = Math.max(K.now, U.txEnd);
  if (U.baud === U.hostBaud) sendTx(start + bu, bu, s);
  else {
    // The host samples at its own rate: what it reads arrives over the same time on the wire.
    const seen = resample(s, U.baud, U.hostBaud);
    if (seen.length > 0) sendTx(start + (n * bu) / seen.length, (n * bu) / seen.length, seen);
  }
  U.txEnd = start + n * bu;
  U.txBytes += n;
  const free = U.txEnd - TX_FIFO * bu;
  if (free > K.now) busyUntil(free);
}

/**
 * uart0_putc (app/driver/uart.c) over a string: LF goes out as CR LF, a lone CR is dropped. The
 * interpreter's console output (echo, prompt, print, errors, boot messages) takes this path;
 * uart.write does not (its bytes go out unchanged).
 */
export function consoleWrite(s: string): void {
  if (string.find(s, "[\r\n]")[0] === undefined) {
    txWrite(s);
    return;
  }
  const [noCr] = string.gsub(s, "\r", "");
  const [crlf] = string.gsub(noCr, "\n", "\r\n");
  txWrite(crlf);
}

// ---- RX: the wire, the ring, the input task -------------------------------------------------
/** Bytes on the wire: chunks whose byte i (1-based) arrives at t0 + i·bu (no per-byte garbage). */
interface WireChunk { t0: number; bu: number; data: string; pos: number; kb: number }

const wire: WireChunk[] = [];
let wireEnd = 0;
let wireEventAt = -1;

/**
 * The RX ring (a C array on the board) and the interpreter's line buffer (LUA_MAXINPUT, static):
 * their slots are allocated once, before any heap baseline, and every single-byte string is
 * interned up front, so receiving bytes allocates nothing the firmware would be charged for.
 */
const ring: string[] = [];
const BYTES: string[] = [];
for (let b = 0; b < 256; b++) BYTES.push(string.char(b));
for (let i = 0; i < RX_RING; i++) ring.push("");
const lineBuf: string[] = [];
for (let i = 0; i < MAX_INPUT + 1; i++) lineBuf.push("");
let lineN = 0;
for (let i = 0; i < 64; i++) wire.push({ t0: 0, bu: 0, data: "", pos: 0, kb: 0 });
wire.length = 0;
let ringHead = 0;
let ringCount = 0;
let inputPosted = false;

function lineText(): string {
  return table.concat(lineBuf, "", 1, lineN);
}

function clearLine(): void {
  lineN = 0;
}

function linePush(ch: string): void {
  lineN += 1;
  lineBuf[lineN - 1] = ch;
}

/** Host → board bytes (hex text from Node) enter the wire now. */
export function rxFromHostHex(hex: string): void {
  rxFromHost(fromHex(hex));
}

/** Host bytes of one wire chunk's table (measured once). */
let CHUNK_KB = 0;
CHUNK_KB = ledgerAllocated(() => { wire.push({ t0: 0, bu: 0, data: "", pos: 0, kb: 0 }); });
wire.length = 0;

/**
 * What the wire holds (KB): bytes from the host that have not arrived yet — in the UART's
 * hardware on a board, never in its heap. A string's host size is 24 + length + 1.
 */
hooks.transientEmuKb = () => {
  let kb = 0;
  for (const c of wire) kb += CHUNK_KB + (25 + c.data.length) / 1024;
  return kb;
};

export function rxFromHost(sent: string): WireChunk | undefined {
  // At another rate than the board's, the UART reads what its own bit timing makes of the frames.
  const data = U.baud === U.hostBaud ? sent : resample(sent, U.hostBaud, U.baud);
  if (data.length === 0) return undefined;
  const bu = U.baud === U.hostBaud ? byteUs() : (sent.length * 10_000_000) / U.hostBaud / data.length;
  const t0 = Math.max(K.now, wireEnd);
  const c: WireChunk = { t0, bu, data, pos: 0, kb: 0 };
  wire.push(c);
  wireEnd = t0 + data.length * bu;
  armWire();
  return c;
}

function nextArrival(): number | undefined {
  const c = wire[0];
  if (c === undefined) return undefined;
  return c.t0 + (c.pos + 1) * c.bu;
}

function armWire(): void {
  const t = nextArrival();
  if (t === undefined) return;
  if (wireEventAt >= 0 && wireEventAt <= t) return;
  wireEventAt = t;
  schedule(t, PRIO_ISR, onWire, undefined, -1);
}

/** The RX interrupt: every byte that has arrived by now goes into the ring. */
function onWire(this: void, _arg: unknown, t: number): void {
  if (t !== wireEventAt) return;
  wireEventAt = -1;
  for (;;) {
    const c = wire[0];
    if (c === undefined) break;
    const upTo = Math.max(K.now, t);
    let arrived = Math.min(c.data.length, Math.floor((upTo - c.t0) / c.bu + 1e-6));
    // Never stall on rounding: the byte this event was scheduled for has arrived.
    if (arrived <= c.pos && upTo >= c.t0 + (c.pos + 1) * c.bu - 1e-3) arrived = c.pos + 1;
    for (let i = c.pos + 1; i <= arrived; i++) {
      if (K.powered && U.ready) ringPut(BYTES[string.byte(c.data, i)]);
    }
    if (arrived > c.pos) c.pos = arrived;
    if (c.pos < c.data.length) break;
    wire.shift();
  }
  armWire();
  if (ringCount > 0 && !inputPosted) {
    inputPosted = true;
    post(PRIO_HIGH, inputTask);
  }
}

function ringPut(b: string): void {
  U.rxBytes += 1;
  if (ringCount === RX_RING) {
    // Full: the oldest byte is overwritten.
    ring[(ringHead + ringCount) % RX_RING] = b;
    ringHead = (ringHead + 1) % RX_RING;
    U.rxOverwritten += 1;
    return;
  }
  ring[(ringHead + ringCount) % RX_RING] = b;
  ringCount += 1;
}

function getc(): string | undefined {
  if (ringCount === 0) return undefined;
  const b = ring[ringHead];
  ringHead = (ringHead + 1) % RX_RING;
  ringCount -= 1;
  return b;
}

let lastChar = "";

function deliver(data: string): void {
  const cb = U.cb;
  if (cb !== undefined) runFirmware(cb as (this: void, ...a: unknown[]) => unknown, "callback", data);
}

/** input_readline() of app/driver/input.c, run as a task after RX interrupts. */
function inputTask(this: void): void {
  inputPosted = false;
  if (!U.ready) return;
  if (U.runInput) {
    for (;;) {
      const ch = getc();
      if (ch === undefined) break;
      if ((ch === "\r" && lastChar === "\n") || (ch === "\n" && lastChar === "\r")) {
        lastChar = "";
        continue;
      }
      if (ch === "\x7f" || ch === "\b") {
        if (lineN > 0) {
          if (U.echo) consoleWrite("\b \b");
          lineN -= 1;
        }
        lastChar = "";
        continue;
      }
      lastChar = ch;
      if (ch === "\r" || ch === "\n") {
        if (U.echo) consoleWrite("\n");
        const text = lineText();
        if (U.cb !== undefined) deliver(text);
        clearLine();
        if (text.length === 0) {
          consoleWrite(U.currentPrompt());
          continue;
        }
        U.onLine(text);
        continue;
      }
      if (U.echo) consoleWrite(ch);
      // A line longer than the buffer: what was collected is discarded (input.c).
      if (lineN + 1 >= MAX_INPUT) clearLine();
      linePush(ch);
    }
  } else if (U.cb === undefined) {
    while (getc() !== undefined) { /* no reader: input is dropped */ }
  } else if (U.dataLen === 0 && U.endChar === "") {
    for (let ch = getc(); ch !== undefined; ch = getc()) deliver(ch);
  } else {
    for (let ch = getc(); ch !== undefined; ch = getc()) {
      linePush(ch);
      if (lineN >= MAX_INPUT || (U.endChar === "" && lineN >= U.dataLen) || (U.endChar !== "" && ch === U.endChar)) {
        const text = lineText();
        clearLine();
        deliver(text);
      }
    }
  }
}

/** Boot/reset: the console is back to 115200, echo on, interpreter input, nothing buffered. */
export function resetUart(): void {
  U.baud = 115200;
  U.databits = 8;
  U.parity = 0;
  U.stopbits = 1;
  U.baud1 = 115200;
  U.echo = true;
  U.cb = undefined;
  U.dataLen = 0;
  U.endChar = "";
  U.runInput = true;
  U.ready = false;
  ringHead = 0;
  ringCount = 0;
  inputPosted = false;
  clearLine();
  lastChar = "";
}

// ---- the Lua module --------------------------------------------------------------------------
/** MOD_CHECK_ID(uart, id): the ESP8266 has UART 0 and 1. */
function checkId(id: unknown): void {
  if (type(id) !== "number") apiError("bad argument #1 (number expected)");
  if (id !== 0 && id !== 1) apiError(`uart ${Math.floor(id as number)} does not exist`);
}

/** uart.write(1, …): UART1's TX pin, paced at its rate (the 128-byte FIFO), never on UART0. */
function tx1Write(s: string): void {
  const n = s.length;
  if (n === 0 || !K.powered) return;
  const bu = 10_000_000 / U.baud1;
  const start = Math.max(K.now, U.tx1End);
  U.tx1End = start + n * bu;
  U.tx1Bytes += n;
  const free = U.tx1End - TX_FIFO * bu;
  if (free > K.now) busyUntil(free);
}

/** uart.write(id, ...): varargs passed straight through (no table per call). */
const [uartWriteChunk] = loadstring(`
local checkId, uartBytes, txWrite, tx1Write = ...
return function(id, ...)
  checkId(id)
  local s = uartBytes(...)
  if id == 0 then txWrite(s) else tx1Write(s) end
end`, "=emu_uart_write");
const uartWrite = (uartWriteChunk as unknown as (this: void, ...a: unknown[]) => (this: void, id: number, ...items: unknown[]) => void)(checkId, uartBytes, txWrite, tx1Write);

export function createUartModule(): Record<string, unknown> {
  return {
    // l_uart_setup: id, baud, databits, parity, stopbits are required (luaL_checkinteger); a rate
    // platform_uart_setup does not know runs the hardware at 9600, yet the asked rate is returned.
    setup: api((id: unknown, baud: unknown, databits?: unknown, parity?: unknown, stopbits?: unknown, echo?: unknown) => {
      checkId(id);
      const args = [baud, databits, parity, stopbits];
      for (let i = 0; i < 4; i++) {
        if (type(args[i]) !== "number") return apiError(`bad argument #${i + 2} to 'setup' (number expected, got ${args[i] === undefined ? "no value" : type(args[i])})`);
      }
      if (type(echo) === "number") U.echo = echo !== 0;
      const asked = Math.floor(baud as number);
      if (id === 0) {
        U.baud = hardwareBaud(asked);
        U.databits = databits as number;
        U.parity = parity as number;
        U.stopbits = stopbits as number;
      } else U.baud1 = hardwareBaud(asked);
      return asked;
    }, 20),
    on: api((method: unknown, a?: unknown, b?: unknown, c?: unknown) => {
      if (method !== "data") return apiError("bad argument #1 to 'on' (method not supported)");
      let dataLen = -1;
      let endChar = "";
      let fn: unknown = a;
      let run: unknown = b;
      if (type(a) === "number") {
        dataLen = Math.floor(a as number);
        if (dataLen < 0 || dataLen >= MAX_INPUT) return apiError("bad argument #2 to 'on' (wrong arg range)");
        fn = b;
        run = c;
      } else if (type(a) === "string") {
        if ((a as string).length !== 1) return apiError("wrong arg range");
        endChar = a as string;
        fn = b;
        run = c;
      }
      if (type(fn) === "function") {
        U.cb = fn as (this: void, data: string) => void;
        U.runInput = !(type(run) === "number" && run === 0);
        U.dataLen = dataLen < 0 ? 0 : dataLen;
        U.endChar = endChar;
      } else {
        U.cb = undefined;
        U.runInput = true;
        U.dataLen = 0;
        U.endChar = "";
      }
      clearLine();
    }, 5),
    write: api(uartWrite, 3),
    getconfig: api((id: number) => {
      checkId(id);
      if (id === 1) return $multi(U.baud1, 8, 0, 1);
      return $multi(U.baud, U.databits, U.parity, U.stopbits);
    }, 2),
    alt: api(() => {}, 2),
    PARITY_NONE: 0, PARITY_EVEN: 1, PARITY_ODD: 2,
    STOPBITS_1: 1, STOPBITS_1_5: 2, STOPBITS_2: 3,
  };
}

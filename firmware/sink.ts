import { readWaiting } from "./sampler.ts";

// The output seam: every line the board sends leaves through `writeLine` (the UART today). A second
// transport (MQTT) is one more call in `writeLine`; protocols do not change. The line end is the
// protocol's ("\n", Chronojump "\r\n"): a byte stream writes it, a message transport drops it.
// Resident, never released: the paced queue is shared state.
//
// The network transport (firmware/net-link.ts, loaded only when net.cfg is on flash) registers
// itself with setNetSink; without it the extra cost per line is one nil test.
type NetSink = (this: void, body: string, tail: string, eol: string) => void;
let netSink: NetSink | undefined;

export function writeLine(body: string, tail: string, eol: string): void {
  if (body.length <= Piece.BYTES) uart.write(0, body, tail, eol);
  else writePieces(body, tail, eol);
  if (netSink !== undefined) netSink(body, tail, eol);
}

// The network transport takes every line from now on (undefined: USB only).
export function setNetSink(sink: NetSink | undefined): void {
  netSink = sink;
}

// A line longer than this goes out in pieces. uart.write busy-waits while the UART's 128-byte TX
// FIFO is full (≈ 87 µs a byte at 115200 baud): one 120–250-byte line written behind sample
// frames held the CPU 10–20 ms, past the next conversion of a bit-banged HX711 (12.5 ms at 80 SPS),
// whose unread sample the chip then overwrote. A piece waits at most ≈ 2.8 ms.
const enum Piece { BYTES = 32, BYTE_US = 87, CLOCK = 2147483648 }

// Before each piece the sampler reads any bit-banged conversion that is waiting (it writes no
// frame then: the line's bytes stay together); the frames follow in its next callback.
function writePieces(body: string, tail: string, eol: string): void {
  const n = body.length;
  for (let i = 1; i <= n; i += Piece.BYTES) {
    readWaiting();
    uart.write(0, string.sub(body, i, i + Piece.BYTES - 1));
  }
  readWaiting();
  uart.write(0, tail, eol);
}

// Background output (paced lines, the signer's records) is spaced to use at most half the link
// (80 frames/s use a quarter): written back to back, 120–250-byte lines kept the FIFO full, and
// then every frame the sampler wrote waited ≈ 3 ms on it, and several in one callback outlasted a
// conversion period. The next background line is due 2 × its predecessor's wire time later.
let spacedFromUs = 0;
let spacedUs = 0;

export function backgroundDue(): boolean {
  let d = tmr.now() - spacedFromUs;
  if (d < 0) d = d + Piece.CLOCK;
  return d >= spacedUs;
}

// Counts a background line of `bytes` bytes just written.
export function backgroundSent(bytes: number): void {
  spacedFromUs = tmr.now();
  spacedUs = 2 * bytes * Piece.BYTE_US;
}

// A queued line, or a line source (the lifts replay) called once per tick until it gives undefined.
export type PacedItem = string | ((this: void) => string | undefined);

const outbox: PacedItem[] = [];
let outTimer: NodeMcuTimer | undefined;

// Queues a rackcell line or source: written one per 20 ms tick so a long reply never blocks the sampler.
export function paced(item: PacedItem): void {
  outbox[outbox.length] = item;
  if (outTimer !== undefined) return;
  const t = tmr.create();
  outTimer = t;
  t.alarm(20, tmr.ALARM_AUTO, () => {
    if (!backgroundDue()) return;
    let next: string | undefined = undefined;
    while (next === undefined && outbox.length > 0) {
      const head = outbox[0];
      if (type(head) === "string") next = table.remove(outbox, 1) as string;
      else {
        next = (head as (this: void) => string | undefined)();
        if (next === undefined) table.remove(outbox, 1);
      }
    }
    if (next === undefined) {
      t.unregister();
      outTimer = undefined;
      return;
    }
    writeLine(next, "", "\n");
    backgroundSent(next.length + 1);
  });
}

// A line source (a replay) is still queued.
export function pacedSourceBusy(): boolean {
  for (let i = 0; i < outbox.length; i++) if (type(outbox[i]) === "function") return true;
  return false;
}

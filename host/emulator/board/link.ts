/**
 * The board's side of the line protocol with Node (stdin/stdout of this Lua process).
 * Node → Lua:  I <lua literal config> | R <hex> (host→board bytes) | U <us> (run until) | K <lua literal command> | A <hex> (reply)
 *              N <event> (the real network: a TCP connection's news, see nodemcu/tcp.ts)
 * Lua → Node:  T <us> <byteUs> <hex> (board→host bytes; the first completes at <us>, then one per byteUs)
 *              D <us> (done, virtual now; before the target: the board yielded to Node, see events.ts)
 *              K <json> (command reply) | Q <op> <args…> (synchronous request) | E <text> (log)
 *              N <op> (a TCP operation for Node to carry out on a real socket, see host/emulator/net-world.ts)
 */
import { toHex, fromHex } from "./hex.ts";

/**
 * What waits to be written to Node. It lives on the Lua heap, whose count is the board's heap
 * measure, so it is kept small (flushed at OUT_MAX lines) and flushed before every measurement
 * (see kernel.ts settleHeap): TX bytes of the board are never counted as the firmware's memory.
 * (Before, a manual-clock advance() of N seconds held N seconds of TX here: the firmware's
 * free heap fell by ≈3 KB per simulated second of streaming until the next flush.)
 */
const OUT_MAX = 16;
const out: string[] = [];
let txT0 = 0;
let txByteUs = 0;
const txParts: string[] = [];
let txN = 0;
let txCount = 0;
// Capacity allocated once, before any baseline is taken.
for (let i = 0; i < 64; i++) txParts.push("");
for (let i = 0; i < 64; i++) out.push("");
for (let i = 63; i >= 0; i--) { txParts[i] = undefined as unknown as string; out[i] = undefined as unknown as string; }

function flushTx(): void {
  if (txCount === 0) return;
  const bytes = table.concat(txParts, "", 1, txN);
  for (let i = 1; i <= txN; i++) txParts[i - 1] = undefined as unknown as string;
  txN = 0;
  txCount = 0;
  out[out.length] = `T ${string.format("%.3f", txT0)} ${string.format("%.6f", txByteUs)} ${toHex(bytes)}`;
  if (out.length >= OUT_MAX) flush();
}

/** Bytes leaving the UART: the first completes at t, the others follow each byteUs later. */
export function sendTx(t: number, byteUs: number, bytes: string): void {
  if (txCount > 0 && byteUs === txByteUs && Math.abs(txT0 + txCount * txByteUs - t) < 1e-3 && txCount < 4096) {
    txN += 1;
    txParts[txN - 1] = bytes;
    txCount += bytes.length;
    if (txCount >= 256) flushTx();
    return;
  }
  flushTx();
  txT0 = t;
  txByteUs = byteUs;
  txN = 1;
  txParts[0] = bytes;
  txCount = bytes.length;
}

export function send(line: string): void {
  flushTx();
  out[out.length] = line;
  if (out.length >= OUT_MAX) flush();
}

export function flush(): void {
  flushTx();
  const n = out.length;
  if (n === 0) return;
  io.stdout.write(table.concat(out, "\n", 1, n), "\n");
  io.stdout.flush();
  for (let i = n; i >= 1; i--) out[i - 1] = undefined as unknown as string;
}

export function log(text: string): void {
  send(`E ${string.gsub(text, "\n", " | ")[0]}`);
}

/** Lines from Node that came in while a request waited for its answer: served next (main.ts). */
export const deferred: string[] = [];

/** Asks Node synchronously (crypto); Node answers "A <hex>" or "A !<error>". */
export function request(op: string, ...args: string[]): string {
  send(`Q ${op} ${args.join(" ")}`);
  flush();
  let line = io.stdin.read("*l") as string | undefined;
  // Node writes network news (N) and host bytes (R) whenever they come: keep them for later.
  while (line !== undefined && string.sub(line, 1, 2) !== "A ") {
    deferred.push(line);
    line = io.stdin.read("*l") as string | undefined;
  }
  if (line === undefined) return error("emu: Node went away", 0);
  if (string.sub(line, 1, 3) === "A !") return error(string.sub(line, 4), 0);
  return fromHex(string.sub(line, 3));
}

export { toHex, fromHex };

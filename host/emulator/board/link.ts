/**
 * The board's side of the line protocol with Node (stdin/stdout of this Lua process).
 * Node → Lua:  I <lua literal config> | R <hex> (host→board bytes) | U <us> (run until) | K <lua literal command> | A <hex> (reply)
 * Lua → Node:  T <us> <byteUs> <hex> (board→host bytes; the first completes at <us>, then one per byteUs)
 *              D <us> (done, virtual now) | K <json> (command reply) | Q <op> <args…> (synchronous request) | E <text> (log)
 */
import { toHex, fromHex } from "./hex.ts";

const out: string[] = [];
let txT0 = 0;
let txByteUs = 0;
let txParts: string[] = [];
let txCount = 0;

function flushTx(): void {
  if (txCount === 0) return;
  out.push(`T ${string.format("%.3f", txT0)} ${string.format("%.6f", txByteUs)} ${toHex(txParts.join(""))}`);
  txParts = [];
  txCount = 0;
}

/** Bytes leaving the UART: the first completes at t, the others follow each byteUs later. */
export function sendTx(t: number, byteUs: number, bytes: string): void {
  if (txCount > 0 && byteUs === txByteUs && Math.abs(txT0 + txCount * txByteUs - t) < 1e-3 && txCount < 4096) {
    txParts.push(bytes);
    txCount += bytes.length;
    // Keep little in Lua's heap: what is buffered here would count as the firmware's memory.
    if (txCount >= 256) flush();
    return;
  }
  flushTx();
  txT0 = t;
  txByteUs = byteUs;
  txParts = [bytes];
  txCount = bytes.length;
}

export function send(line: string): void {
  flushTx();
  out.push(line);
  if (out.length >= 32) flush();
}

export function flush(): void {
  flushTx();
  if (out.length === 0) return;
  io.stdout.write(out.join("\n"), "\n");
  io.stdout.flush();
  out.length = 0;
}

export function log(text: string): void {
  send(`E ${string.gsub(text, "\n", " | ")[0]}`);
}

/** Asks Node synchronously (crypto); Node answers "A <hex>" or "A !<error>". */
export function request(op: string, ...args: string[]): string {
  send(`Q ${op} ${args.join(" ")}`);
  flush();
  const line = io.stdin.read("*l") as string | undefined;
  if (line === undefined) return error("emu: Node went away", 0);
  if (string.sub(line, 1, 3) === "A !") return error(string.sub(line, 4), 0);
  return fromHex(string.sub(line, 3));
}

export { toHex, fromHex };

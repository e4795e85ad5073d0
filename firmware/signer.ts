import type { AppCtx } from "./types/rackcell.d.ts";
import type { KeyState, SignState } from "../shared/crypto/ed25519.ts";
import { fmtInt, loaded, seal, sealSuffix } from "./framer.ts";

type Ed25519 = typeof import("../shared/crypto/ed25519.ts");
type SignedLift = typeof import("../shared/board/signedlift.ts");

/**
 * The board's signer: the device key (made here from node.random, kept in flash, never sent) and
 * an Ed25519 signature over every lift summary, computed in time slices from a timer while the
 * board streams (shared/crypto/ed25519.ts; SHA-512 is NodeMCU's C crypto.hash).
 *
 * Loaded only when there is work (liftlog.record, or a `keys` command) and released when the
 * queue is empty: its modules and the curve arithmetic cost no heap while the board only streams.
 * The curve code is required only when a key exists (a board without one loads just this module
 * at the end of a lift, and drops it at once). Records: `G,…` (shared/board/signedlift.ts) after each lift's E record.
 *
 * Flash (sealed one-line files, replaced atomically: written to a temp name, then renamed; a power
 * cut leaves the old file or the new one, and a torn temp file fails its checksum):
 *   ed25519.key   K,<seed hex>,<public key hex>*cccc
 *   sigchain      C,<signed-lift counter>,<SHA-256 hex of the last signed message>*cccc
 */
export const KEY_FILE = "ed25519.key";
export const KEY_TMP = "ed25519.tmp";
export const CHAIN_FILE = "sigchain";
export const CHAIN_TMP = "sigchain.tmp";
/** Timer period between two slices: the sampler and the UART run in between. */
const SLICE_MS = 10;
const MODULES = "signer crypto_ed25519 crypto_field25519 crypto_scalar25519 board_signedlift protocol_wire_number lualib_bundle";

const sha512 = (s: string): string => crypto.hash("sha512", s);

let ctx: AppCtx;
/** E bodies waiting for a signature, oldest first */
const queue: string[] = [];
let signing: SignState | undefined;
let fields = "";
let message = "";
let keygen: KeyState | undefined;
let keygenReplyId = 0;
let timer: NodeMcuTimer | undefined;
/** the curve code and the message format, loaded by a slice of their own */
let ed: Ed25519 | undefined;
let sl: SignedLift | undefined;
/** the current signature's cost (from the lift's E record, module loading included), reported in an M notice */
let startedUs = 0;
let slices = 0;
let longestSliceUs = 0;
/** All-zero SHA-256: the `prev` of the first lift under a key (signedlift.ts GENESIS_PREV). */
function genesis(): string {
  if (sl === undefined) sl = require("../shared/board/signedlift") as SignedLift;
  return sl.GENESIS_PREV;
}

/** The body of a sealed one-line file, "" when absent or torn. */
function readSealed(name: string): string {
  const text = file.getcontents(name);
  if (text === undefined || text.length < 6) return "";
  const n = text.length;
  const body = string.sub(text, 1, n - 5);
  return sealSuffix(body) === string.sub(text, n - 4, n) ? body : "";
}

/** Writes one sealed line atomically: temp file, then rename over the old one. */
function writeSealed(name: string, tmp: string, body: string): boolean {
  if (file.putcontents(tmp, seal(body)) === undefined) {
    file.remove(tmp);
    return false;
  }
  file.remove(name);
  return file.rename(tmp, name);
}

/**
 * Finishes or undoes an interrupted replacement: a valid temp file without its target is the new
 * state (the cut came between remove and rename); otherwise the temp file goes.
 */
function recover(name: string, tmp: string): void {
  if (!file.exists(tmp)) return;
  if (!file.exists(name) && readSealed(tmp) !== "") file.rename(tmp, name);
  else file.remove(tmp);
}

/** The key pair (binary), or undefined without a valid key. */
function readKey(): { seed: string; pub: string } | undefined {
  recover(KEY_FILE, KEY_TMP);
  const body = readSealed(KEY_FILE);
  if (body.length !== 2 + 64 + 1 + 64) return undefined;
  return { seed: encoder.fromHex(string.sub(body, 3, 66)), pub: encoder.fromHex(string.sub(body, 68, 131)) };
}

export function hasKey(): boolean {
  return readKey() !== undefined;
}

/** [counter, prev hex] of the last signed lift. */
function readChain(): LuaMultiReturn<[number, string]> {
  recover(CHAIN_FILE, CHAIN_TMP);
  const body = readSealed(CHAIN_FILE);
  if (body === "") return $multi(0, genesis());
  const [, , n, prev] = string.find(body, "^C,(%d+),(%x+)$");
  if (n === undefined || (prev as string).length !== 64) return $multi(0, genesis());
  return $multi(tonumber(n) as number, prev as string);
}

/** Drops the signer and the curve code from package.loaded: garbage once the timer is gone. */
function release(): void {
  if (timer !== undefined) timer.unregister();
  timer = undefined;
  ed = undefined;
  sl = undefined;
  const l = loaded();
  for (const [name] of string.gmatch(MODULES, "%S+")) l[name] = undefined;
  collectgarbage("collect");
}

function beginNext(): void {
  const body = table.remove(queue, 1) as string;
  const key = readKey();
  if (key === undefined) {
    ctx.send("M,lift not signed: no device key (rackcell keys init)");
    return;
  }
  const [n, prev] = readChain();
  const [, , liftId] = string.find(body, "^E,id=(%d+)");
  fields = sl!.signedFields(tonumber(liftId) ?? 0, n + 1, node.chipid(), ctx.calId, "", prev);
  message = sl!.signedMessage(body, fields);
  signing = ed!.signStart(key.seed, key.pub, message, sha512);
}

function finishSigning(st: SignState): void {
  const [n] = readChain();
  // through the outbox (its own timer tick): a 270-byte line blocks uart.write ≈ 12 ms at 115200 baud
  const box = ctx.outbox;
  box[box.length] = seal(`${fields},sig=${encoder.toHex(st.signature)}`);
  const [, , liftId] = string.find(fields, "^G,lift=(%d+)");
  box[box.length] = seal(`M,signed lift ${liftId} in ${fmtInt(Math.floor(elapsedUs(startedUs) / 1000))} ms: ${fmtInt(slices)} slices, longest ${fmtInt(longestSliceUs)} us`);
  ctx.kick();
  startedUs = tmr.now();
  slices = 0;
  longestSliceUs = 0;
  writeSealed(CHAIN_FILE, CHAIN_TMP, `C,${fmtInt(n + 1)},${encoder.toHex(crypto.hash("sha256", message))}`);
  signing = undefined;
  fields = "";
  message = "";
}

function finishKeygen(st: KeyState): void {
  const pubHex = encoder.toHex(st.publicKey);
  const ok = writeSealed(KEY_FILE, KEY_TMP, `K,${encoder.toHex(st.seed)},${pubHex}`);
  // a new key starts a new chain
  if (ok) writeSealed(CHAIN_FILE, CHAIN_TMP, `C,0,${genesis()}`);
  ctx.send(ok ? `R,${fmtInt(keygenReplyId)},ok,pub=${pubHex}` : `R,${fmtInt(keygenReplyId)},err,flash write failed`);
  keygen = undefined;
}

/** µs since t0 on tmr.now()'s 31-bit clock (one wrap at most: a signature takes seconds). */
function elapsedUs(t0: number): number {
  const d = tmr.now() - t0;
  return d < 0 ? d + 2147483648 : d;
}

/** One timer tick: one slice of the key generation or of the current signature. */
function tick(): void {
  const t0 = tmr.now();
  if (ed === undefined) {
    ed = require("../shared/crypto/ed25519") as Ed25519;
    sl = require("../shared/board/signedlift") as SignedLift;
  } else if (keygen !== undefined) {
    if (ed.keyStep(keygen)) finishKeygen(keygen);
  } else if (signing !== undefined) {
    if (ed.signStep(signing)) finishSigning(signing);
  } else if (queue.length > 0) beginNext();
  const dt = elapsedUs(t0);
  slices = slices + 1;
  if (dt > longestSliceUs) longestSliceUs = dt;
  if (keygen === undefined && signing === undefined && queue.length === 0) release();
}

function run(c: AppCtx): void {
  ctx = c;
  if (timer !== undefined) return;
  const t = tmr.create();
  t.alarm(SLICE_MS, tmr.ALARM_AUTO, tick);
  timer = t;
}

/** A lift was recorded (its E body): sign it when the signatures before it are done. */
export function enqueue(c: AppCtx, liftBody: string): void {
  if (!file.exists(KEY_FILE) && !file.exists(KEY_TMP)) {
    if (timer === undefined) release();
    return;
  }
  if (queue.length === 0 && signing === undefined) startedUs = tmr.now();
  queue[queue.length] = liftBody;
  run(c);
}

/**
 * `keys,init[,force]`: a new key pair from the hardware random source. Refused when a key exists
 * unless forced (a new key cannot sign for the old one: certificates made with it stay valid but
 * new lifts chain from zero). Deferred reply: ok,pub=<hex> once the public key is computed.
 */
export function keysInit(c: AppCtx, id: number, force: boolean): string {
  if (keygen !== undefined) return "busy";
  if (!force && hasKey()) return "key exists: keys init force replaces it";
  const seed: string[] = [];
  for (let i = 0; i < 32; i++) seed[i] = string.char(node.random(0, 255));
  if (ed === undefined) ed = require("../shared/crypto/ed25519") as Ed25519;
  keygen = ed.keyStart(table.concat(seed), sha512);
  keygenReplyId = id;
  run(c);
  return "";
}

/** `keys`: the public key and the chain state ("" without a key). */
export function publicInfo(): string {
  const key = readKey();
  if (key === undefined) return "";
  const [n, prev] = readChain();
  return `pub=${encoder.toHex(key.pub)},n=${fmtInt(n)},prev=${prev},queue=${fmtInt(queue.length)}`;
}

/** Releases the module right away when a command loaded it and nothing is running. */
export function releaseIfIdle(): void {
  if (keygen === undefined && signing === undefined && queue.length === 0) release();
}

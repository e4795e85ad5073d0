import type { AppCtx } from "./types/rackcell.d.ts";
import type { KeyState, SignState } from "../shared/crypto/ed25519.ts";
import { elapsedUs, park, take } from "./sign-job.ts";

type Ed25519 = typeof import("../shared/crypto/ed25519.ts");
type SignedLift = typeof import("../shared/board/signedlift.ts");
type Hmac = typeof import("./signer-hmac.ts");

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
 * Flash (one-line files ending in *<first 8 hex digits of their SHA-1>, replaced atomically: written
 * to a temp name, then renamed; a power cut leaves the old file or the new one, and a torn temp file
 * fails its check). The check is NodeMCU's C SHA-1, not framer's checksum: the signer does not load
 * framer (heap while signing).
 *   ed25519.key   K,<seed hex>,<public key hex>*hhhhhhhh
 *   sigchain      C,<signed-lift counter>,<SHA-256 hex of the last signed message>,<public key hex>*hhhhhhhh
 *                 (a chain under another key, e.g. after `keys init force`, counts as empty: the new
 *                 key's first lift is n=1 with the zero prev, whatever a power cut left behind)
 */
// not exported: an export table of more than eight entries takes sixteen hash slots in the heap
const KEY_FILE = "ed25519.key";
const KEY_TMP = "ed25519.tmp";
const CHAIN_FILE = "sigchain";
const CHAIN_TMP = "sigchain.tmp";
/** vcert: V,<calibration id>,<verification certificate id>*hhhhhhhh, set by `vcert` after rackcell verify passes */
const VCERT_FILE = "vcert";
const VCERT_TMP = "vcert.tmp";
/** hmac.key: the HMAC-SHA256 scheme's key (signer-hmac.ts, which is loaded only when one exists) */
const HMAC_KEY_FILE = "hmac.key";
const HMAC_KEY_TMP = "hmac.tmp";
/** Timer period between two slices: the sampler and the UART run in between. */
const SLICE_MS = 10;
const MODULES = "signer sign_job signer_hmac hmac_liftmac crypto_ed25519 crypto_edwards25519 crypto_field25519 crypto_scalar25519 board_signedlift protocol_wire_number lualib_bundle";

const sha512 = (s: string): string => crypto.hash("sha512", s);

let ctx: AppCtx;
/** writes one record, sealed, through the output seam (the protocol's or the command's sender) */
let send: (this: void, body: string) => void;
/** E bodies waiting for a signature, oldest first */
let queue: string[] = [];
/** records to send, one per tick */
const outLines: string[] = [];
/** after a signature: the chain line to store (without the counter) and the lift id for the notice */
let chainBody = "";
let chainRename = false;
let notice = "";
let signing: SignState | undefined;
/** the message being signed (its last line is the signed fields: kept once, not twice, while signing) */
let message = "";
/** public key (hex) of the signature being computed */
let signingPubHex = "";
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
let longestOutputUs = 0;
/**
 * signedlift.ts GENESIS_PREV (64 zeros: the `prev` of the first lift under a key), made here so
 * reading the chain does not load the module (signer-emulated.test.ts checks they agree).
 */
function genesis(): string {
  return string.rep("0", 64);
}

const fmtInt = (x: number): string => string.format("%d", x);

/** package.loaded (framer.ts has the same, but the signer does not load framer). */
function loaded(): Record<string, unknown> {
  return (_G as unknown as { package: { loaded: Record<string, unknown> } }).package.loaded;
}

/** "*" and the first 8 hex digits of SHA-1(body): a stored line's check. */
function check(body: string): string {
  return `*${string.sub(encoder.toHex(crypto.hash("sha1", body)), 1, 8)}`;
}

/** The body of a checked one-line file, "" when absent or torn. */
function readSealed(name: string): string {
  const text = file.getcontents(name);
  if (text === undefined || text.length < 10) return "";
  const n = text.length;
  const body = string.sub(text, 1, n - 9);
  return check(body) === string.sub(text, n - 8, n) ? body : "";
}

/** Writes one sealed line atomically: temp file, then rename over the old one. */
function writeSealed(name: string, tmp: string, body: string): boolean {
  if (file.putcontents(tmp, body + check(body)) === undefined) {
    file.remove(tmp);
    return false;
  }
  file.remove(name);
  return file.rename(tmp, name);
}

/**
 * writeSealed for a command's callback, in two: the temp file and the removal of the old file now,
 * the rename 10 ms later (each flash operation holds the CPU ≈ 2 ms, and the sampler must get its
 * turn). A cut in between, or a read before the rename, finishes it through recover().
 */
function writeSealedSoon(name: string, tmp: string, body: string): boolean {
  if (file.putcontents(tmp, body + check(body)) === undefined) {
    file.remove(tmp);
    return false;
  }
  file.remove(name);
  tmr.create().alarm(SLICE_MS, tmr.ALARM_SINGLE, () => recover(name, tmp));
  return true;
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

/** A sealed file's body after finishing or undoing an interrupted replacement. */
function recovered(name: string, tmp: string): string {
  recover(name, tmp);
  return readSealed(name);
}

/** The HMAC scheme (signer-hmac.ts), loaded on use. */
function hm(): Hmac {
  return require("signer-hmac") as Hmac;
}

/** An HMAC key on flash (or its replacement under way): an Ed25519 board never loads signer-hmac. */
function hmacPresent(): boolean {
  return file.exists(HMAC_KEY_FILE) || file.exists(HMAC_KEY_TMP);
}

/** The key pair (binary), or undefined without a valid key. */
function readKey(): { seed: string; pub: string } | undefined {
  recover(KEY_FILE, KEY_TMP);
  const body = readSealed(KEY_FILE);
  if (body.length !== 2 + 64 + 1 + 64) return undefined;
  return { seed: encoder.fromHex(string.sub(body, 3, 66)), pub: encoder.fromHex(string.sub(body, 68, 131)) };
}

export function hasKey(): boolean {
  return readKey() !== undefined || (hmacPresent() && hm().readKey(recovered(HMAC_KEY_FILE, HMAC_KEY_TMP)) !== undefined);
}

/** [counter, prev hex] of the last lift signed with the key `pubHex`. */
function readChain(pubHex: string): LuaMultiReturn<[number, string]> {
  recover(CHAIN_FILE, CHAIN_TMP);
  const body = readSealed(CHAIN_FILE);
  if (body === "") return $multi(0, genesis());
  const [, , n, prev, pub] = string.find(body, "^C,(%d+),(%x+),(%x+)$");
  if (n === undefined || (prev as string).length !== 64 || pub !== pubHex) return $multi(0, genesis());
  return $multi(tonumber(n) as number, prev as string);
}

/**
 * `vcert,<id>`: the verification certificate of the current calibration, named in every signed lift
 * while that calibration lasts (a new calibration id voids it). "" when stored, otherwise why not.
 */
export function setVerificationCert(calId: string, certId: string): string {
  if (calId === "") return "no calibration to verify";
  const [at] = string.find(certId, "^[%w%-]+$");
  if (certId.length > 40 || at === undefined) return "certificate id: 1 to 40 letters or digits or -";
  return writeSealedSoon(VCERT_FILE, VCERT_TMP, `V,${calId},${certId}`) ? "" : "flash write failed";
}

/** The verification certificate id for this calibration, "" when none (or it was for another). */
function certIdFor(calId: string): string {
  const [, , cal, cert] = string.find(recovered(VCERT_FILE, VCERT_TMP), "^V,([^,]*),([%w%-]+)$");
  return cal !== undefined && cal !== "" && cal === calId ? cert as string : "";
}

/**
 * The curve code. The modules it imports keep only what ed25519 copied into its locals: their
 * export tables (and lualib's) are dropped from package.loaded at once, ≈ 1 KB less while signing.
 */
function loadCurve(): Ed25519 {
  const e = require("../shared/crypto/ed25519") as Ed25519;
  const l = loaded();
  l.crypto_field25519 = undefined;
  l.crypto_scalar25519 = undefined;
  l.lualib_bundle = undefined;
  return e;
}

/** Drops the signer and the curve code from package.loaded: garbage once the timer is gone. */
function release(): void {
  if (timer !== undefined) timer.unregister();
  timer = undefined;
  ed = undefined;
  sl = undefined;
  const l = loaded();
  for (const [name] of string.gmatch(MODULES, "%S+")) l[name] = undefined;
  // no explicit full collect here: on a 30 KB heap it would be one more long callback; the
  // garbage goes with the next collection cycles
}

function beginNext(): void {
  if (sl === undefined) sl = require("../shared/board/signedlift") as SignedLift;
  const body = table.remove(queue, 1) as string;
  const macKey = hmacPresent() ? hm().readKey(recovered(HMAC_KEY_FILE, HMAC_KEY_TMP)) : undefined;
  const key = macKey === undefined ? readKey() : undefined;
  if (macKey === undefined && key === undefined) {
    send("M,lift not signed: no device key (rackcell keys init)");
    return;
  }
  signingPubHex = macKey !== undefined ? hm().keyId(macKey) : encoder.toHex(key!.pub);
  const [n, prev] = readChain(signingPubHex);
  const [, , liftId] = string.find(body, "^E,id=(%d+)");
  const fields = sl!.signedFields(tonumber(liftId) ?? 0, n + 1, node.chipid(), ctx.cal.id, certIdFor(ctx.cal.id), prev);
  if (macKey !== undefined) {
    // HMAC: one C call, no slices; the records and the chain go out as after a signature
    const [y, messageSha] = hm().macLift(macKey, tonumber(liftId) ?? 0, body, fields);
    outLines[outLines.length] = fields;
    outLines[outLines.length] = y;
    notice = liftId as string;
    chainBody = `${messageSha},${signingPubHex}`;
    return;
  }
  message = sl!.signedMessage(body, fields);
  // the message format is needed once per lift: released before the curve work starts
  loaded().board_signedlift = undefined;
  loaded().protocol_wire_number = undefined;
  loaded().lualib_bundle = undefined;
  sl = undefined;
  if (ed === undefined) ed = loadCurve();
  signing = ed.signStart(key!.seed, key!.pub, message, sha512);
}

/** The signature is ready: its records, the chain update and the notice follow, one per tick. */
function finishSigning(st: SignState): void {
  // written by the next ticks, one line each, as three records: past the UART's 128-byte FIFO
  // uart.write busy-waits (≈ 87 µs a byte at 115200 baud, more when sample frames already fill
  // the FIFO), and one 270-byte line held the CPU ≈ 12 ms, long enough to miss a bit-banged
  // conversion; lines of ≤ 120 bytes do not
  const [at] = string.find(message, "\nG,", 1, true);
  const fields = string.sub(message, (at as number) + 1);
  const [, , liftId] = string.find(fields, "^G,lift=(%d+)");
  const sigHex = encoder.toHex(st.signature);
  outLines[outLines.length] = fields;
  outLines[outLines.length] = `Y,lift=${liftId},r=${string.sub(sigHex, 1, 64)}`;
  outLines[outLines.length] = `Y,lift=${liftId},s=${string.sub(sigHex, 65, 128)}`;
  notice = liftId as string;
  chainBody = `${encoder.toHex(crypto.hash("sha256", message))},${signingPubHex}`;
  signing = undefined;
  message = "";
}

/** Output and bookkeeping after a signature, one step per tick; false when there was none. */
function afterSigning(): boolean {
  if (chainBody !== "") {
    // the chain's temp file in this tick, the rename in the next (flash writes take milliseconds)
    const [n] = readChain(signingPubHex);
    const body = `C,${fmtInt(n + 1)},${chainBody}`;
    if (file.putcontents(CHAIN_TMP, body + check(body)) === undefined) file.remove(CHAIN_TMP);
    chainBody = "";
    chainRename = true;
  } else if (chainRename && file.exists(CHAIN_FILE) && file.exists(CHAIN_TMP)) {
    // remove and rename in ticks of their own (≈ 2 ms each): together they could hold the CPU
    // across a bit-banged conversion; between them recover() finishes the rename after a cut
    file.remove(CHAIN_FILE);
  } else if (chainRename) {
    if (file.exists(CHAIN_TMP)) file.rename(CHAIN_TMP, CHAIN_FILE);
    chainRename = false;
  } else if (outLines.length > 0) send(table.remove(outLines, 1) as string);
  else if (notice !== "") {
    // every tick of this lift counted, the output's too
    send(`M,signed lift ${notice} in ${fmtInt(Math.floor(elapsedUs(startedUs) / 1000))} ms: ${fmtInt(slices)} slices, longest ${fmtInt(longestSliceUs)} us, output ${fmtInt(longestOutputUs)} us`);
    notice = "";
    startedUs = tmr.now();
    slices = 0;
    longestSliceUs = 0;
    longestOutputUs = 0;
    return true;
  } else return false;
  return true;
}

function finishKeygen(st: KeyState): void {
  const pubHex = encoder.toHex(st.publicKey);
  const ok = writeSealed(KEY_FILE, KEY_TMP, `K,${encoder.toHex(st.seed)},${pubHex}`);
  // only now the old HMAC key goes (a cut before this keeps it, and it wins: the old state)
  if (ok) file.remove(HMAC_KEY_FILE);
  send(ok ? `R,${fmtInt(keygenReplyId)},ok,pub=${pubHex},board=${fmtInt(node.chipid())}` : `R,${fmtInt(keygenReplyId)},err,flash write failed`);
  keygen = undefined;
}

/**
 * Hands the running signature to sign-job and leaves package.loaded: this module's closures and
 * upvalues (≈ 2 KB of heap) are garbage until the signature is ready. Only when nothing else is
 * pending here (records to send, the chain, a notice, a key being made).
 */
function parkJob(): void {
  if (timer !== undefined) timer.unregister();
  timer = undefined;
  // owner: this module's Lua name, as in package.loaded below
  park({ signing: signing!, queue, owner: "signer", ctx, send, startedUs, slices, longestSliceUs }, SLICE_MS);
  signing = undefined;
  ed = undefined;
  loaded().signer = undefined;
}

/** Takes back a job parked in sign-job: this module was loaded again for it, or for a lift or a command meanwhile. */
function adopt(): void {
  const j = take();
  if (j === undefined) return;
  signing = j.signing;
  queue = j.queue;
  message = j.signing.message;
  startedUs = j.startedUs;
  slices = j.slices;
  longestSliceUs = j.longestSliceUs;
  signingPubHex = encoder.toHex(string.sub(j.signing.key, 33, 64));
  // no curve code: the next tick parks the job again, or it is finished (resume)
  run(j.ctx, j.send);
}

/**
 * sign-job's signature is ready: take it back; the next tick writes its records and the chain.
 * This tick (from `t0`, loading this module included) counts as one of the signature's slices.
 */
export function resume(t0: number): void {
  adopt();
  if (signing !== undefined) finishSigning(signing);
  const dt = elapsedUs(t0);
  slices = slices + 1;
  if (dt > longestSliceUs) longestSliceUs = dt;
}

/** One timer tick: one slice of the key generation or of the current signature. */
function tick(): void {
  const t0 = tmr.now();
  if (afterSigning()) {
    // flash writes and UART lines: how long they hold the CPU depends on the flash and on how full
    // the UART FIFO already is (uart.write busy-waits), not on the signing; counted apart
    const out = elapsedUs(t0);
    if (out > longestOutputUs) longestOutputUs = out;
    return;
  }
  // here nothing is left to send or store (afterSigning): a signature in progress goes to sign-job
  if (keygen === undefined && signing !== undefined) {
    parkJob();
    return;
  }
  if (keygen === undefined && queue.length === 0) {
    release();
    return;
  }
  if (keygen === undefined && hmacPresent()) {
    beginNext(); // the HMAC scheme needs no curve code
  } else if (ed === undefined) {
    ed = loadCurve();
  } else if (keygen !== undefined) {
    if (ed.keyStep(keygen)) finishKeygen(keygen);
  } else beginNext();
  const dt = elapsedUs(t0);
  slices = slices + 1;
  if (dt > longestSliceUs) longestSliceUs = dt;
}

function run(c: AppCtx, sender: (this: void, body: string) => void): void {
  ctx = c;
  send = sender;
  if (timer !== undefined) return;
  const t = tmr.create();
  t.alarm(SLICE_MS, tmr.ALARM_AUTO, tick);
  timer = t;
}

/** A lift was recorded (its E body): sign it when the signatures before it are done. */
export function enqueue(c: AppCtx, sender: (this: void, body: string) => void, liftBody: string): void {
  adopt();
  if (!file.exists(KEY_FILE) && !file.exists(KEY_TMP) && !hmacPresent()) {
    if (timer === undefined) release();
    return;
  }
  if (queue.length === 0 && signing === undefined) startedUs = tmr.now();
  queue[queue.length] = liftBody;
  run(c, sender);
}

/**
 * `keys,init[,force]`: a new key pair from the hardware random source. Refused when a key exists
 * unless forced (a new key cannot sign for the old one: certificates made with it stay valid but
 * new lifts chain from zero). Deferred reply: ok,pub=<hex> once the public key is computed.
 */
export function keysInit(c: AppCtx, sender: (this: void, body: string) => void, id: number, force: boolean, hmac: boolean): string {
  adopt();
  if (keygen !== undefined) return "busy";
  if (!force && hasKey()) return "key exists: keys init force replaces it";
  if (hmac) {
    // the key is sent this once, for the host to register: only its holder can check a MAC
    const keyHex = hm().makeKey((body) => writeSealedSoon(HMAC_KEY_FILE, HMAC_KEY_TMP, body));
    if (keyHex === "") return "flash write failed";
    file.remove(KEY_FILE);
    sender(`R,${fmtInt(id)},ok,scheme=hmac-sha256,key=${keyHex},keyid=${hm().keyId(encoder.fromHex(keyHex))},board=${fmtInt(node.chipid())}`);
    return "";
  }
  const seed: string[] = [];
  for (let i = 0; i < 32; i++) seed[i] = string.char(node.random(0, 255));
  if (ed === undefined) ed = loadCurve();
  keygen = ed.keyStart(table.concat(seed), sha512);
  keygenReplyId = id;
  run(c, sender);
  return "";
}

/** `keys`: the public key and the chain state as reply pairs (none without a key). */
export function publicInfo(): string[] {
  adopt();
  const macKey = hmacPresent() ? hm().readKey(recovered(HMAC_KEY_FILE, HMAC_KEY_TMP)) : undefined;
  if (macKey !== undefined) {
    const keyId = hm().keyId(macKey);
    const [n, prev] = readChain(keyId);
    return ["scheme", "hmac-sha256", "keyid", keyId, "board", fmtInt(node.chipid()), "n", fmtInt(n), "prev", prev, "queue", fmtInt(queue.length)];
  }
  const key = readKey();
  if (key === undefined) return [];
  const pubHex = encoder.toHex(key.pub);
  const [n, prev] = readChain(pubHex);
  return ["scheme", "ed25519", "pub", pubHex, "board", fmtInt(node.chipid()), "n", fmtInt(n), "prev", prev, "queue", fmtInt(queue.length)];
}

/** Releases the module right away when a command loaded it and nothing is running. */
export function releaseIfIdle(): void {
  adopt();
  if (keygen === undefined && signing === undefined && queue.length === 0 && outLines.length === 0 && chainBody === "" && !chainRename && notice === "") release();
}

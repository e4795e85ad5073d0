import { type BaseMult, SLICE_UNITS, baseMultStart, baseMultStep } from "./edwards25519.ts";
import { type Field, numbersAreDoubles } from "./field25519.ts";
import { type ScalarField, bytesFromLimbs, limbsFromBytes, scMulAddUnreduced, scReduce } from "./scalar25519.ts";

/**
 * Ed25519 signing (RFC 8032 5.1) that runs in time slices: `signStep(state)` does a bounded amount
 * of work and returns true when the signature is ready, so the board can sign from a timer between
 * two sample batches. Key generation (`keyStep`) works the same way.
 *
 * SHA-512 is injected (`Sha512`): on the board it is NodeMCU's C `crypto.hash("sha512", s)`; in the
 * vector tests it is the pure `shared/crypto/sha512.ts`. Byte strings are one character per byte.
 *
 * The only long computation is the fixed-base scalar multiplication (r·B, or a·B for the key) and
 * the inversion that maps the point back to affine coordinates: edwards25519.ts, run by phase 3
 * (the state's `mult` is set exactly then, so a caller may step it with baseMultStep directly).
 */
/** @noSelf */
export type Sha512 = (this: void, bytes: string) => string;

/**
 * The arithmetic a signature runs on when it is not field25519's and scalar25519's (16-bit limbs,
 * which need doubles: JavaScript, the ESP8266's Lua 5.1): on 32-bit numbers (NodeMCU's Lua 5.3
 * builds) the 12-bit limbs of field25519-int32 and scalar25519-int32 (`arithmeticForThisVm` in
 * arithmetic.ts picks). The board passes none, so it never loads the 12-bit modules.
 */
export interface Arithmetic { field: Field; scalar: ScalarField }

/** The 16-bit limb products would wrap on 32-bit numbers: refuse rather than sign wrongly. */
function checkArithmetic(arith: Arithmetic | undefined): void {
  if (arith === undefined && !numbersAreDoubles()) throw "Ed25519 with 16-bit limbs needs double-precision numbers: pass the 32-bit arithmetic";
}

/** SHA-512(seed) with its first half clamped: the secret scalar's 32 bytes, then the prefix (RFC 8032 5.1.5). */
function expandSeed(seed: string, sha512: Sha512): string {
  if (seed.length !== 32) throw "Ed25519 seed must be 32 bytes";
  const h = sha512(seed);
  const b0 = h.charCodeAt(0);
  const b31 = h.charCodeAt(31) % 128;
  const clamped = String.fromCharCode(b0 - (b0 % 8)) + h.substring(1, 31) + String.fromCharCode(b31 < 64 ? b31 + 64 : b31);
  return clamped + h.substring(32, 64);
}

export interface KeyState {
  sha512: Sha512;
  seed: string;
  /** the secret scalar's 32 bytes */
  a?: string;
  mult?: BaseMult;
  publicKey: string;
  arith?: Arithmetic;
}

/** Starts deriving the 32-byte public key of a 32-byte seed (on `arith` when given). */
export function keyStart(seed: string, sha512: Sha512, arith?: Arithmetic): KeyState {
  checkArithmetic(arith);
  if (seed.length !== 32) throw "Ed25519 seed must be 32 bytes";
  const st: KeyState = { sha512, seed, publicKey: "" };
  if (arith !== undefined) st.arith = arith;
  return st;
}

/** One slice of key derivation; true when `publicKey` is ready. */
export function keyStep(st: KeyState): boolean {
  if (st.a === undefined) {
    st.a = expandSeed(st.seed, st.sha512).substring(0, 32);
    return false;
  }
  if (st.mult === undefined) {
    st.mult = baseMultStart(st.a, st.arith === undefined ? undefined : st.arith.field);
    return false;
  }
  if (!baseMultStep(st.mult, SLICE_UNITS)) return false;
  st.publicKey = st.mult.encoded;
  return true;
}

/**
 * Eight fields, so the table's hash part has eight slots (Lua sizes it to a power of two): this
 * state lives in the board's heap for the whole signature.
 */
export interface SignState {
  sha512: Sha512;
  /** seed ‖ public key, 32 bytes each */
  key: string;
  message: string;
  /** index into the phases listed at signStep; 9 = done */
  phase: number;
  /** the nonce r (empty while r·B runs: the multiplication holds its bytes), then r + k·a; limbs of the arithmetic's size, before and after a reduction modulo L */
  r: number[];
  /** the challenge k, before and after its reduction modulo L */
  k: number[];
  /** the point multiplication r·B: set in phase 3 only (edwards25519.ts) */
  mult?: BaseMult;
  /** R once the point is encoded (followed by the secret scalar's bytes for one slice), then the signature R ‖ S */
  signature: string;
  /** set only when not the 16-bit arithmetic (a ninth field would double the board's table) */
  arith?: Arithmetic;
}

/** Starts signing `message` with the key (seed and its public key, 32 bytes each), on `arith` when given. */
export function signStart(seed: string, publicKey: string, message: string, sha512: Sha512, arith?: Arithmetic): SignState {
  checkArithmetic(arith);
  if (seed.length !== 32) throw "Ed25519 seed must be 32 bytes";
  if (publicKey.length !== 32) throw "Ed25519 public key must be 32 bytes";
  const st: SignState = { sha512, key: seed + publicKey, message, phase: 0, r: [], k: [], mult: undefined, signature: "" };
  if (arith !== undefined) st.arith = arith;
  return st;
}

/**
 * One slice of signing; true when `signature` (64 bytes, R ‖ S) is ready. Phases, each one
 * slice except the multiplication (a hash, a reduction modulo L or the 16 × 16-limb product each
 * cost a few thousand VM instructions, so none runs back to back with another):
 *   0 r = SHA-512(prefix ‖ M)   1 r mod L   2 start r·B   3 r·B and R's encoding (many slices)
 *   4 k = SHA-512(R ‖ A ‖ M)     5 k mod L   6 the secret scalar a   7 r + k·a   8 S = (r + k·a) mod L
 */
export function signStep(st: SignState): boolean {
  const phase = st.phase;
  // scalar25519's functions by name (the firmware drops its export table), or the given arithmetic's
  const sc = st.arith === undefined ? undefined : st.arith.scalar;
  const fromBytes = sc === undefined ? limbsFromBytes : sc.limbsFromBytes;
  const reduce = sc === undefined ? scReduce : sc.scReduce;
  if (phase === 0) st.r = fromBytes(st.sha512(expandSeed(st.key.substring(0, 32), st.sha512).substring(32, 64) + st.message), 0, 64);
  else if (phase === 1) st.r = reduce(st.r);
  else if (phase === 2) {
    // r as bytes in the multiplication, not also as limbs: one copy in the heap meanwhile
    st.mult = baseMultStart((sc === undefined ? bytesFromLimbs : sc.bytesFromLimbs)(st.r), st.arith === undefined ? undefined : st.arith.field);
    st.r = [];
  } else if (phase === 3) {
    if (!baseMultStep(st.mult!, SLICE_UNITS)) return false;
    st.signature = st.mult!.encoded;
    st.r = fromBytes(st.mult!.scalar, 0, 32);
    st.mult = undefined;
  } else if (phase === 4) st.k = fromBytes(st.sha512(st.signature + st.key.substring(32, 64) + st.message), 0, 64);
  else if (phase === 5) st.k = reduce(st.k);
  else if (phase === 6) st.signature = st.signature + expandSeed(st.key.substring(0, 32), st.sha512).substring(0, 32);
  else if (phase === 7) {
    st.r = (sc === undefined ? scMulAddUnreduced : sc.scMulAddUnreduced)(st.r, st.k, fromBytes(st.signature, 32, 32));
    st.signature = st.signature.substring(0, 32);
  } else if (phase === 8) st.signature = st.signature + (sc === undefined ? bytesFromLimbs : sc.bytesFromLimbs)(reduce(st.r));
  else return true;
  st.phase = phase + 1;
  return st.phase === 9;
}

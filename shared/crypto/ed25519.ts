import { type Fe, feAdd, feCopy, feMul, feNew, feSqr, feSub, feToBytes } from "./field25519.ts";
import { bytesFromLimbs, limbsFromBytes, scMulAddUnreduced, scReduce } from "./scalar25519.ts";

/**
 * Ed25519 signing (RFC 8032 5.1) that runs in time slices: `signStep(state)` does a bounded amount
 * of work and returns true when the signature is ready, so the board can sign from a timer between
 * two sample batches. Key generation (`keyStep`) works the same way.
 *
 * SHA-512 is injected (`Sha512`): on the board it is NodeMCU's C `crypto.hash("sha512", s)`; in the
 * vector tests it is the pure `shared/crypto/sha512.ts`. Byte strings are one character per byte.
 *
 * The only long computation is the fixed-base scalar multiplication (r·B, or a·B for the key) and
 * the inversion that maps the point back to affine coordinates. Both run as a tiny register
 * program: each step is one field operation on a register file, and a slice executes steps until
 * it has spent its budget (a field multiplication or squaring counts one unit, an addition or
 * subtraction a tenth), so a slice's length does not depend on the scalar's bits beyond that.
 * Points are in extended twisted Edwards coordinates (X:Y:Z:T), a = −1; doubling is
 * dbl-2008-hwcd (4M + 4S), adding the base point add-2008-hwcd-3 with Z2 = 1 (7M).
 */
/** @noSelf */
export type Sha512 = (this: void, bytes: string) => string;

/**
 * The base point B of RFC 8032 5.1 (x = 151122…62202, y = 4/5) as the addition formula uses it:
 * Y − X, Y + X and 2d·X·Y (d = −121665/121666 mod p), 16-bit limbs, checked against BigInt in
 * ed25519.test.ts. Literals, so starting a multiplication costs no conversion.
 */
export const BASE_Y_MINUS_X = [37182, 55104, 14597, 40208, 48819, 53568, 40709, 64825, 35337, 26767, 33844, 42433, 4711, 39160, 12178, 17661];
export const BASE_Y_PLUS_X = [15237, 62860, 37830, 12220, 3609, 64396, 11718, 53139, 17090, 25661, 18584, 9995, 47717, 13268, 40250, 1999];
export const BASE_2D_XY = [43624, 34682, 4613, 43977, 50334, 52394, 59427, 9945, 22924, 56643, 32203, 23067, 26024, 40716, 31592, 28433];

// Registers: 0–3 the accumulator X, Y, Z, T; 4–6 the base point as Y−X, Y+X, 2d·T; 7 zero;
// 8–14 temporaries; 15 the inversion's input.
const enum Op { MUL = 1, SQR = 2, ADD = 3, SUB = 4 }
const NREGS = 16;

/** P ← 2P: op, destination, a, b (flat, four numbers per step). */
const DOUBLE = [
  Op.SQR, 8, 0, 0, // A = X²
  Op.SQR, 9, 1, 1, // B = Y²
  Op.SQR, 10, 2, 2, Op.ADD, 10, 10, 10, // C = 2Z²
  Op.ADD, 12, 0, 1, Op.SQR, 12, 12, 12, Op.SUB, 12, 12, 8, Op.SUB, 12, 12, 9, // E = (X+Y)² − A − B
  Op.SUB, 13, 9, 8, // G = −A + B
  Op.SUB, 14, 13, 10, // F = G − C
  Op.ADD, 11, 8, 9, Op.SUB, 11, 7, 11, // H = −A − B
  Op.MUL, 0, 12, 14, Op.MUL, 1, 13, 11, Op.MUL, 3, 12, 11, Op.MUL, 2, 14, 13,
];

/** P ← P + B (B affine, stored as Y−X, Y+X, 2d·T). */
const ADD_BASE = [
  Op.SUB, 8, 1, 0, Op.MUL, 8, 8, 4, // A = (Y1−X1)(Y2−X2)
  Op.ADD, 9, 1, 0, Op.MUL, 9, 9, 5, // B = (Y1+X1)(Y2+X2)
  Op.MUL, 10, 3, 6, // C = T1·2d·T2
  Op.ADD, 11, 2, 2, // D = 2·Z1
  Op.SUB, 12, 9, 8, Op.SUB, 13, 11, 10, Op.ADD, 14, 11, 10, Op.ADD, 9, 9, 8, // E, F, G, H
  Op.MUL, 0, 12, 13, Op.MUL, 1, 14, 9, Op.MUL, 3, 12, 9, Op.MUL, 2, 13, 14,
];

/** Work units per slice by default: about four field multiplications (≈ 3,500 VM instructions). */
export const DEFAULT_SLICE_UNITS = 4;

/** A fixed-base scalar multiplication followed by the point's encoding, run in slices. */
interface BaseMult {
  regs: Fe[];
  scalar: number[];
  /** bit being processed (254 … 0), then the inversion's exponent bit (253 … 0), then −1 */
  bit: number;
  /** 0 double, 1 add, 2 inversion square, 3 inversion multiply, 4 affine x and y, 5 encode, 6 done */
  stage: number;
  pc: number;
  /** low bit of the affine x (the encoding's sign bit) */
  xOdd: number;
  encoded: string;
}

function bitOf(limbs: number[], i: number): number {
  const limb = limbs[Math.floor(i / 16)];
  return Math.floor(limb / Math.pow(2, i % 16)) % 2;
}

function baseMultStart(scalar: number[]): BaseMult {
  const regs: Fe[] = [];
  for (let i = 0; i < NREGS; i++) regs[i] = feNew();
  regs[1][0] = 1; // identity (0 : 1 : 1 : 0)
  regs[2][0] = 1;
  feCopy(regs[4], BASE_Y_MINUS_X);
  feCopy(regs[5], BASE_Y_PLUS_X);
  feCopy(regs[6], BASE_2D_XY);
  return { regs, scalar, bit: 254, stage: 0, pc: 0, xOdd: 0, encoded: "" };
}

/** p − 2 = 2^255 − 21: bits 254…5 set, then 01011. */
function inverseExponentBit(i: number): boolean {
  return i >= 5 || i === 3 || i === 1 || i === 0;
}

/** Runs one program step; returns its cost in tenths of a unit (a multiplication is 10). */
function runOp(regs: Fe[], prog: number[], pc: number): number {
  const op = prog[pc];
  const d = regs[prog[pc + 1]];
  const a = regs[prog[pc + 2]];
  const b = regs[prog[pc + 3]];
  if (op === Op.MUL) feMul(d, a, b);
  else if (op === Op.SQR) feSqr(d, a);
  else if (op === Op.ADD) {
    feAdd(d, a, b);
    return 1;
  } else {
    feSub(d, a, b);
    return 1;
  }
  return 10;
}

/**
 * Advances the multiplication by up to `units` work units (it stops when less than one
 * multiplication's worth is left, so a slice never overshoots); true when `encoded` is ready.
 * The encoding (two multiplications and two canonical reductions, ≈ 7,000 VM instructions) takes
 * two slices of its own.
 */
function baseMultStep(m: BaseMult, units: number): boolean {
  const full = units * 10;
  let budget = full;
  const regs = m.regs;
  while (budget >= 10) {
    if (m.stage === 0 || m.stage === 1) {
      const prog = m.stage === 0 ? DOUBLE : ADD_BASE;
      budget = budget - runOp(regs, prog, m.pc);
      m.pc = m.pc + 4;
      if (m.pc >= prog.length) {
        m.pc = 0;
        if (m.stage === 0 && bitOf(m.scalar, m.bit) === 1) m.stage = 1;
        else if (m.bit > 0) {
          m.bit = m.bit - 1;
          m.stage = 0;
        } else {
          // Z^(p−2): start from Z (exponent bit 254), then square (and multiply) per bit
          feCopy(regs[15], regs[2]);
          feCopy(regs[8], regs[2]);
          m.bit = 253;
          m.stage = 2;
        }
      }
    } else if (m.stage === 2 || m.stage === 3) {
      if (m.stage === 2) feSqr(regs[8], regs[8]);
      else feMul(regs[8], regs[8], regs[15]);
      budget = budget - 10;
      if (m.stage === 2 && inverseExponentBit(m.bit)) m.stage = 3;
      else if (m.bit > 0) {
        m.bit = m.bit - 1;
        m.stage = 2;
      } else m.stage = 4;
    } else if (m.stage === 4 || m.stage === 5) {
      if (budget < full) return false;
      if (m.stage === 4) {
        feMul(regs[9], regs[0], regs[8]); // x
        feMul(regs[10], regs[1], regs[8]); // y
        m.xOdd = feToBytes(regs[9]).charCodeAt(0) % 2;
      } else {
        const yb = feToBytes(regs[10]);
        m.encoded = yb.substring(0, 31) + String.fromCharCode(yb.charCodeAt(31) + m.xOdd * 128);
      }
      m.stage = m.stage + 1;
      return m.stage === 6;
    } else return true;
  }
  return m.stage === 6;
}

/** The clamped secret scalar and the prefix from SHA-512(seed) (RFC 8032 5.1.5). */
function expandSeed(seed: string, sha512: Sha512): { a: number[]; prefix: string } {
  if (seed.length !== 32) throw "Ed25519 seed must be 32 bytes";
  const h = sha512(seed);
  const b0 = h.charCodeAt(0);
  const b31 = h.charCodeAt(31) % 128;
  const clamped = String.fromCharCode(b0 - (b0 % 8)) + h.substring(1, 31) + String.fromCharCode(b31 < 64 ? b31 + 64 : b31);
  return { a: limbsFromBytes(clamped, 0, 32), prefix: h.substring(32, 64) };
}

export interface KeyState { sha512: Sha512; seed: string; units: number; a?: number[]; mult?: BaseMult; publicKey: string; }

/** Starts deriving the 32-byte public key of a 32-byte seed. */
export function keyStart(seed: string, sha512: Sha512, units: number = DEFAULT_SLICE_UNITS): KeyState {
  if (seed.length !== 32) throw "Ed25519 seed must be 32 bytes";
  return { sha512, seed, units, publicKey: "" };
}

/** One slice of key derivation; true when `publicKey` is ready. */
export function keyStep(st: KeyState): boolean {
  if (st.a === undefined) {
    st.a = expandSeed(st.seed, st.sha512).a;
    return false;
  }
  if (st.mult === undefined) {
    st.mult = baseMultStart(st.a);
    return false;
  }
  if (!baseMultStep(st.mult, st.units)) return false;
  st.publicKey = st.mult.encoded;
  return true;
}

export interface SignState {
  sha512: Sha512;
  seed: string;
  publicKey: string;
  message: string;
  units: number;
  /** index into the phases listed at signStep; 9 = done */
  phase: number;
  /** r, then k, then S: 32 limbs before their reduction modulo L, 16 after */
  r: number[];
  k: number[];
  a: number[];
  s: number[];
  mult?: BaseMult;
  R: string;
  signature: string;
}

/** Starts signing `message` with the key (seed and its public key, 32 bytes each). */
export function signStart(seed: string, publicKey: string, message: string, sha512: Sha512,
  units: number = DEFAULT_SLICE_UNITS): SignState {
  if (seed.length !== 32) throw "Ed25519 seed must be 32 bytes";
  if (publicKey.length !== 32) throw "Ed25519 public key must be 32 bytes";
  return { sha512, seed, publicKey, message, units, phase: 0, r: [], k: [], a: [], s: [], R: "", signature: "" };
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
  if (phase === 0) st.r = limbsFromBytes(st.sha512(expandSeed(st.seed, st.sha512).prefix + st.message), 0, 64);
  else if (phase === 1) st.r = scReduce(st.r);
  else if (phase === 2) st.mult = baseMultStart(st.r);
  else if (phase === 3) {
    if (!baseMultStep(st.mult!, st.units)) return false;
    st.R = st.mult!.encoded;
    st.mult = undefined;
  } else if (phase === 4) st.k = limbsFromBytes(st.sha512(st.R + st.publicKey + st.message), 0, 64);
  else if (phase === 5) st.k = scReduce(st.k);
  else if (phase === 6) st.a = expandSeed(st.seed, st.sha512).a;
  else if (phase === 7) st.s = scMulAddUnreduced(st.r, st.k, st.a);
  else if (phase === 8) st.signature = st.R + bytesFromLimbs(scReduce(st.s));
  else return true;
  st.phase = phase + 1;
  return st.phase === 9;
}

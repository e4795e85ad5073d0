import { type Fe, type Field, feAdd, feCopy, feLoad, feMul, feNeg, feNew, feSqr, feSub, feToBytes } from "./field25519.ts";

/**
 * The fixed-base scalar multiplication of Ed25519 (r·B, or a·B for a key) and the encoding of the
 * point (RFC 8032 5.1.2), run in slices: the only long computation of a signature. A module of its
 * own so that the board holds only this and the field arithmetic while it runs (≈ 1,100 slices):
 * the rest of the signing (ed25519.ts, scalar25519.ts) leaves the heap meanwhile
 * (firmware/sign-job.ts).
 *
 * A tiny register program: each step is one field operation on a register file, and a slice
 * executes steps until it has spent its budget (a field multiplication or squaring counts one
 * unit, an addition or subtraction a tenth, loading a constant 0.7), so a slice's length does not
 * depend on the scalar's bits beyond that. Points are in extended twisted Edwards coordinates
 * (X:Y:Z:T), a = −1; doubling is dbl-2008-hwcd (4M + 4S), adding the base point add-2008-hwcd-3
 * with Z2 = 1 (7M). No export calls another (TSTL would reach it through the export table).
 */

/**
 * The base point B of RFC 8032 5.1 (x = 151122…62202, y = 4/5) as the addition formula uses it:
 * Y − X, Y + X and 2d·X·Y (d = −121665/121666 mod p), 48 characters each (feLoad's encoding),
 * checked against BigInt in ed25519.test.ts. A string, not three arrays: with LFS a constant
 * string stays in flash, where arrays would be built in the heap for as long as the module is
 * loaded; an addition loads each constant into a register when it needs it.
 */
export const BASE_POINT =
  "94n=M03T59d@;jc=509l5?di8X96R?8@d:G119W9Sh2nB4Cm3^5?F<9?62nl0hI?^<2g6<nC4;26@m4RH2L;;YU3?D9dj0O?:YX8Mj185:_9<BN<bZ>PS2KI5V<=e37g;5XK6FX9l<7]X6lA";

/**
 * The point programs, four characters per step: operation, destination, operands (register
 * digits; an unused operand is 0). M a·b, S a², A a+b, U a−b, N −a, C copy a, L load base point
 * constant a (7 Y−X, 8 Y+X, 9 2d·X·Y). Registers: 0–3 the accumulator X, Y, Z, T; 4 a
 * temporary. Five registers: doubling never reads T, and an addition needs X and Y only for
 * Y − X and Y + X, so those registers serve as temporaries (each register is 16 numbers of heap).
 * The field operations are field25519's, imported by name (the firmware drops its export table:
 * holding it would cost heap), unless the multiplication was started with another `Field`.
 * Multiplications run in place (feMul reads both operands before it writes). Strings, not
 * arrays: with LFS a constant string stays in flash.
 */
const NREGS = 5;

/** P ← 2P (dbl-2008-hwcd, a = −1): A = X², B = Y², C = 2Z², E = (X+Y)² − A − B, G = B − A, F = G − C, H = −A − B. */
const DOUBLE = "A301S333S000S111A401U334U110N040S422A444U414M241M434M110M330C040";

/** P ← P + B (add-2008-hwcd-3, Z2 = 1): A = (Y−X)(Y2−X2), B = (Y+X)(Y2+X2), C = T·2d·T2, D = 2Z, E = B − A, F = D − C, G = D + C, H = B + A. */
const ADD_BASE = "U410A110L070M440L080M110L090M330A222U014A114U423A223M301M004M121M242";

/** Work units per slice: about four field multiplications (≈ 3,500 VM instructions). */
export const SLICE_UNITS = 4;

/** A fixed-base scalar multiplication followed by the point's encoding, run in slices. */
export interface BaseMult {
  regs: Fe[];
  /** the scalar's 32 little-endian bytes */
  scalar: string;
  /** the field arithmetic when not field25519's (field25519-int32 on 32-bit numbers) */
  field: Field | undefined;
  /** bit being processed (254 … 0), then the inversion's exponent bit (253 … 0), then −1 */
  bit: number;
  /** 0 double, 1 add, 2 inversion square, 3 inversion multiply, 4 affine x and y, 5 encode, 6 done */
  stage: number;
  pc: number;
  /** low bit of the affine x (the encoding's sign bit) */
  xOdd: number;
  encoded: string;
}

function bitOf(scalar: string, i: number): number {
  const byte = scalar.charCodeAt(Math.floor(i / 8));
  return Math.floor(byte / Math.pow(2, i % 8)) % 2;
}

/**
 * Starts r·B for the scalar's 32 bytes (bytes, not limbs: the same for either arithmetic), on
 * field25519's arithmetic or the `field` given.
 */
export function baseMultStart(scalar: string, field?: Field): BaseMult {
  const regs: Fe[] = [];
  for (let i = 0; i < NREGS; i++) regs[i] = (field === undefined ? feNew : field.feNew)();
  regs[1][0] = 1; // identity (0 : 1 : 1 : 0)
  regs[2][0] = 1;
  return { regs, scalar, field, bit: 254, stage: 0, pc: 0, xOdd: 0, encoded: "" };
}

/** p − 2 = 2^255 − 21: bits 254…5 set, then 01011. */
function inverseExponentBit(i: number): boolean {
  return i >= 5 || i === 3 || i === 1 || i === 0;
}

/** Runs the program step at `pc`; returns its cost in tenths of a unit (a multiplication is 10). */
function runOp(f: Field | undefined, regs: Fe[], prog: string, pc: number): number {
  const op = prog.charCodeAt(pc);
  const d = regs[prog.charCodeAt(pc + 1) - 48];
  const a = regs[prog.charCodeAt(pc + 2) - 48]; // (nil for L: its operand names a constant)
  if (op === 77) (f === undefined ? feMul : f.feMul)(d, a, regs[prog.charCodeAt(pc + 3) - 48]); // M
  else if (op === 83) (f === undefined ? feSqr : f.feSqr)(d, a); // S
  else {
    if (op === 65) (f === undefined ? feAdd : f.feAdd)(d, a, regs[prog.charCodeAt(pc + 3) - 48]); // A
    else if (op === 85) (f === undefined ? feSub : f.feSub)(d, a, regs[prog.charCodeAt(pc + 3) - 48]); // U
    else if (op === 78) (f === undefined ? feNeg : f.feNeg)(d, a); // N
    else if (op === 67) (f === undefined ? feCopy : f.feCopy)(d, a); // C
    else {
      (f === undefined ? feLoad : f.feLoad)(d, BASE_POINT, (prog.charCodeAt(pc + 2) - 55) * 48); // L
      return 7;
    }
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
export function baseMultStep(m: BaseMult, units: number): boolean {
  const full = units * 10;
  let budget = full;
  const regs = m.regs;
  const f = m.field;
  while (budget >= 10) {
    if (m.stage === 0 || m.stage === 1) {
      const prog = m.stage === 0 ? DOUBLE : ADD_BASE;
      budget = budget - runOp(f, regs, prog, m.pc);
      m.pc = m.pc + 4;
      if (m.pc >= prog.length) {
        m.pc = 0;
        if (m.stage === 0 && bitOf(m.scalar, m.bit) === 1) m.stage = 1;
        else if (m.bit > 0) {
          m.bit = m.bit - 1;
          m.stage = 0;
        } else {
          // Z^(p−2) into register 4: start from Z (exponent bit 254), then square (and multiply) per bit
          (f === undefined ? feCopy : f.feCopy)(regs[4], regs[2]);
          m.bit = 253;
          m.stage = 2;
        }
      }
    } else if (m.stage === 2 || m.stage === 3) {
      if (m.stage === 2) (f === undefined ? feSqr : f.feSqr)(regs[4], regs[4]);
      else (f === undefined ? feMul : f.feMul)(regs[4], regs[4], regs[2]);
      budget = budget - 10;
      if (m.stage === 2 && inverseExponentBit(m.bit)) m.stage = 3;
      else if (m.bit > 0) {
        m.bit = m.bit - 1;
        m.stage = 2;
      } else m.stage = 4;
    } else if (m.stage === 4 || m.stage === 5) {
      if (budget < full) return false;
      if (m.stage === 4) {
        const mul = f === undefined ? feMul : f.feMul;
        mul(regs[3], regs[0], regs[4]); // x
        mul(regs[2], regs[1], regs[4]); // y (Z is not needed after its inverse)
        m.xOdd = (f === undefined ? feToBytes : f.feToBytes)(regs[3]).charCodeAt(0) % 2;
      } else {
        const yb = (f === undefined ? feToBytes : f.feToBytes)(regs[2]);
        m.encoded = yb.substring(0, 31) + String.fromCharCode(yb.charCodeAt(31) + m.xOdd * 128);
      }
      m.stage = m.stage + 1;
      return m.stage === 6;
    } else return true;
  }
  return m.stage === 6;
}

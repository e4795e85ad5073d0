import type { Fe } from "./field25519.ts";
import { bytesFromLimbs12, floorDiv, limbs12FromBytes } from "./limbs12.ts";

/**
 * Arithmetic modulo p = 2^255 − 19 for a Lua with 32-bit numbers (NodeMCU's Lua 5.3 builds):
 * field25519.ts's operations, same names and calling conventions (edwards25519.ts takes either),
 * on 22 limbs of 12 bits. field25519.ts's 16-bit limbs need doubles (products up to 2^46); here
 * every operation returns its result carried (limbs 1…20 in [0, 2^12), limb 21 in [0, 8), limb 0
 * within 19 of [0, 2^12)), so a limb product stays below 2^24.01 and a column of 22 below 2^28.5:
 * exact 32-bit integers. Loops rather than field25519's unrolled products: ESP8266 boards (Lua
 * 5.1, doubles) take the faster 16-bit code; this one is for correctness where they cannot run.
 */
const LIMBS = 22;

/** 2^264 ≡ 2^9 · 19 (mod p): what a limb of weight 2^(12·(22 + j)) folds back as, at limb j. */
const FOLD_264 = 9728;

export function feNew(): Fe {
  const o: Fe = [];
  for (let i = 0; i < LIMBS; i++) o[i] = 0;
  return o;
}

export function feCopy(o: Fe, a: Fe): void {
  for (let i = 0; i < LIMBS; i++) o[i] = a[i];
}

/**
 * Carries limbs 0…21 of `t` (integers, |t[i]| < 2^30) in place, twice, folding bits 255… of limb
 * 21 back into limb 0 as ×19 (2^255 ≡ 19): afterwards the limbs are in feMul's input range.
 */
function reduce(t: Fe): void {
  for (let round = 0; round < 2; round++) {
    let c = 0;
    for (let i = 0; i < LIMBS - 1; i++) {
      const x = t[i] + c;
      c = floorDiv(x, 4096);
      t[i] = x - c * 4096;
    }
    const x = t[LIMBS - 1] + c;
    const top = floorDiv(x, 8);
    t[LIMBS - 1] = x - top * 8;
    t[0] = t[0] + 19 * top;
  }
}

export function feAdd(o: Fe, a: Fe, b: Fe): void {
  for (let i = 0; i < LIMBS; i++) o[i] = a[i] + b[i];
  reduce(o);
}

export function feSub(o: Fe, a: Fe, b: Fe): void {
  for (let i = 0; i < LIMBS; i++) o[i] = a[i] - b[i];
  reduce(o);
}

export function feNeg(o: Fe, a: Fe): void {
  for (let i = 0; i < LIMBS; i++) o[i] = -a[i];
  reduce(o);
}

/** o = a·b (o may be a or b: both are read into the columns before o is written). */
export function feMul(o: Fe, a: Fe, b: Fe): void {
  const col: number[] = [];
  for (let k = 0; k < 2 * LIMBS; k++) col[k] = 0;
  for (let i = 0; i < LIMBS; i++) {
    const ai = a[i];
    for (let j = 0; j < LIMBS; j++) col[i + j] = col[i + j] + ai * b[j];
  }
  // carry all 43 columns first (a column times 9728 would overflow), the last carry into column 43
  let c = 0;
  for (let k = 0; k < 2 * LIMBS - 1; k++) {
    const x = col[k] + c;
    c = floorDiv(x, 4096);
    col[k] = x - c * 4096;
  }
  col[2 * LIMBS - 1] = c;
  for (let j = 0; j < LIMBS; j++) o[j] = col[j] + FOLD_264 * col[LIMBS + j];
  reduce(o);
}

export function feSqr(o: Fe, a: Fe): void {
  feMul(o, a, a);
}

/** p = 2^255 − 19 in 12-bit limbs: 4077, 4095 × 20, 7. */
function pLimb(i: number): number {
  return i === 0 ? 4077 : i === LIMBS - 1 ? 7 : 4095;
}

/** Fully reduced little-endian 32-byte encoding (RFC 8032 5.1.2). */
export function feToBytes(a: Fe): string {
  const t: Fe = [];
  for (let i = 0; i < LIMBS; i++) t[i] = a[i];
  reduce(t);
  // now −19 ≤ value < 2^255 + 19: add p, carry, then subtract p while the result stays ≥ 0
  let c = 0;
  for (let i = 0; i < LIMBS; i++) {
    const x = t[i] + pLimb(i) + c;
    c = floorDiv(x, 4096);
    t[i] = x - c * 4096;
  }
  const m: Fe = [];
  for (let round = 0; round < 2; round++) {
    let borrow = 0;
    for (let i = 0; i < LIMBS; i++) {
      const v = t[i] - pLimb(i) - borrow;
      borrow = v < 0 ? 1 : 0;
      m[i] = v + borrow * 4096;
    }
    if (borrow === 0) for (let i = 0; i < LIMBS; i++) t[i] = m[i];
  }
  return bytesFromLimbs12(t, 32);
}

/** Element from 32 little-endian bytes at `at` (all 256 bits, as field25519's). */
export function feFromBytes(s: string, at: number): Fe {
  const o = limbs12FromBytes(s, at, 32);
  reduce(o);
  return o;
}

/** Loads a constant written in field25519's encoding (16 limbs of 16 bits, 3 characters each). */
export function feLoad(o: Fe, s: string, at: number): void {
  const bytes: string[] = [];
  for (let i = 0; i < 16; i++) {
    const j = at + 3 * i;
    const v = (s.charCodeAt(j) - 48) * 4096 + (s.charCodeAt(j + 1) - 48) * 64 + (s.charCodeAt(j + 2) - 48);
    const lo = v % 256;
    bytes.push(String.fromCharCode(lo, floorDiv(v - lo, 256)));
  }
  feCopy(o, feFromBytes(bytes.join(""), 0));
}

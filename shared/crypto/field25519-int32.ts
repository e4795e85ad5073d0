import type { Fe } from "./field25519.ts";
import { bytesFromLimbs12, floorDiv, limbs12FromBytes } from "./limbs12.ts";

/**
 * Arithmetic modulo p = 2^255 − 19 for a Lua with 32-bit numbers (NodeMCU's Lua 5.3 builds):
 * field25519.ts's operations, same names and calling conventions (edwards25519.ts takes either),
 * on 22 limbs of 12 bits. field25519.ts's 16-bit limbs need doubles (products up to 2^46).
 *
 * Every operation returns its result carried and non-negative: limbs 1…20 in [0, 2^12), limb 21
 * in [0, 8), limb 0 in [0, 2^12 + 200). So a limb product stays below 2^24.2 and a column of 22
 * below 2^28.6: exact 32-bit integers. A carry takes `x % 4096` of a non-negative x (JavaScript
 * and Lua agree) and divides the exact multiple x − r: a quotient below 2^24, which Lua 5.3's
 * single float holds exactly, made an integer again by Math.floor. A difference adds 8p first,
 * so nothing is ever negative. Loops rather than field25519's unrolled products: ESP8266 boards
 * (Lua 5.1, doubles) take the faster 16-bit code.
 */
const LIMBS = 22;

/** 2^264 ≡ 2^9 · 19 (mod p): what a limb of weight 2^(12·(22 + j)) folds back as, at limb j. */
const FOLD_264 = 9728;

/** Scratch for a product's 44 carried columns (this module never runs on the ESP8266's heap). */
const COL: number[] = [];

export function feNew(): Fe {
  const o: Fe = [];
  for (let i = 0; i < LIMBS; i++) o[i] = 0;
  return o;
}

export function feCopy(o: Fe, a: Fe): void {
  for (let i = 0; i < LIMBS; i++) o[i] = a[i];
}

/**
 * `rounds` carry passes over limbs 0…21 of `t` (non-negative, below 2^26), folding bits 255… of
 * limb 21 back into limb 0 as ×19 (2^255 ≡ 19). One pass suffices after a sum or a difference,
 * two after a product's fold.
 */
function carry(t: Fe, rounds: number): void {
  for (let round = 0; round < rounds; round++) {
    let c = 0;
    for (let i = 0; i < LIMBS - 1; i++) {
      const x = t[i] + c;
      const r = x % 4096;
      c = Math.floor((x - r) / 4096);
      t[i] = r;
    }
    const x = t[LIMBS - 1] + c;
    const r = x % 8;
    t[LIMBS - 1] = r;
    t[0] = t[0] + 19 * Math.floor((x - r) / 8);
  }
}

/** 8p as limbs each at least as large as an operand's (8190 = 2·4096 − 2 borrowed up the chain). */
function eightPLimb(i: number): number {
  return i === 0 ? 8040 : i === LIMBS - 1 ? 62 : 8190;
}

export function feAdd(o: Fe, a: Fe, b: Fe): void {
  for (let i = 0; i < LIMBS; i++) o[i] = a[i] + b[i];
  carry(o, 1);
}

export function feSub(o: Fe, a: Fe, b: Fe): void {
  for (let i = 0; i < LIMBS; i++) o[i] = a[i] - b[i] + eightPLimb(i);
  carry(o, 1);
}

export function feNeg(o: Fe, a: Fe): void {
  for (let i = 0; i < LIMBS; i++) o[i] = eightPLimb(i) - a[i];
  carry(o, 1);
}

/** Column k of a product (carry c in), carried into COL[k]; returns the carry out. */
function putColumn(k: number, s: number): number {
  const r = s % 4096;
  COL[k] = r;
  return Math.floor((s - r) / 4096);
}

/** o = COL folded (limb 22 + j weighs 9728 at limb j) and carried. */
function foldColumns(o: Fe): void {
  for (let j = 0; j < LIMBS; j++) o[j] = COL[j] + FOLD_264 * COL[LIMBS + j];
  carry(o, 2);
}

/** o = a·b (o may be a or b: both are read into the columns before o is written). */
export function feMul(o: Fe, a: Fe, b: Fe): void {
  let c = 0;
  for (let k = 0; k < 2 * LIMBS - 1; k++) {
    let s = c;
    const hi = k < LIMBS ? k : LIMBS - 1;
    for (let i = k - hi; i <= hi; i++) s = s + a[i] * b[k - i];
    c = putColumn(k, s);
  }
  COL[2 * LIMBS - 1] = c;
  foldColumns(o);
}

/** o = a² with each cross product computed once (about half feMul's products). */
export function feSqr(o: Fe, a: Fe): void {
  let c = 0;
  for (let k = 0; k < 2 * LIMBS - 1; k++) {
    let s = 0;
    let i = k < LIMBS ? 0 : k - LIMBS + 1;
    while (2 * i < k) {
      s = s + a[i] * a[k - i];
      i = i + 1;
    }
    s = 2 * s + c;
    if (2 * i === k) s = s + a[i] * a[i];
    c = putColumn(k, s);
  }
  COL[2 * LIMBS - 1] = c;
  foldColumns(o);
}

/** p = 2^255 − 19 in 12-bit limbs: 4077, 4095 × 20, 7. */
function pLimb(i: number): number {
  return i === 0 ? 4077 : i === LIMBS - 1 ? 7 : 4095;
}

/** Fully reduced little-endian 32-byte encoding (RFC 8032 5.1.2). */
export function feToBytes(a: Fe): string {
  const t: Fe = [];
  for (let i = 0; i < LIMBS; i++) t[i] = a[i];
  // one plain pass: limbs 0…20 into [0, 2^12), the value (0 ≤ value < 2^255 + 2^13 < 2p) unchanged
  let c = 0;
  for (let i = 0; i < LIMBS - 1; i++) {
    const x = t[i] + c;
    const r = x % 4096;
    c = Math.floor((x - r) / 4096);
    t[i] = r;
  }
  t[LIMBS - 1] = t[LIMBS - 1] + c;
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
  carry(o, 1);
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

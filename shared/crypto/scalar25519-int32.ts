import { bytesFromLimbs12, floorDiv, limbs12FromBytes } from "./limbs12.ts";

/**
 * Scalars modulo the group order L = 2^252 + δ for a Lua with 32-bit numbers: scalar25519.ts's
 * operations, same names (ed25519.ts takes either), on 12-bit limbs (limbs12.ts). 2^252 is the
 * weight of limb 21, so a limb v at limb i ≥ 21 is replaced by −v·δ at limb i − 21 (2^252 ≡ −δ);
 * δ (125 bits) is 11 limbs, every product below 2^25, every value an exact 32-bit integer.
 */
const LOW = 21;

/** δ = L − 2^252 in 12-bit limbs, least significant first. */
const DELTA = [1005, 3933, 2652, 1585, 2066, 3429, 1948, 2607, 2526, 3567, 20];

/** x[at..at+10] −= v·δ with floored carries, the last carry added at x[at+11]. */
function subDelta(x: number[], at: number, v: number): void {
  let c = 0;
  for (let j = 0; j < DELTA.length; j++) {
    const t = x[at + j] - v * DELTA[j] + c;
    c = floorDiv(t, 4096);
    x[at + j] = t - c * 4096;
  }
  x[at + DELTA.length] = x[at + DELTA.length] + c;
}

/** Carries x[0..20] into [0, 2^12); returns the carry out (weight 2^252, may be negative). */
function carryLow(x: number[]): number {
  let c = 0;
  for (let i = 0; i < LOW; i++) {
    const t = x[i] + c;
    c = floorDiv(t, 4096);
    x[i] = t - c * 4096;
  }
  return c;
}

/**
 * x mod L for limbs in [0, 2^12) (any count up to 44; x is scratch). Returns 22 limbs in
 * [0, 2^12), value in [0, L).
 */
export function scReduce(x: number[]): number[] {
  for (let i = x.length; i < 44; i++) x[i] = 0;
  for (let i = x.length - 1; i >= LOW; i--) {
    const v = x[i];
    x[i] = 0;
    subDelta(x, i - LOW, v);
  }
  // lo + c·2^252 ≡ lo − c·δ; when c = −1 adding L (= 2^252 + δ) leaves lo + δ, in [0, L)
  let c = carryLow(x);
  while (c !== 0) {
    if (c > 0) {
      subDelta(x, 0, c);
      c = carryLow(x);
    } else {
      for (let j = 0; j < DELTA.length; j++) x[j] = x[j] + DELTA[j];
      c = c + 1 + carryLow(x);
      if (c === 1) break;
    }
  }
  const out: number[] = [];
  for (let i = 0; i < LOW; i++) out[i] = x[i];
  out[LOW] = c;
  return out;
}

/** r + k·a as 44 carried limbs, for scReduce (r and k reduced, a 32 bytes' limbs). */
export function scMulAddUnreduced(r: number[], k: number[], a: number[]): number[] {
  const x: number[] = [];
  for (let i = 0; i < 44; i++) x[i] = i < r.length ? r[i] : 0;
  for (let i = 0; i < k.length; i++) {
    const ki = k[i];
    for (let j = 0; j < a.length; j++) x[i + j] = x[i + j] + ki * a[j];
  }
  let c = 0;
  for (let i = 0; i < 44; i++) {
    const t = x[i] + c;
    c = floorDiv(t, 4096);
    x[i] = t - c * 4096;
  }
  return x;
}

/** 12-bit limbs of a little-endian byte string. */
export function limbsFromBytes(s: string, at: number, bytes: number): number[] {
  return limbs12FromBytes(s, at, bytes);
}

/** 32-byte little-endian encoding of a reduced scalar. */
export function bytesFromLimbs(x: number[]): string {
  return bytesFromLimbs12(x, 32);
}

/**
 * Scalars modulo the group order L = 2^252 + δ (δ = 27742317777372353535851937790883648493) for
 * Ed25519 signing, in 16-bit limbs, least significant first; plain numbers, no bitwise operators.
 *
 * Reduction: a limb v at weight 2^(16i), i ≥ 16, equals v·16·2^(16(i−16))·2^252, and
 * 2^252 ≡ −δ (mod L), so it is replaced by −16·v·δ eight limbs lower, carrying as it goes (the
 * carried values stay below 2^42). What remains above bit 252 is folded the same way (limb 15 holds bits 240…255, so bits 252… are limb 15 / 4096), and one
 * final comparison brings the result into [0, L).
 */

/**
 * The scalar operations ed25519.ts signs with: this module's (16-bit limbs, doubles) or
 * scalar25519-int32.ts's (12-bit limbs, 32-bit numbers), same names and contracts.
 */
/** @noSelf */
export interface ScalarField {
  scReduce(x: number[]): number[];
  scMulAddUnreduced(r: number[], k: number[], a: number[]): number[];
  limbsFromBytes(s: string, at: number, bytes: number): number[];
  bytesFromLimbs(x: number[]): string;
}

/**
 * L in 16-bit limbs (0xd3ed 0x5cf5 0x631a 0x5812 0x9cd6 0xa2f7 0xf9de 0x14de, seven zeros, 0x1000),
 * each as three characters of 6 bits (code − 48), as field25519's feLoad reads constants: a string
 * stays in flash with LFS, an array would be heap while the signer runs.
 */
const L_DIGITS = "=?]5ce6<J5PB9cF:;g?WN1CN000000000000000000000100";

function lLimb(i: number): number {
  const j = 3 * i;
  return (L_DIGITS.charCodeAt(j) - 48) * 4096 + (L_DIGITS.charCodeAt(j + 1) - 48) * 64 + (L_DIGITS.charCodeAt(j + 2) - 48);
}

/**
 * x[at..at+7] −= v·δ with carries, the last carry added at x[at+8]. Written out (δ's limbs as
 * literals): it runs 16 to 20 times per reduction, and the loop form cost twice the instructions.
 */
function subDelta(x: number[], at: number, v: number): void {
  let t = x[at] - v * 0xd3ed;
  let c = Math.floor(t / 65536);
  x[at] = t - c * 65536;
  t = x[at + 1] - v * 0x5cf5 + c; c = Math.floor(t / 65536); x[at + 1] = t - c * 65536;
  t = x[at + 2] - v * 0x631a + c; c = Math.floor(t / 65536); x[at + 2] = t - c * 65536;
  t = x[at + 3] - v * 0x5812 + c; c = Math.floor(t / 65536); x[at + 3] = t - c * 65536;
  t = x[at + 4] - v * 0x9cd6 + c; c = Math.floor(t / 65536); x[at + 4] = t - c * 65536;
  t = x[at + 5] - v * 0xa2f7 + c; c = Math.floor(t / 65536); x[at + 5] = t - c * 65536;
  t = x[at + 6] - v * 0xf9de + c; c = Math.floor(t / 65536); x[at + 6] = t - c * 65536;
  t = x[at + 7] - v * 0x14de + c; c = Math.floor(t / 65536); x[at + 7] = t - c * 65536;
  x[at + 8] = x[at + 8] + c;
}

/** Carries x[0..15] into [0, 2^16); returns the carry out (weight 2^256, may be negative). */
function normalize(x: number[]): number {
  let c = 0;
  for (let i = 0; i < 16; i++) {
    const t = x[i] + c;
    c = Math.floor(t / 65536);
    x[i] = t - c * 65536;
  }
  return c;
}

/** Compares 16 normalized limbs with L: true when x ≥ L. */
function atLeastL(x: number[]): boolean {
  for (let i = 15; i >= 0; i--) {
    const l = lLimb(i);
    if (x[i] !== l) return x[i] > l;
  }
  return true;
}

/**
 * x mod L for a little-endian limb array of any length up to 32 (each limb below 2^40 in
 * magnitude); x is used as scratch. Returns 16 limbs in [0, 2^16), value in [0, L).
 */
export function scReduce(x: number[]): number[] {
  for (let i = x.length; i < 32; i++) x[i] = 0;
  for (let i = 31; i >= 16; i--) {
    const v = x[i];
    x[i] = 0;
    subDelta(x, i - 16, 16 * v);
  }
  // at most a small multiple of 2^256 is left as the carry out; fold it, then bits 252…255
  for (let round = 0; round < 3; round++) {
    const c = normalize(x);
    if (c !== 0) {
      x[16] = 0;
      subDelta(x, 0, 16 * c);
    }
    const top = Math.floor(x[15] / 4096);
    x[15] = x[15] - top * 4096;
    if (top !== 0) subDelta(x, 0, top);
  }
  // now −L < x < 2^252 + small: one correction either way
  let c = normalize(x);
  while (c < 0) {
    for (let i = 0; i < 16; i++) x[i] = x[i] + lLimb(i);
    c = c + normalize(x);
  }
  while (atLeastL(x)) {
    for (let i = 0; i < 16; i++) x[i] = x[i] - lLimb(i);
    normalize(x);
  }
  const out: number[] = [];
  for (let i = 0; i < 16; i++) out[i] = x[i];
  return out;
}

/**
 * r + k·a as 32 carried limbs, for scReduce (a separate step: the board runs them in two slices;
 * no export calls another, so this module's export table is garbage once the signer drops it).
 */
export function scMulAddUnreduced(r: number[], k: number[], a: number[]): number[] {
  const x: number[] = [];
  for (let i = 0; i < 32; i++) x[i] = i < 16 ? r[i] : 0;
  for (let i = 0; i < 16; i++) {
    const ki = k[i];
    for (let j = 0; j < 16; j++) x[i + j] = x[i + j] + ki * a[j];
  }
  // columns reach 16·2^32: carry once so every limb is below 2^17 before reducing
  let c = 0;
  for (let i = 0; i < 32; i++) {
    const t = x[i] + c;
    c = Math.floor(t / 65536);
    x[i] = t - c * 65536;
  }
  return x;
}

/** Limbs of a little-endian byte string (2 bytes per limb). */
export function limbsFromBytes(s: string, at: number, bytes: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes / 2; i++) out[i] = s.charCodeAt(at + 2 * i) + 256 * s.charCodeAt(at + 2 * i + 1);
  return out;
}

/** 32-byte little-endian encoding of 16 normalized limbs. */
export function bytesFromLimbs(x: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < 16; i++) {
    const lo = x[i] % 256;
    out.push(String.fromCharCode(lo, (x[i] - lo) / 256));
  }
  return out.join("");
}

/**
 * Arithmetic modulo p = 2^255 − 19 for Ed25519, in plain Lua-5.1-safe numbers.
 *
 * An element is 16 limbs of 16 bits, least significant first (value = Σ limb[i]·2^(16i)). Limbs
 * may be slightly out of range or negative between operations (an add or subtract does not
 * carry); every product of two limbs stays below 2^36 and a column of the schoolbook product,
 * with the high half folded back as ×38 (2^256 ≡ 38 mod p), below 2^46: inside a double's 53
 * exact bits, and inside Lua 5.3's integers. No bitwise operators, no 64-bit integers.
 *
 * Exported functions never call one another: TSTL would reach them through the module's export
 * table, which then stays in the heap (16 hash slots) after the signer drops the module.
 *
 * The multiplication is written out limb by limb (product scanning, limbs in locals): on the board
 * each Lua VM instruction costs about a microsecond, and the unrolled form takes roughly a third
 * of the instructions of a loop with table accesses.
 */
export type Fe = number[];

/**
 * The field operations edwards25519.ts runs its point programs on: this module's (16-bit limbs,
 * doubles) or field25519-int32.ts's (12-bit limbs, 32-bit numbers), same names and contracts.
 */
/** @noSelf */
export interface Field {
  feNew(): Fe;
  feCopy(o: Fe, a: Fe): void;
  feAdd(o: Fe, a: Fe, b: Fe): void;
  feSub(o: Fe, a: Fe, b: Fe): void;
  feNeg(o: Fe, a: Fe): void;
  feMul(o: Fe, a: Fe, b: Fe): void;
  feSqr(o: Fe, a: Fe): void;
  feToBytes(a: Fe): string;
  feLoad(o: Fe, s: string, at: number): void;
  feFromBytes(s: string, at: number): Fe;
}

/**
 * True when this runtime's numbers hold integers up to 2^53 exactly (IEEE doubles: JavaScript,
 * NodeMCU's ESP8266 Lua 5.1); false on a Lua with 32-bit integers and single floats (NodeMCU's
 * Lua 5.3 builds), where the limb products would silently wrap. Computed, not a literal.
 */
export function numbersAreDoubles(): boolean {
  const big = 65535 * 65535 * 4096;
  return big > 0 && big + 1 - big === 1;
}


export function feNew(): Fe {
  return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
}

export function feCopy(o: Fe, a: Fe): void {
  for (let i = 0; i < 16; i++) o[i] = a[i];
}

export function feAdd(o: Fe, a: Fe, b: Fe): void {
  for (let i = 0; i < 16; i++) o[i] = a[i] + b[i];
}

export function feSub(o: Fe, a: Fe, b: Fe): void {
  for (let i = 0; i < 16; i++) o[i] = a[i] - b[i];
}

export function feNeg(o: Fe, a: Fe): void {
  for (let i = 0; i < 16; i++) o[i] = -a[i];
}

/**
 * Two carry passes over the 16 columns in `o`, in place (floor division: correct for negative
 * columns too); the carry out of the top limb (weight 2^256) comes back into limb 0 as ×38.
 * Afterwards every limb is in [0, 2^16) except limb 0, which may exceed it by a few dozen.
 * The products write their columns into `o` and call this, rather than pass 16 locals: that
 * took 35 fewer slots of Lua stack at the deepest point of a signature (a Lua stack that grows stays grown, in the heap).
 */
function carry(o: Fe): void {
  let t0 = o[0], t1 = o[1], t2 = o[2], t3 = o[3], t4 = o[4], t5 = o[5], t6 = o[6], t7 = o[7];
  let t8 = o[8], t9 = o[9], t10 = o[10], t11 = o[11], t12 = o[12], t13 = o[13], t14 = o[14], t15 = o[15];
  for (let pass = 0; pass < 2; pass++) {
    let c = Math.floor(t0 / 65536); t0 = t0 - c * 65536; t1 = t1 + c;
    c = Math.floor(t1 / 65536); t1 = t1 - c * 65536; t2 = t2 + c;
    c = Math.floor(t2 / 65536); t2 = t2 - c * 65536; t3 = t3 + c;
    c = Math.floor(t3 / 65536); t3 = t3 - c * 65536; t4 = t4 + c;
    c = Math.floor(t4 / 65536); t4 = t4 - c * 65536; t5 = t5 + c;
    c = Math.floor(t5 / 65536); t5 = t5 - c * 65536; t6 = t6 + c;
    c = Math.floor(t6 / 65536); t6 = t6 - c * 65536; t7 = t7 + c;
    c = Math.floor(t7 / 65536); t7 = t7 - c * 65536; t8 = t8 + c;
    c = Math.floor(t8 / 65536); t8 = t8 - c * 65536; t9 = t9 + c;
    c = Math.floor(t9 / 65536); t9 = t9 - c * 65536; t10 = t10 + c;
    c = Math.floor(t10 / 65536); t10 = t10 - c * 65536; t11 = t11 + c;
    c = Math.floor(t11 / 65536); t11 = t11 - c * 65536; t12 = t12 + c;
    c = Math.floor(t12 / 65536); t12 = t12 - c * 65536; t13 = t13 + c;
    c = Math.floor(t13 / 65536); t13 = t13 - c * 65536; t14 = t14 + c;
    c = Math.floor(t14 / 65536); t14 = t14 - c * 65536; t15 = t15 + c;
    c = Math.floor(t15 / 65536); t15 = t15 - c * 65536; t0 = t0 + 38 * c;
  }
  o[0] = t0; o[1] = t1; o[2] = t2; o[3] = t3; o[4] = t4; o[5] = t5; o[6] = t6; o[7] = t7;
  o[8] = t8; o[9] = t9; o[10] = t10; o[11] = t11; o[12] = t12; o[13] = t13; o[14] = t14; o[15] = t15;
}

export function feMul(o: Fe, a: Fe, b: Fe): void {
  const a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], a4 = a[4], a5 = a[5], a6 = a[6], a7 = a[7];
  const a8 = a[8], a9 = a[9], a10 = a[10], a11 = a[11], a12 = a[12], a13 = a[13], a14 = a[14], a15 = a[15];
  const b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3], b4 = b[4], b5 = b[5], b6 = b[6], b7 = b[7];
  const b8 = b[8], b9 = b[9], b10 = b[10], b11 = b[11], b12 = b[12], b13 = b[13], b14 = b[14], b15 = b[15];
  o[0] = a0 * b0 +
    38 * (a1 * b15 + a2 * b14 + a3 * b13 + a4 * b12 + a5 * b11 + a6 * b10 + a7 * b9 + a8 * b8 + a9 * b7 + a10 * b6 + a11 * b5 + a12 * b4 + a13 * b3 + a14 * b2 + a15 * b1);
  o[1] = a0 * b1 + a1 * b0 +
    38 * (a2 * b15 + a3 * b14 + a4 * b13 + a5 * b12 + a6 * b11 + a7 * b10 + a8 * b9 + a9 * b8 + a10 * b7 + a11 * b6 + a12 * b5 + a13 * b4 + a14 * b3 + a15 * b2);
  o[2] = a0 * b2 + a1 * b1 + a2 * b0 +
    38 * (a3 * b15 + a4 * b14 + a5 * b13 + a6 * b12 + a7 * b11 + a8 * b10 + a9 * b9 + a10 * b8 + a11 * b7 + a12 * b6 + a13 * b5 + a14 * b4 + a15 * b3);
  o[3] = a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0 +
    38 * (a4 * b15 + a5 * b14 + a6 * b13 + a7 * b12 + a8 * b11 + a9 * b10 + a10 * b9 + a11 * b8 + a12 * b7 + a13 * b6 + a14 * b5 + a15 * b4);
  o[4] = a0 * b4 + a1 * b3 + a2 * b2 + a3 * b1 + a4 * b0 +
    38 * (a5 * b15 + a6 * b14 + a7 * b13 + a8 * b12 + a9 * b11 + a10 * b10 + a11 * b9 + a12 * b8 + a13 * b7 + a14 * b6 + a15 * b5);
  o[5] = a0 * b5 + a1 * b4 + a2 * b3 + a3 * b2 + a4 * b1 + a5 * b0 +
    38 * (a6 * b15 + a7 * b14 + a8 * b13 + a9 * b12 + a10 * b11 + a11 * b10 + a12 * b9 + a13 * b8 + a14 * b7 + a15 * b6);
  o[6] = a0 * b6 + a1 * b5 + a2 * b4 + a3 * b3 + a4 * b2 + a5 * b1 + a6 * b0 +
    38 * (a7 * b15 + a8 * b14 + a9 * b13 + a10 * b12 + a11 * b11 + a12 * b10 + a13 * b9 + a14 * b8 + a15 * b7);
  o[7] = a0 * b7 + a1 * b6 + a2 * b5 + a3 * b4 + a4 * b3 + a5 * b2 + a6 * b1 + a7 * b0 +
    38 * (a8 * b15 + a9 * b14 + a10 * b13 + a11 * b12 + a12 * b11 + a13 * b10 + a14 * b9 + a15 * b8);
  o[8] = a0 * b8 + a1 * b7 + a2 * b6 + a3 * b5 + a4 * b4 + a5 * b3 + a6 * b2 + a7 * b1 + a8 * b0 +
    38 * (a9 * b15 + a10 * b14 + a11 * b13 + a12 * b12 + a13 * b11 + a14 * b10 + a15 * b9);
  o[9] = a0 * b9 + a1 * b8 + a2 * b7 + a3 * b6 + a4 * b5 + a5 * b4 + a6 * b3 + a7 * b2 + a8 * b1 + a9 * b0 +
    38 * (a10 * b15 + a11 * b14 + a12 * b13 + a13 * b12 + a14 * b11 + a15 * b10);
  o[10] = a0 * b10 + a1 * b9 + a2 * b8 + a3 * b7 + a4 * b6 + a5 * b5 + a6 * b4 + a7 * b3 + a8 * b2 + a9 * b1 + a10 * b0 +
    38 * (a11 * b15 + a12 * b14 + a13 * b13 + a14 * b12 + a15 * b11);
  o[11] = a0 * b11 + a1 * b10 + a2 * b9 + a3 * b8 + a4 * b7 + a5 * b6 + a6 * b5 + a7 * b4 + a8 * b3 + a9 * b2 + a10 * b1 + a11 * b0 +
    38 * (a12 * b15 + a13 * b14 + a14 * b13 + a15 * b12);
  o[12] = a0 * b12 + a1 * b11 + a2 * b10 + a3 * b9 + a4 * b8 + a5 * b7 + a6 * b6 + a7 * b5 + a8 * b4 + a9 * b3 + a10 * b2 + a11 * b1 + a12 * b0 +
    38 * (a13 * b15 + a14 * b14 + a15 * b13);
  o[13] = a0 * b13 + a1 * b12 + a2 * b11 + a3 * b10 + a4 * b9 + a5 * b8 + a6 * b7 + a7 * b6 + a8 * b5 + a9 * b4 + a10 * b3 + a11 * b2 + a12 * b1 + a13 * b0 +
    38 * (a14 * b15 + a15 * b14);
  o[14] = a0 * b14 + a1 * b13 + a2 * b12 + a3 * b11 + a4 * b10 + a5 * b9 + a6 * b8 + a7 * b7 + a8 * b6 + a9 * b5 + a10 * b4 + a11 * b3 + a12 * b2 + a13 * b1 + a14 * b0 +
    38 * (a15 * b15);
  o[15] = a0 * b15 + a1 * b14 + a2 * b13 + a3 * b12 + a4 * b11 + a5 * b10 + a6 * b9 + a7 * b8 + a8 * b7 + a9 * b6 + a10 * b5 + a11 * b4 + a12 * b3 + a13 * b2 + a14 * b1 + a15 * b0;
  carry(o);
}

export function feSqr(o: Fe, a: Fe): void {
  const a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], a4 = a[4], a5 = a[5], a6 = a[6], a7 = a[7];
  const a8 = a[8], a9 = a[9], a10 = a[10], a11 = a[11], a12 = a[12], a13 = a[13], a14 = a[14], a15 = a[15];
  o[0] = a0 * a0 +
    38 * (2 * (a1 * a15 + a2 * a14 + a3 * a13 + a4 * a12 + a5 * a11 + a6 * a10 + a7 * a9) + a8 * a8);
  o[1] = 2 * (a0 * a1) +
    38 * (2 * (a2 * a15 + a3 * a14 + a4 * a13 + a5 * a12 + a6 * a11 + a7 * a10 + a8 * a9));
  o[2] = 2 * (a0 * a2) + a1 * a1 +
    38 * (2 * (a3 * a15 + a4 * a14 + a5 * a13 + a6 * a12 + a7 * a11 + a8 * a10) + a9 * a9);
  o[3] = 2 * (a0 * a3 + a1 * a2) +
    38 * (2 * (a4 * a15 + a5 * a14 + a6 * a13 + a7 * a12 + a8 * a11 + a9 * a10));
  o[4] = 2 * (a0 * a4 + a1 * a3) + a2 * a2 +
    38 * (2 * (a5 * a15 + a6 * a14 + a7 * a13 + a8 * a12 + a9 * a11) + a10 * a10);
  o[5] = 2 * (a0 * a5 + a1 * a4 + a2 * a3) +
    38 * (2 * (a6 * a15 + a7 * a14 + a8 * a13 + a9 * a12 + a10 * a11));
  o[6] = 2 * (a0 * a6 + a1 * a5 + a2 * a4) + a3 * a3 +
    38 * (2 * (a7 * a15 + a8 * a14 + a9 * a13 + a10 * a12) + a11 * a11);
  o[7] = 2 * (a0 * a7 + a1 * a6 + a2 * a5 + a3 * a4) +
    38 * (2 * (a8 * a15 + a9 * a14 + a10 * a13 + a11 * a12));
  o[8] = 2 * (a0 * a8 + a1 * a7 + a2 * a6 + a3 * a5) + a4 * a4 +
    38 * (2 * (a9 * a15 + a10 * a14 + a11 * a13) + a12 * a12);
  o[9] = 2 * (a0 * a9 + a1 * a8 + a2 * a7 + a3 * a6 + a4 * a5) +
    38 * (2 * (a10 * a15 + a11 * a14 + a12 * a13));
  o[10] = 2 * (a0 * a10 + a1 * a9 + a2 * a8 + a3 * a7 + a4 * a6) + a5 * a5 +
    38 * (2 * (a11 * a15 + a12 * a14) + a13 * a13);
  o[11] = 2 * (a0 * a11 + a1 * a10 + a2 * a9 + a3 * a8 + a4 * a7 + a5 * a6) +
    38 * (2 * (a12 * a15 + a13 * a14));
  o[12] = 2 * (a0 * a12 + a1 * a11 + a2 * a10 + a3 * a9 + a4 * a8 + a5 * a7) + a6 * a6 +
    38 * (2 * (a13 * a15) + a14 * a14);
  o[13] = 2 * (a0 * a13 + a1 * a12 + a2 * a11 + a3 * a10 + a4 * a9 + a5 * a8 + a6 * a7) +
    38 * (2 * (a14 * a15));
  o[14] = 2 * (a0 * a14 + a1 * a13 + a2 * a12 + a3 * a11 + a4 * a10 + a5 * a9 + a6 * a8) + a7 * a7 +
    38 * (a15 * a15);
  o[15] = 2 * (a0 * a15 + a1 * a14 + a2 * a13 + a3 * a12 + a4 * a11 + a5 * a10 + a6 * a9 + a7 * a8);
  carry(o);
}

/** Fully reduced little-endian 32-byte encoding (RFC 8032 5.1.2). */
export function feToBytes(a: Fe): string {
  const t: Fe = [];
  for (let i = 0; i < 16; i++) t[i] = a[i];
  // carry twice, then subtract p twice when it fits: the result is in [0, p)
  carry(t);
  // limb 0 may still exceed 2^16 (the ×38 fold): one plain pass, which cannot overflow limb 15
  for (let i = 0; i < 15; i++) {
    const c = Math.floor(t[i] / 65536);
    t[i] = t[i] - c * 65536;
    t[i + 1] = t[i + 1] + c;
  }
  const m: Fe = [];
  for (let round = 0; round < 2; round++) {
    let borrow = 0;
    for (let i = 0; i < 16; i++) {
      // p = 2^255 − 19: limbs 65517, 65535 × 14, 32767 (no table: it would live in the heap)
      const v = t[i] - (i === 0 ? 65517 : i === 15 ? 32767 : 65535) - borrow;
      borrow = v < 0 ? 1 : 0;
      m[i] = v + borrow * 65536;
    }
    if (borrow === 0) for (let i = 0; i < 16; i++) t[i] = m[i];
  }
  const out: string[] = [];
  for (let i = 0; i < 16; i++) {
    const lo = t[i] % 256;
    out.push(String.fromCharCode(lo, (t[i] - lo) / 256));
  }
  return out.join("");
}

/**
 * Loads a constant element into `o` from 48 characters of `s` at `at`: each limb as three digits of
 * 6 bits, most significant first, each digit the character code − 48 ("0" … "o", no escapes).
 * Constants kept this way are strings, which LFS keeps in flash; a limb array would be heap.
 */
export function feLoad(o: Fe, s: string, at: number): void {
  for (let i = 0; i < 16; i++) {
    const j = at + 3 * i;
    o[i] = (s.charCodeAt(j) - 48) * 4096 + (s.charCodeAt(j + 1) - 48) * 64 + (s.charCodeAt(j + 2) - 48);
  }
}

/** Element from 32 little-endian bytes at `at` (all 256 bits; the caller masks the sign bit). */
export function feFromBytes(s: string, at: number): Fe {
  const o: Fe = [];
  for (let i = 0; i < 16; i++) o[i] = s.charCodeAt(at + 2 * i) + 256 * s.charCodeAt(at + 2 * i + 1);
  return o;
}

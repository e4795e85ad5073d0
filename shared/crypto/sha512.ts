/**
 * SHA-512 (FIPS 180-4) in plain arithmetic: 64-bit words as four 16-bit limbs (least significant
 * first), XOR/AND through a 16 × 16 nibble table, shifts as division and multiplication by powers
 * of two. No bitwise operators, so it runs in Lua 5.1 without the `bit` module.
 *
 * It is slow (hundreds of thousands of VM instructions per block) and is NOT what the board uses:
 * NodeMCU's C `crypto.hash("sha512", s)` is. It exists so the Ed25519 code can be checked against
 * RFC 8032's vectors in every runtime (`shared/crypto/ed25519-hex.ts`), with this hash itself
 * checked against node:crypto.
 *
 * Strings are byte strings: one character per byte (0…255), as Lua strings are.
 */

/** First 64 bits of the fractional parts of the cube roots of the first 80 primes, 16-bit limbs, most significant first. */
const K_HEX =
  "428a2f98d728ae227137449123ef65cdb5c0fbcfec4d3b2fe9b5dba58189dbbc3956c25bf348b53859f111f1b605d019923f82a4af194f9bab1c5ed5da6d8118" +
  "d807aa98a303024212835b0145706fbe243185be4ee4b28c550c7dc3d5ffb4e272be5d74f27b896f80deb1fe3b1696b19bdc06a725c71235c19bf174cf692694" +
  "e49b69c19ef14ad2efbe4786384f25e30fc19dc68b8cd5b5240ca1cc77ac9c652de92c6f592b02754a7484aa6ea6e4835cb0a9dcbd41fbd476f988da831153b5" +
  "983e5152ee66dfaba831c66d2db43210b00327c898fb213fbf597fc7beef0ee4c6e00bf33da88fc2d5a79147930aa72506ca6351e003826f142929670a0e6e70" +
  "27b70a8546d22ffc2e1b21385c26c9264d2c6dfc5ac42aed53380d139d95b3df650a73548baf63de766a0abb3c77b2a881c2c92e47edaee692722c851482353b" +
  "a2bfe8a14cf10364a81a664bbc423001c24b8b70d0f89791c76c51a30654be30d192e819d6ef5218d69906245565a910f40e35855771202a106aa07032bbd1b8" +
  "19a4c116b8d2d0c81e376c085141ab532748774cdf8eeb9934b0bcb5e19b48a8391c0cb3c5c95a634ed8aa4ae3418acb5b9cca4f7763e373682e6ff3d6b2b8a3" +
  "748f82ee5defb2fc78a5636f43172f6084c87814a1f0ab728cc702081a6439ec90befffa23631e28a4506cebde82bde9bef9a3f7b2c67915c67178f2e372532b" +
  "ca273eceea26619cd186b8c721c0c207eada7dd6cde0eb1ef57d4f7fee6ed17806f067aa72176fba0a637dc5a2c898a6113f9804bef90dae1b710b35131c471b" +
  "28db77f523047d8432caab7b40c724933c9ebe0a15c9bebc431d67c49c100d4c4cc5d4becb3e42b6597f299cfc657e2a5fcb6fab3ad6faec6c44198c4a475817";
const H0_HEX =
  "6a09e667f3bcc908bb67ae8584caa73b3c6ef372fe94f82ba54ff53a5f1d36f1510e527fade682d19b05688c2b3e6c1f1f83d9abfb41bd6b5be0cd19137e2179";

/** 16-bit limbs of a hex string of 64-bit words, each word stored least significant limb first. */
function wordsFromHex(hex: string): number[] {
  const out: number[] = [];
  const words = hex.length / 16;
  for (let w = 0; w < words; w++) {
    for (let l = 0; l < 4; l++) {
      const at = w * 16 + (3 - l) * 4;
      out[w * 4 + l] = parseHex16(hex, at);
    }
  }
  return out;
}

const HEX_DIGITS = "0123456789abcdef";

function parseHex16(hex: string, at: number): number {
  let v = 0;
  for (let i = 0; i < 4; i++) v = v * 16 + HEX_DIGITS.indexOf(hex.charAt(at + i));
  return v;
}

let K: number[] = [];
let H0: number[] = [];
let XOR4: number[] = [];
let AND4: number[] = [];

function tables(): void {
  if (K.length > 0) return;
  K = wordsFromHex(K_HEX);
  H0 = wordsFromHex(H0_HEX);
  for (let a = 0; a < 16; a++) {
    for (let b = 0; b < 16; b++) {
      let x = 0;
      let n = 0;
      let bit = 1;
      let aa = a;
      let bb = b;
      for (let k = 0; k < 4; k++) {
        const abit = aa % 2;
        const bbit = bb % 2;
        if (abit !== bbit) x = x + bit;
        if (abit === 1 && bbit === 1) n = n + bit;
        aa = (aa - abit) / 2;
        bb = (bb - bbit) / 2;
        bit = bit * 2;
      }
      XOR4[a * 16 + b] = x;
      AND4[a * 16 + b] = n;
    }
  }
}

/** a op b on 16-bit values through a nibble table. */
function nib(table: number[], a: number, b: number): number {
  let r = 0;
  let m = 1;
  for (let k = 0; k < 4; k++) {
    const na = a % 16;
    const nb = b % 16;
    r = r + table[na * 16 + nb] * m;
    a = (a - na) / 16;
    b = (b - nb) / 16;
    m = m * 16;
  }
  return r;
}

/** dst[do..do+3] = src word rotated right by n bits (or shifted right when `shift`). */
function rotr(src: number[], so: number, n: number, shift: boolean, dst: number[], dOff: number): void {
  const q = Math.floor(n / 16);
  const s = n - q * 16;
  const lo = Math.pow(2, s);
  const hi = Math.pow(2, 16 - s);
  for (let i = 0; i < 4; i++) {
    const j = i + q;
    const a = j < 4 ? src[so + j] : shift ? 0 : src[so + j - 4];
    const b = j + 1 < 4 ? src[so + j + 1] : shift ? 0 : src[so + j + 1 - 4];
    const bLow = b % lo;
    dst[dOff + i] = Math.floor(a / lo) + bLow * hi;
  }
}

const T1 = [0, 0, 0, 0];
const T2 = [0, 0, 0, 0];
const T3 = [0, 0, 0, 0];

/** dst = x ⊕ rotr/shr(n1) ⊕ rotr/shr(n2) ⊕ rotr/shr(n3) of the word at src[so]. */
function sigma(src: number[], so: number, n1: number, n2: number, n3: number, shift3: boolean, dst: number[], dOff: number): void {
  rotr(src, so, n1, false, T1, 0);
  rotr(src, so, n2, false, T2, 0);
  rotr(src, so, n3, shift3, T3, 0);
  for (let i = 0; i < 4; i++) dst[dOff + i] = nib(XOR4, nib(XOR4, T1[i], T2[i]), T3[i]);
}

/** Adds the word b[bo] into a[ao] modulo 2^64. */
function addWord(a: number[], ao: number, b: number[], bo: number): void {
  let c = 0;
  for (let i = 0; i < 4; i++) {
    const v = a[ao + i] + b[bo + i] + c;
    c = v >= 65536 ? 1 : 0;
    a[ao + i] = v - c * 65536;
  }
}

const W: number[] = [];
const V: number[] = [];
const S0 = [0, 0, 0, 0];
const S1 = [0, 0, 0, 0];
const CH = [0, 0, 0, 0];
const MAJ = [0, 0, 0, 0];

function compress(H: number[], bytes: number[], at: number): void {
  for (let t = 0; t < 16; t++) {
    for (let l = 0; l < 4; l++) {
      const b = at + t * 8 + (3 - l) * 2;
      W[t * 4 + l] = bytes[b] * 256 + bytes[b + 1];
    }
  }
  for (let t = 16; t < 80; t++) {
    sigma(W, (t - 15) * 4, 1, 8, 7, true, S0, 0);
    sigma(W, (t - 2) * 4, 19, 61, 6, true, S1, 0);
    for (let l = 0; l < 4; l++) W[t * 4 + l] = W[(t - 16) * 4 + l];
    addWord(W, t * 4, S0, 0);
    addWord(W, t * 4, W, (t - 7) * 4);
    addWord(W, t * 4, S1, 0);
  }
  for (let i = 0; i < 32; i++) V[i] = H[i];
  // V holds a b c d e f g h at word offsets 0, 4, …, 28
  for (let t = 0; t < 80; t++) {
    sigma(V, 16, 14, 18, 41, false, S1, 0);
    for (let l = 0; l < 4; l++) {
      const e = V[16 + l];
      CH[l] = nib(XOR4, nib(AND4, e, V[20 + l]), nib(AND4, 65535 - e, V[24 + l]));
      const a = V[l];
      const b = V[4 + l];
      const c = V[8 + l];
      MAJ[l] = nib(XOR4, nib(XOR4, nib(AND4, a, b), nib(AND4, a, c)), nib(AND4, b, c));
    }
    // T1 = h + Σ1(e) + Ch + K[t] + W[t], kept in S1
    addWord(S1, 0, V, 28);
    addWord(S1, 0, CH, 0);
    addWord(S1, 0, K, t * 4);
    addWord(S1, 0, W, t * 4);
    sigma(V, 0, 28, 34, 39, false, S0, 0);
    addWord(S0, 0, MAJ, 0);
    for (let i = 31; i >= 4; i--) V[i] = V[i - 4];
    addWord(V, 16, S1, 0);
    for (let l = 0; l < 4; l++) V[l] = S1[l];
    addWord(V, 0, S0, 0);
  }
  for (let w = 0; w < 8; w++) addWord(H, w * 4, V, w * 4);
}

/** SHA-512 of a byte string, as a 64-byte string. */
export function sha512(message: string): string {
  tables();
  const n = message.length;
  const bytes: number[] = [];
  for (let i = 0; i < n; i++) bytes[i] = message.charCodeAt(i);
  bytes[n] = 128;
  let len = n + 1;
  while (len % 128 !== 112) {
    bytes[len] = 0;
    len = len + 1;
  }
  // 128-bit big-endian length in bits (messages here are far below 2^53 bits)
  let bits = n * 8;
  for (let i = 15; i >= 0; i--) {
    const b = bits % 256;
    bytes[len + i] = b;
    bits = (bits - b) / 256;
  }
  len = len + 16;
  const H: number[] = [];
  for (let i = 0; i < 32; i++) H[i] = H0[i];
  for (let at = 0; at < len; at = at + 128) compress(H, bytes, at);
  const out: string[] = [];
  for (let w = 0; w < 8; w++) {
    for (let l = 3; l >= 0; l--) {
      const v = H[w * 4 + l];
      const lo = v % 256;
      out.push(String.fromCharCode((v - lo) / 256, lo));
    }
  }
  return out.join("");
}

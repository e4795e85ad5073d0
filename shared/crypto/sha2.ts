/**
 * The SHA-2 family (FIPS 180-4) in plain arithmetic, one code for SHA-256 and SHA-512: a word is
 * `limbs` 16-bit limbs (least significant first: 2 for 32-bit words, 4 for 64-bit ones), XOR/AND
 * through a 16 × 16 nibble table, shifts as division and multiplication by powers of two. No
 * bitwise operators and no value above 2^17, so it gives the same bytes in JavaScript, Lua 5.1
 * (without the `bit` module) and NodeMCU's Lua 5.3 with 32-bit integers and single floats.
 *
 * Slow (hundreds of thousands of VM instructions per block) and NOT what the board uses: NodeMCU's
 * C `crypto.hash`/`crypto.hmac` are. It exists so that Ed25519 (sha512.ts) and the HMAC lift
 * records (shared/hmac/sha256.ts) can be checked against their RFC vectors in every runtime.
 * Strings are byte strings: one character per byte (0…255), as Lua strings are.
 */
export interface Sha2Variant {
  /** 16-bit limbs per word: 2 (SHA-256) or 4 (SHA-512) */
  limbs: number;
  rounds: number;
  /** round constants and initial hash, hex, most significant first */
  kHex: string;
  h0Hex: string;
  /** rotations of σ0 and σ1 (message schedule; the third is a shift) and of Σ0 and Σ1 (rounds) */
  sigma0: number[];
  sigma1: number[];
  bigSigma0: number[];
  bigSigma1: number[];
  /** K and H0 as limbs, filled on first use */
  k: number[];
  h0: number[];
}

const HEX_DIGITS = "0123456789abcdef";

/** Limbs of a hex string of words, each word stored least significant limb first. */
function limbsFromHex(hex: string, limbs: number): number[] {
  const out: number[] = [];
  const words = hex.length / (4 * limbs);
  for (let w = 0; w < words; w++) {
    for (let l = 0; l < limbs; l++) {
      const at = w * 4 * limbs + (limbs - 1 - l) * 4;
      let v = 0;
      for (let i = 0; i < 4; i++) v = v * 16 + HEX_DIGITS.indexOf(hex.charAt(at + i));
      out[w * limbs + l] = v;
    }
  }
  return out;
}

const XOR4: number[] = [];
const AND4: number[] = [];

function nibbleTables(): void {
  if (XOR4.length > 0) return;
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

/** XOR of two values below 2^16 (HMAC's pads use it on bytes). */
export function xor16(a: number, b: number): number {
  nibbleTables();
  return nib(XOR4, a, b);
}

/** dst[dOff…] = the word at src[so] rotated right by n bits (or shifted right when `shift`). */
function rotr(L: number, src: number[], so: number, n: number, shift: boolean, dst: number[], dOff: number): void {
  const q = Math.floor(n / 16);
  const s = n - q * 16;
  const lo = Math.pow(2, s);
  const hi = Math.pow(2, 16 - s);
  for (let i = 0; i < L; i++) {
    const j = i + q;
    const a = j < L ? src[so + j] : shift ? 0 : src[so + j - L];
    const b = j + 1 < L ? src[so + j + 1] : shift ? 0 : src[so + j + 1 - L];
    dst[dOff + i] = Math.floor(a / lo) + (b % lo) * hi;
  }
}

const T1 = [0, 0, 0, 0];
const T2 = [0, 0, 0, 0];
const T3 = [0, 0, 0, 0];

/** dst = rotr(n[0]) ⊕ rotr(n[1]) ⊕ rotr or shr (n[2]) of the word at src[so]. */
function sigma(L: number, src: number[], so: number, n: number[], shift3: boolean, dst: number[], dOff: number): void {
  rotr(L, src, so, n[0], false, T1, 0);
  rotr(L, src, so, n[1], false, T2, 0);
  rotr(L, src, so, n[2], shift3, T3, 0);
  for (let i = 0; i < L; i++) dst[dOff + i] = nib(XOR4, nib(XOR4, T1[i], T2[i]), T3[i]);
}

/** Adds the word b[bo] into a[ao] modulo 2^(16·L). */
function addWord(L: number, a: number[], ao: number, b: number[], bo: number): void {
  let c = 0;
  for (let i = 0; i < L; i++) {
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

function compress(f: Sha2Variant, H: number[], bytes: number[], at: number): void {
  const L = f.limbs;
  for (let t = 0; t < 16; t++) {
    for (let l = 0; l < L; l++) {
      const b = at + t * 2 * L + (L - 1 - l) * 2;
      W[t * L + l] = bytes[b] * 256 + bytes[b + 1];
    }
  }
  for (let t = 16; t < f.rounds; t++) {
    sigma(L, W, (t - 15) * L, f.sigma0, true, S0, 0);
    sigma(L, W, (t - 2) * L, f.sigma1, true, S1, 0);
    for (let l = 0; l < L; l++) W[t * L + l] = W[(t - 16) * L + l];
    addWord(L, W, t * L, S0, 0);
    addWord(L, W, t * L, W, (t - 7) * L);
    addWord(L, W, t * L, S1, 0);
  }
  for (let i = 0; i < 8 * L; i++) V[i] = H[i];
  // V holds a b c d e f g h at word offsets 0, L, …, 7L
  for (let t = 0; t < f.rounds; t++) {
    sigma(L, V, 4 * L, f.bigSigma1, false, S1, 0);
    for (let l = 0; l < L; l++) {
      const e = V[4 * L + l];
      CH[l] = nib(XOR4, nib(AND4, e, V[5 * L + l]), nib(AND4, 65535 - e, V[6 * L + l]));
      const a = V[l];
      const b = V[L + l];
      const c = V[2 * L + l];
      MAJ[l] = nib(XOR4, nib(XOR4, nib(AND4, a, b), nib(AND4, a, c)), nib(AND4, b, c));
    }
    // T1 = h + Σ1(e) + Ch + K[t] + W[t], kept in S1
    addWord(L, S1, 0, V, 7 * L);
    addWord(L, S1, 0, CH, 0);
    addWord(L, S1, 0, f.k, t * L);
    addWord(L, S1, 0, W, t * L);
    sigma(L, V, 0, f.bigSigma0, false, S0, 0);
    addWord(L, S0, 0, MAJ, 0);
    for (let i = 8 * L - 1; i >= L; i--) V[i] = V[i - L];
    addWord(L, V, 4 * L, S1, 0);
    for (let l = 0; l < L; l++) V[l] = S1[l];
    addWord(L, V, 0, S0, 0);
  }
  for (let w = 0; w < 8; w++) addWord(L, H, w * L, V, w * L);
}

/** The hash of a byte string under variant `f`, as a byte string (16·L bytes: 32 or 64). */
export function sha2(f: Sha2Variant, message: string): string {
  nibbleTables();
  const L = f.limbs;
  if (f.k.length === 0) {
    f.k = limbsFromHex(f.kHex, L);
    f.h0 = limbsFromHex(f.h0Hex, L);
  }
  const blockBytes = 32 * L;
  const lengthBytes = 4 * L;
  const n = message.length;
  const bytes: number[] = [];
  for (let i = 0; i < n; i++) bytes[i] = message.charCodeAt(i);
  bytes[n] = 128;
  let len = n + 1;
  while (len % blockBytes !== blockBytes - lengthBytes) {
    bytes[len] = 0;
    len = len + 1;
  }
  // the big-endian length in bits (messages here are far below 2^53 bits)
  let bits = n * 8;
  for (let i = lengthBytes - 1; i >= 0; i--) {
    const b = bits % 256;
    bytes[len + i] = b;
    bits = (bits - b) / 256;
  }
  len = len + lengthBytes;
  const H: number[] = [];
  for (let i = 0; i < 8 * L; i++) H[i] = f.h0[i];
  for (let at = 0; at < len; at = at + blockBytes) compress(f, H, bytes, at);
  const out: string[] = [];
  for (let w = 0; w < 8; w++) {
    for (let l = L - 1; l >= 0; l--) {
      const v = H[w * L + l];
      const lo = v % 256;
      out.push(String.fromCharCode((v - lo) / 256, lo));
    }
  }
  return out.join("");
}

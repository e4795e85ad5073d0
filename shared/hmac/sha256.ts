/**
 * SHA-256 (FIPS 180-4) in plain arithmetic: 32-bit words as two 16-bit limbs (least significant
 * first), XOR/AND a nibble at a time through small tables, shifts as division and multiplication
 * by powers of two. No bitwise operators and no value above 2^17, so it gives the same bytes in
 * Lua 5.1 and in NodeMCU's Lua 5.3 with 32-bit integers and single floats.
 *
 * NOT what the board uses (NodeMCU's C `crypto.hmac` and `crypto.hash` are): it exists so the
 * HMAC lift records (liftmac-hex.ts) can be checked with RFC 4231's vectors in every runtime.
 * Strings are byte strings, one character per byte.
 */
const K_HEX =
  "428a2f9871374491b5c0fbcfe9b5dba53956c25b59f111f1923f82a4ab1c5ed5d807aa9812835b01243185be550c7dc3" +
  "72be5d7480deb1fe9bdc06a7c19bf174e49b69c1efbe47860fc19dc6240ca1cc2de92c6f4a7484aa5cb0a9dc76f988da" +
  "983e5152a831c66db00327c8bf597fc7c6e00bf3d5a7914706ca63511429296727b70a852e1b21384d2c6dfc53380d13" +
  "650a7354766a0abb81c2c92e92722c85a2bfe8a1a81a664bc24b8b70c76c51a3d192e819d6990624f40e3585106aa070" +
  "19a4c1161e376c082748774c34b0bcb5391c0cb34ed8aa4a5b9cca4f682e6ff3748f82ee78a5636f84c878148cc70208" +
  "90befffaa4506cebbef9a3f7c67178f2";
const H0_HEX = "6a09e667bb67ae853c6ef372a54ff53a510e527f9b05688c1f83d9ab5be0cd19";

const HEX_DIGITS = "0123456789abcdef";

/** Two 16-bit limbs per 32-bit word of a hex string, least significant limb first. */
function limbsFromHex(hex: string): number[] {
  const out: number[] = [];
  for (let w = 0; w < hex.length / 8; w++) {
    for (let l = 0; l < 2; l++) {
      let v = 0;
      const at = w * 8 + (1 - l) * 4;
      for (let i = 0; i < 4; i++) v = v * 16 + HEX_DIGITS.indexOf(hex.charAt(at + i));
      out[w * 2 + l] = v;
    }
  }
  return out;
}

let K: number[] = [];
let H0: number[] = [];
const XOR4: number[] = [];
const AND4: number[] = [];

function tables(): void {
  if (K.length > 0) return;
  K = limbsFromHex(K_HEX);
  H0 = limbsFromHex(H0_HEX);
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

/** a op b for values below 2^16, a nibble at a time. */
function nib(t: number[], a: number, b: number): number {
  let r = 0;
  let m = 1;
  for (let k = 0; k < 4; k++) {
    const na = a % 16;
    const nb = b % 16;
    r = r + t[na * 16 + nb] * m;
    a = (a - na) / 16;
    b = (b - nb) / 16;
    m = m * 16;
  }
  return r;
}

/** XOR of two bytes (HMAC's pads). */
export function xorByte(a: number, b: number): number {
  tables();
  return nib(XOR4, a, b);
}

/** dst[d], dst[d+1] = the word at src[s] rotated right by n bits (shifted right when `shift`). */
function rotr(src: number[], s: number, n: number, shift: boolean, dst: number[], d: number): void {
  const q = n >= 16 ? 1 : 0;
  const r = n - q * 16;
  const lo = Math.pow(2, r);
  const hi = Math.pow(2, 16 - r);
  for (let i = 0; i < 2; i++) {
    const j = i + q;
    const a = j < 2 ? src[s + j] : shift ? 0 : src[s + j - 2];
    const b = j + 1 < 2 ? src[s + j + 1] : shift ? 0 : src[s + j - 1];
    dst[d + i] = Math.floor(a / lo) + (b % lo) * hi;
  }
}

const T1 = [0, 0];
const T2 = [0, 0];
const T3 = [0, 0];

function sigma(src: number[], s: number, n1: number, n2: number, n3: number, shift3: boolean, dst: number[], d: number): void {
  rotr(src, s, n1, false, T1, 0);
  rotr(src, s, n2, false, T2, 0);
  rotr(src, s, n3, shift3, T3, 0);
  for (let i = 0; i < 2; i++) dst[d + i] = nib(XOR4, nib(XOR4, T1[i], T2[i]), T3[i]);
}

/** a[ao] += b[bo] modulo 2^32. */
function add(a: number[], ao: number, b: number[], bo: number): void {
  const low = a[ao] + b[bo];
  const c = low >= 65536 ? 1 : 0;
  a[ao] = low - c * 65536;
  const high = a[ao + 1] + b[bo + 1] + c;
  a[ao + 1] = high >= 65536 ? high - 65536 : high;
}

const W: number[] = [];
const V: number[] = [];
const S0 = [0, 0];
const S1 = [0, 0];
const CH = [0, 0];
const MAJ = [0, 0];

function compress(H: number[], bytes: number[], at: number): void {
  for (let t = 0; t < 16; t++) {
    const b = at + t * 4;
    W[t * 2] = bytes[b + 2] * 256 + bytes[b + 3];
    W[t * 2 + 1] = bytes[b] * 256 + bytes[b + 1];
  }
  for (let t = 16; t < 64; t++) {
    sigma(W, (t - 15) * 2, 7, 18, 3, true, S0, 0);
    sigma(W, (t - 2) * 2, 17, 19, 10, true, S1, 0);
    W[t * 2] = W[(t - 16) * 2];
    W[t * 2 + 1] = W[(t - 16) * 2 + 1];
    add(W, t * 2, S0, 0);
    add(W, t * 2, W, (t - 7) * 2);
    add(W, t * 2, S1, 0);
  }
  for (let i = 0; i < 16; i++) V[i] = H[i];
  // V holds a b c d e f g h at limb offsets 0, 2, …, 14
  for (let t = 0; t < 64; t++) {
    sigma(V, 8, 6, 11, 25, false, S1, 0);
    for (let l = 0; l < 2; l++) {
      const e = V[8 + l];
      CH[l] = nib(XOR4, nib(AND4, e, V[10 + l]), nib(AND4, 65535 - e, V[12 + l]));
      const a = V[l];
      const b = V[2 + l];
      const c = V[4 + l];
      MAJ[l] = nib(XOR4, nib(XOR4, nib(AND4, a, b), nib(AND4, a, c)), nib(AND4, b, c));
    }
    add(S1, 0, V, 14);
    add(S1, 0, CH, 0);
    add(S1, 0, K, t * 2);
    add(S1, 0, W, t * 2);
    sigma(V, 0, 2, 13, 22, false, S0, 0);
    add(S0, 0, MAJ, 0);
    for (let i = 15; i >= 2; i--) V[i] = V[i - 2];
    add(V, 8, S1, 0);
    V[0] = S1[0];
    V[1] = S1[1];
    add(V, 0, S0, 0);
  }
  for (let w = 0; w < 8; w++) add(H, w * 2, V, w * 2);
}

/** SHA-256 of a byte string, as a 32-byte string. */
export function sha256(message: string): string {
  tables();
  const n = message.length;
  const bytes: number[] = [];
  for (let i = 0; i < n; i++) bytes[i] = message.charCodeAt(i);
  bytes[n] = 128;
  let len = n + 1;
  while (len % 64 !== 56) {
    bytes[len] = 0;
    len = len + 1;
  }
  // 64-bit big-endian length in bits (messages here are far below 2^24 bytes)
  let bits = n * 8;
  for (let i = 7; i >= 0; i--) {
    const b = bits % 256;
    bytes[len + i] = b;
    bits = (bits - b) / 256;
  }
  len = len + 8;
  const H: number[] = [];
  for (let i = 0; i < 16; i++) H[i] = H0[i];
  for (let at = 0; at < len; at = at + 64) compress(H, bytes, at);
  const out: string[] = [];
  for (let w = 0; w < 8; w++) {
    for (let l = 1; l >= 0; l--) {
      const v = H[w * 2 + l];
      const lo = v % 256;
      out.push(String.fromCharCode((v - lo) / 256, lo));
    }
  }
  return out.join("");
}

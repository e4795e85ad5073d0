/**
 * Deterministic math for the board physics: the same bits in Node and in Lua 5.1.
 *
 * Why not Math.exp/log/sin/cos: V8 uses its own fdlibm port and Lua calls the C library (glibc);
 * both are accurate to about 1 ulp but not always the same ulp, and one differing bit in a
 * noise sample changes a count now and then. These functions use only + − × ÷, floor and sqrt,
 * which IEEE 754 defines exactly, evaluated in a fixed order, so JS and Lua agree bit for bit.
 * They also need nothing beyond NodeMCU's reduced 5.1 math table (floor, sqrt).
 * Accuracy: a few ulp over the ranges used here (checked against Math.* in fmath.test.ts).
 *
 * TSTL-safe: plain functions, no bitwise operators, no `%` (negative operands differ in Lua).
 */

const LN2_HI = 6.93147180369123816490e-1; // ln 2 split for Cody–Waite reduction (fdlibm constants)
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.44269504088896338700;
const PIO2_HI = 1.57079632673412561417; // π/2 split the same way
const PIO2_LO = 6.07710050650619224932e-11;
const INV_PIO2 = 6.36619772367581382433e-1;
const TWO32 = 4294967296;

/** 2^k for an integer k in about [−1000, 1000], by squaring (every product is exact). */
export function pow2(k: number): number {
  let n = k < 0 ? -k : k;
  let b = k < 0 ? 0.5 : 2;
  let s = 1;
  while (n > 0) {
    const h = Math.floor(n / 2);
    if (n - h * 2 === 1) s = s * b;
    b = b * b;
    n = h;
  }
  return s;
}

/** e^x. Returns 0 below −700 and Infinity above 700 (nothing here needs more). */
export function fexp(x: number): number {
  if (x !== x) return x;
  if (x > 700) return Infinity;
  if (x < -700) return 0;
  const k = Math.floor(x * INV_LN2 + 0.5);
  const r = (x - k * LN2_HI) - k * LN2_LO; // |r| ≤ 0.347
  // Taylor series to degree 13 in Horner form: remainder < 5e-18.
  let s = 1 + r / 13;
  s = 1 + (r / 12) * s;
  s = 1 + (r / 11) * s;
  s = 1 + (r / 10) * s;
  s = 1 + (r / 9) * s;
  s = 1 + (r / 8) * s;
  s = 1 + (r / 7) * s;
  s = 1 + (r / 6) * s;
  s = 1 + (r / 5) * s;
  s = 1 + (r / 4) * s;
  s = 1 + (r / 3) * s;
  s = 1 + (r / 2) * s;
  s = 1 + r * s;
  return s * pow2(k);
}

/** Natural logarithm; NaN for x < 0, −Infinity for 0. */
export function flog(x: number): number {
  if (x !== x || x < 0) return 0 / 0;
  if (x === 0) return -Infinity;
  if (x === Infinity) return x;
  let m = x;
  let e = 0;
  while (m >= TWO32) { m = m / TWO32; e = e + 32; }
  while (m < 1 / TWO32) { m = m * TWO32; e = e - 32; }
  while (m > 1.4142135623730951) { m = m / 2; e = e + 1; }
  while (m < 0.7071067811865476) { m = m * 2; e = e - 1; }
  // log(m) = 2 atanh(z), z = (m−1)/(m+1), |z| ≤ 0.172: series to z^23 (remainder < 1e-19).
  const z = (m - 1) / (m + 1);
  const z2 = z * z;
  let p = 1 / 23;
  p = 1 / 21 + z2 * p;
  p = 1 / 19 + z2 * p;
  p = 1 / 17 + z2 * p;
  p = 1 / 15 + z2 * p;
  p = 1 / 13 + z2 * p;
  p = 1 / 11 + z2 * p;
  p = 1 / 9 + z2 * p;
  p = 1 / 7 + z2 * p;
  p = 1 / 5 + z2 * p;
  p = 1 / 3 + z2 * p;
  p = 1 + z2 * p;
  return e * LN2_HI + (e * LN2_LO + 2 * z * p);
}

function sinPoly(r: number): number {
  // r − r³/3! + r⁵/5! − … + r¹⁷/17!  (|r| ≤ π/4: remainder < 1e-19)
  const r2 = r * r;
  let p = 1 / 355687428096000;
  p = -1 / 1307674368000 + r2 * p;
  p = 1 / 6227020800 + r2 * p;
  p = -1 / 39916800 + r2 * p;
  p = 1 / 362880 + r2 * p;
  p = -1 / 5040 + r2 * p;
  p = 1 / 120 + r2 * p;
  p = -1 / 6 + r2 * p;
  return r + r * r2 * p;
}

function cosPoly(r: number): number {
  // 1 − r²/2! + r⁴/4! − … − r¹⁸/18!
  const r2 = r * r;
  let p = -1 / 6402373705728000;
  p = 1 / 20922789888000 + r2 * p;
  p = -1 / 87178291200 + r2 * p;
  p = 1 / 479001600 + r2 * p;
  p = -1 / 3628800 + r2 * p;
  p = 1 / 40320 + r2 * p;
  p = -1 / 720 + r2 * p;
  p = 1 / 24 + r2 * p;
  p = -1 / 2 + r2 * p;
  return 1 + r2 * p;
}

/** sin and cos share the reduction x = k·π/2 + r, |r| ≤ π/4 (accurate for |x| < 1e6). */
function reduce(x: number): number {
  return Math.floor(x * INV_PIO2 + 0.5);
}

export function fsin(x: number): number {
  if (x !== x || x === Infinity || x === -Infinity) return 0 / 0;
  const k = reduce(x);
  const r = (x - k * PIO2_HI) - k * PIO2_LO;
  const q = k - Math.floor(k / 4) * 4;
  if (q === 0) return sinPoly(r);
  if (q === 1) return cosPoly(r);
  if (q === 2) return -sinPoly(r);
  return -cosPoly(r);
}

export function fcos(x: number): number {
  if (x !== x || x === Infinity || x === -Infinity) return 0 / 0;
  const k = reduce(x);
  const r = (x - k * PIO2_HI) - k * PIO2_LO;
  const q = k - Math.floor(k / 4) * 4;
  if (q === 0) return cosPoly(r);
  if (q === 1) return -sinPoly(r);
  if (q === 2) return -cosPoly(r);
  return sinPoly(r);
}

/**
 * Park–Miller "minimal standard" generator with multiplier 48271 (Park, Miller & Stockmeyer 1993):
 * x ← 48271·x mod (2^31 − 1). The product stays below 2^47, so doubles hold it exactly in both
 * runtimes; the remainder is taken with floor, never with `%`.
 */
export interface Rng { s: number; spare: number; hasSpare: boolean }

const LEHMER_M = 2147483647;
const LEHMER_A = 48271;

/** A generator for one purpose ("stream") of one chip; different streams start far apart. */
export function rngCreate(seed: number, stream: number): Rng {
  let a = Math.floor(seed < 0 ? -seed : seed);
  a = a - Math.floor(a / LEHMER_M) * LEHMER_M;
  let s = a * 16807 + stream * 1000003 + 12345;
  s = s - Math.floor(s / (LEHMER_M - 1)) * (LEHMER_M - 1) + 1; // 1 … M−1
  const r: Rng = { s, spare: 0, hasSpare: false };
  for (let i = 0; i < 8 + stream; i++) rngNext(r); // decorrelate nearby seeds
  return r;
}

/** Uniform in (0, 1), never 0 or 1. */
export function rngNext(r: Rng): number {
  const p = r.s * LEHMER_A;
  r.s = p - Math.floor(p / LEHMER_M) * LEHMER_M;
  return r.s / LEHMER_M;
}

/** Standard normal by Marsaglia's polar method (uses flog and sqrt only). */
export function rngGauss(r: Rng): number {
  if (r.hasSpare) {
    r.hasSpare = false;
    return r.spare;
  }
  let u = 0;
  let v = 0;
  let q = 0;
  do {
    u = 2 * rngNext(r) - 1;
    v = 2 * rngNext(r) - 1;
    q = u * u + v * v;
  } while (q >= 1 || q === 0);
  const f = Math.sqrt((-2 * flog(q)) / q);
  r.spare = v * f;
  r.hasSpare = true;
  return u * f;
}

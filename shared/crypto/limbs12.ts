/**
 * 12-bit limbs (least significant first) for the Ed25519 arithmetic on a Lua with 32-bit numbers
 * (NodeMCU's Lua 5.3 builds: integers that wrap at 2^31, single floats): field25519-int32.ts and
 * scalar25519-int32.ts. Every value their code forms is an integer below 2^31 in magnitude, so
 * Lua 5.3 keeps it an exact integer and JavaScript and Lua 5.1 an exact double.
 *
 * Division is the one float operation (TSTL writes `/` as Lua's float division, single precision
 * there): `floorDiv` divides only a multiple of the divisor, whose quotient it keeps below 2^24,
 * which a single float holds exactly, and `Math.floor` turns it back into a Lua 5.3 integer.
 */

/**
 * ⌊x / m⌋ for an integer x and a power of two m (floored for negative x too, in both runtimes:
 * `%` only ever sees non-negative numbers). Exact when |x| < 2^31 and |x| / m < 2^24.
 */
export function floorDiv(x: number, m: number): number {
  const r = x >= 0 ? x % m : m - 1 - ((-x - 1) % m);
  return Math.floor((x - r) / m);
}

/** Limbs of `bytes` little-endian bytes of `s` at `at`: two 12-bit limbs per three bytes (missing bytes read 0). */
export function limbs12FromBytes(s: string, at: number, bytes: number): number[] {
  const out: number[] = [];
  for (let g = 0; 3 * g < bytes; g++) {
    let v = 0;
    for (let k = 2; k >= 0; k--) v = v * 256 + (3 * g + k < bytes ? s.charCodeAt(at + 3 * g + k) : 0);
    const lo = v % 4096;
    out[2 * g] = lo;
    out[2 * g + 1] = floorDiv(v - lo, 4096);
  }
  return out;
}

/** The first `bytes` little-endian bytes of limbs each in [0, 2^12) (an absent limb reads 0). */
export function bytesFromLimbs12(x: number[], bytes: number): string {
  const out: string[] = [];
  for (let g = 0; 3 * g < bytes; g++) {
    const hi = 2 * g + 1 < x.length ? x[2 * g + 1] : 0;
    let v = x[2 * g] + 4096 * hi;
    for (let k = 0; k < 3 && 3 * g + k < bytes; k++) {
      const b = v % 256;
      out.push(String.fromCharCode(b));
      v = floorDiv(v - b, 256);
    }
  }
  return out.join("");
}

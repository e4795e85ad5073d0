/**
 * Numbers on the wire, formatted by our own code so JavaScript, Lua 5.1 and Lua 5.3 print the
 * same bytes (`tostring` of a float differs between Lua versions; `toFixed` rounds differently
 * in Lua). Inputs are bounded (|x| < 1e9 with up to 6 decimals), so the integer arithmetic
 * below stays exact in doubles; with NodeMCU's Lua 5.3 numbers (32-bit integers, single floats)
 * the text is that of the float the VM holds (7 significant digits).
 */
const HEX_DIGITS = "0123456789abcdef";
/** URL-safe base64 digits: no ',', '*' or newline, which frame the line. */
export const B64_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function powerOfTen(decimals: number): number {
  let scale = 1;
  for (let i = 0; i < decimals; i++) scale = scale * 10;
  return scale;
}

/** Non-negative integer n as decimal digits; Math.floor keeps Lua 5.3 from printing "3.0". */
function digits(n: number): string {
  return `${Math.floor(n)}`;
}

/**
 * true where numbers are doubles (JavaScript, NodeMCU's Lua 5.1); false with its Lua 5.3's
 * single floats, where 1 + 1e-10 rounds to 1.
 */
const DOUBLE_FLOATS = 1 + 1e-10 > 1;

/**
 * Fixed-point decimal, rounding half away from zero; "" for NaN/infinite (an absent value).
 * In doubles |x| · 10^decimals is rounded as one product (the firmware's own fast formatter does
 * the same). A single float has too few bits for that product: 1.005 · 100 would round up to
 * 100.5 before the half is added ("1.01", JavaScript gives "1.00") and past 2^24 the digits are
 * garbage, so there the fraction is rounded on its own, with the bits left after the integer part.
 */
export function formatFixed(x: number, decimals: number): string {
  if (x !== x || x === 1 / 0 || x === -1 / 0) return "";
  const scale = powerOfTen(decimals);
  const ax = Math.abs(x);
  let whole: number;
  let frac: number;
  if (DOUBLE_FLOATS) {
    const scaled = Math.floor(ax * scale + 0.5);
    whole = Math.floor(scaled / scale);
    frac = scaled - whole * scale;
  } else {
    whole = Math.floor(ax);
    frac = Math.floor((ax - whole) * scale + 0.5);
    if (frac >= scale) {
      whole = whole + 1;
      frac = frac - scale;
    }
  }
  const sign = x < 0 && (whole > 0 || frac > 0) ? "-" : "";
  if (decimals <= 0) return sign + digits(whole);
  let fracText = digits(frac);
  while (fracText.length < decimals) fracText = `0${fracText}`;
  return `${sign}${digits(whole)}.${fracText}`;
}

/** An integer (rounded half away from zero) as decimal text. */
export function formatInt(x: number): string {
  return formatFixed(x, 0);
}

/**
 * Largest mantissa that still takes one more digit exactly: 10^15 in doubles; on a VM with 32-bit
 * integers (NodeMCU's Lua 5.3, where 2147483647 + 1 wraps negative) one more digit past
 * 214748364 would wrap, so such a number is refused (NaN) instead of misread.
 */
const MANTISSA_LIMIT = 2147483647 + 1 > 0 ? 1e15 : 214748364;

/** Parses an optionally signed decimal such as "-12.50"; NaN for anything else (including ""). */
export function parseDecimal(text: string): number {
  let i = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === 45 || first === 43) {
    negative = first === 45;
    i = 1;
  }
  let mantissa = 0;
  let fractionDigits = 0;
  let seenDigit = false;
  let seenPoint = false;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (mantissa >= MANTISSA_LIMIT) return 0 / 0; // beyond exact numbers: refuse rather than misread
      mantissa = mantissa * 10 + (c - 48);
      seenDigit = true;
      if (seenPoint) fractionDigits++;
    } else if (c === 46 && !seenPoint) {
      seenPoint = true;
    } else {
      return 0 / 0;
    }
  }
  if (!seenDigit) return 0 / 0;
  // One correctly rounded division gives the nearest double, as JavaScript's own parser would.
  const value = fractionDigits > 0 ? mantissa / powerOfTen(fractionDigits) : mantissa;
  return negative ? -value : value;
}

/** Unsigned integer as exactly `width` lowercase hex digits (the low ones). */
export function formatHex(n: number, width: number): string {
  let out = "";
  let rest = Math.floor(n);
  for (let i = 0; i < width; i++) {
    const d = rest % 16;
    out = HEX_DIGITS.charAt(d) + out;
    rest = Math.floor(rest / 16);
  }
  return out;
}

/** Parses `width` hex digits at `start`; -1 if any is not a lowercase hex digit. */
export function parseHex(text: string, start: number, width: number): number {
  if (start + width > text.length) return -1;
  let n = 0;
  for (let i = start; i < start + width; i++) {
    const c = text.charCodeAt(i);
    let d = -1;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 102) d = c - 87;
    if (d < 0) return -1;
    n = n * 16 + d;
  }
  return n;
}

/** Unsigned integer 0 ≤ n < 64^width as fixed-width base64 (most significant digit first). */
export function formatB64(n: number, width: number): string {
  let out = "";
  let rest = Math.floor(n);
  for (let i = 0; i < width; i++) {
    const d = rest % 64;
    out = B64_DIGITS.charAt(d) + out;
    rest = Math.floor(rest / 64);
  }
  return out;
}

function b64Value(c: number): number {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 71;
  if (c >= 48 && c <= 57) return c + 4;
  if (c === 45) return 62;
  if (c === 95) return 63;
  return -1;
}

/** Parses `width` base64 digits at `start`; -1 when one is not a base64 digit or text is short. */
export function parseB64(text: string, start: number, width: number): number {
  if (start + width > text.length) return -1;
  let n = 0;
  for (let i = start; i < start + width; i++) {
    const d = b64Value(text.charCodeAt(i));
    if (d < 0) return -1;
    n = n * 64 + d;
  }
  return n;
}

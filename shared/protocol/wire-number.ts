/**
 * Numbers on the wire, formatted by our own code so JavaScript, Lua 5.1 and Lua 5.3 print the
 * same bytes (`tostring` of a float differs between Lua versions; `toFixed` rounds differently
 * in Lua). Inputs are bounded (|x| < 1e9 with up to 6 decimals), so the integer arithmetic
 * below stays exact in doubles.
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

/** Fixed-point decimal, rounding half away from zero; "" for NaN/infinite (an absent value). */
export function formatFixed(x: number, decimals: number): string {
  if (x !== x || x === 1 / 0 || x === -1 / 0) return "";
  const scale = powerOfTen(decimals);
  const scaled = Math.floor(Math.abs(x) * scale + 0.5);
  const whole = Math.floor(scaled / scale);
  const sign = x < 0 && scaled > 0 ? "-" : "";
  if (decimals <= 0) return sign + digits(whole);
  let frac = digits(scaled - whole * scale);
  while (frac.length < decimals) frac = `0${frac}`;
  return `${sign}${digits(whole)}.${frac}`;
}

/** An integer (rounded half away from zero) as decimal text. */
export function formatInt(x: number): string {
  return formatFixed(x, 0);
}

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
      if (mantissa >= 1e15) return 0 / 0; // beyond exact doubles: refuse rather than misread
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

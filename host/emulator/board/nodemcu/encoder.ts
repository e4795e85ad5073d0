/** encoder: toHex/fromHex (lowercase hex) and toBase64/fromBase64 (standard alphabet, padded). */
import { apiPure, apiError } from "../kernel.ts";
import { toHex, fromHex } from "../hex.ts";

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DEC: Record<string, number> = {};
for (let i = 0; i < 64; i++) DEC[string.sub(B64, i + 1, i + 1)] = i;

export function toBase64(s: string): string {
  const out: string[] = [];
  for (let i = 1; i <= s.length; i += 3) {
    const [a, b, c] = [string.byte(s, i), string.byte(s, i + 1), string.byte(s, i + 2)] as (number | undefined)[];
    const n = (a as number) * 65536 + (b ?? 0) * 256 + (c ?? 0);
    const q = [Math.floor(n / 262144) % 64, Math.floor(n / 4096) % 64, Math.floor(n / 64) % 64, n % 64];
    out.push(string.sub(B64, q[0] + 1, q[0] + 1), string.sub(B64, q[1] + 1, q[1] + 1),
      b === undefined ? "=" : string.sub(B64, q[2] + 1, q[2] + 1), c === undefined ? "=" : string.sub(B64, q[3] + 1, q[3] + 1));
  }
  return out.join("");
}

export function fromBase64(s: string): string | undefined {
  const [clean] = string.gsub(s, "[%s=]", "");
  const out: string[] = [];
  let acc = 0;
  let bits = 0;
  for (let i = 1; i <= clean.length; i++) {
    const v = DEC[string.sub(clean, i, i)];
    if (v === undefined) return undefined;
    acc = acc * 64 + v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      const byte = Math.floor(acc / 2 ** bits);
      out.push(string.char(byte));
      acc -= byte * 2 ** bits;
    }
  }
  return out.join("");
}

export function createEncoderModule(): Record<string, unknown> {
  const str = (v: unknown, f: string): string => (type(v) === "string" ? (v as string) : apiError(`bad argument #1 to '${f}' (string expected, got ${type(v)})`));
  return {
    toHex: apiPure((s: unknown) => toHex(str(s, "toHex")), 5),
    fromHex: apiPure((s: unknown) => {
      const h = str(s, "fromHex");
      if (h.length % 2 !== 0 || string.find(h, "[^%x]")[0] !== undefined) return apiError("Invalid hex string");
      return fromHex(h);
    }, 5),
    toBase64: apiPure((s: unknown) => toBase64(str(s, "toBase64")), 5),
    fromBase64: apiPure((s: unknown) => {
      const r = fromBase64(str(s, "fromBase64"));
      if (r === undefined) return apiError("Invalid base64 string");
      return r;
    }, 5),
  };
}

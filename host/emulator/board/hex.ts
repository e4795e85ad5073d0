/** Bytes ↔ hex text for the line protocol with Node (binary-safe, one line per message). */
export function toHex(s: string): string {
  const parts: string[] = [];
  const n = s.length;
  for (let i = 1; i <= n; i += 180) {
    const j = Math.min(n, i + 179);
    parts.push(string.format(string.rep("%02x", j - i + 1), ...string.byte(s, i, j)));
  }
  return parts.join("");
}

const HEXBYTE: Record<string, string> = {};
for (let b = 0; b < 256; b++) {
  const c = string.char(b);
  HEXBYTE[string.format("%02x", b)] = c;
  HEXBYTE[string.format("%02X", b)] = c;
}

export function fromHex(h: string): string {
  const [s] = string.gsub(h, "%x%x", HEXBYTE);
  return s;
}

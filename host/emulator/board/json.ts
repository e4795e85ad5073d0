/** A small JSON encoder for the replies to Node (numbers, strings, booleans, arrays, records). */
export function toJson(v: unknown): string {
  const t = type(v);
  if (v === undefined) return "null";
  if (t === "boolean") return v ? "true" : "false";
  if (t === "number") {
    const n = v as number;
    if (n !== n || n === math.huge || n === -math.huge) return "null";
    if (n === Math.floor(n) && Math.abs(n) < 2 ** 53) return string.format("%.0f", n);
    return string.format("%.17g", n);
  }
  if (t === "string") {
    const [s] = string.gsub(v as string, '[%c"\\\\]', (c: string) => string.format("\\u%04x", string.byte(c)));
    return `"${s}"`;
  }
  if (t === "table") {
    const tbl = v as Record<string | number, unknown>;
    const arr = v as unknown[];
    if (arr.length > 0 || next(tbl)[0] === undefined) {
      if (arr.length === 0 && (tbl as { __object?: boolean }).__object) return "{}";
      return `[${arr.map((x) => toJson(x)).join(",")}]`;
    }
    const keys: string[] = [];
    for (const k in tbl) keys.push(k);
    table.sort(keys);
    return `{${keys.map((k) => `${toJson(k)}:${toJson(tbl[k])}`).join(",")}}`;
  }
  return "null";
}

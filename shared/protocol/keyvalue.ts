// `key=value` fields, the one home of their parsing and formatting: replies (`R,<id>,ok,k=v,…`),
// heartbeats, boot and lift records carry their results this way (messages.ts). Keys and values
// never contain ',' or '*' (they frame the line). Runs on the board and the host.
// Line comments here, not doc comments: TypeScriptToLua copies doc comments into the Lua, which
// the board's flash image would carry.
const EQUALS = 61;

// `pairs` alternates key, value: ["tare", "ok", "zero0", "-1234"] → ["tare=ok", "zero0=-1234"]; a dangling key is dropped.
export function joinPairs(pairs: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < pairs.length; i += 2) out[out.length] = `${pairs[i]}=${pairs[i + 1]}`;
  return out;
}

// The value of `key=` among fields, or "" when absent.
export function fieldValue(fields: string[], key: string): string {
  const prefix = `${key}=`;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (f.length >= prefix.length && f.slice(0, prefix.length) === prefix) return f.slice(prefix.length);
  }
  return "";
}

// fields[from…] as a key → value table: `k=v` gives k → "v", a bare `k` gives k → "" (a flag),
// an empty field or one starting with '=' is skipped; a later key wins.
export function parsePairs(fields: string[], from: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = from; i < fields.length; i++) {
    const f = fields[i];
    let eq = -1;
    for (let c = 0; c < f.length; c++) {
      if (f.charCodeAt(c) === EQUALS) {
        eq = c;
        break;
      }
    }
    if (eq > 0) out[f.slice(0, eq)] = f.slice(eq + 1);
    else if (eq < 0 && f !== "") out[f] = "";
  }
  return out;
}

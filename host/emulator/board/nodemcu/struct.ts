/**
 * struct (pack/unpack/size) for the formats the firmware uses: endianness < > = !, b B (1 byte),
 * h H (2), i I l L with an optional size 1..4 (default 4, the ESP8266's int), cN (N raw bytes),
 * s (zero-terminated), x (pad byte). unpack returns the values and the next position.
 */
import { K, apiPure, apiError, ledgerAllocated } from "../kernel.ts";

interface Item { kind: string; size: number; signed: boolean }

/** Parsed formats, kept (a firmware uses a handful): parsing makes no garbage per call. */
const parsed = new LuaTable<string, [Item[], boolean]>();
let parsedCount = 0;

function parse(fmt: string): LuaMultiReturn<[Item[], boolean]> {
  const hit = parsed.get(fmt);
  if (hit !== undefined) return $multi(hit[0], hit[1]);
  if (parsedCount >= 64) return parseNew(fmt);
  parsedCount += 1;
  // Kept for good: the emulator's memory, on its ledger (not the firmware's heap).
  K.emuKb += ledgerAllocated(() => {
    const [items, little] = parseNew(fmt);
    parsed.set(fmt, [items, little]);
  });
  const entry = parsed.get(fmt) as [Item[], boolean];
  return $multi(entry[0], entry[1]);
}

function parseNew(fmt: string): LuaMultiReturn<[Item[], boolean]> {
  const items: Item[] = [];
  let little = true;
  let i = 1;
  while (i <= fmt.length) {
    const ch = string.sub(fmt, i, i);
    i += 1;
    const [digits] = string.match(fmt, "^%d+", i);
    let n: number | undefined;
    if (digits !== undefined) {
      n = tonumber(digits) as number;
      i += digits.length;
    }
    if (ch === "<") little = true;
    else if (ch === ">") little = false;
    else if (ch === "=" || ch === "!" || ch === " ") { /* native = little */ }
    else if (ch === "b" || ch === "B") items.push({ kind: "int", size: 1, signed: ch === "b" });
    else if (ch === "h" || ch === "H") items.push({ kind: "int", size: 2, signed: ch === "h" });
    else if (ch === "i" || ch === "I" || ch === "l" || ch === "L") {
      const size = n ?? 4;
      if (size < 1 || size > 4) return apiError(`integral size ${size} is larger than limit of 4`);
      items.push({ kind: "int", size, signed: ch === "i" || ch === "l" });
    } else if (ch === "c") items.push({ kind: "c", size: n ?? 1, signed: false });
    else if (ch === "s") items.push({ kind: "s", size: 0, signed: false });
    else if (ch === "x") items.push({ kind: "x", size: 1, signed: false });
    else return apiError(`invalid format option '${ch}'`);
  }
  return $multi(items, little);
}

function packInt(v: number, size: number, little: boolean): string {
  const mod = 2 ** (8 * size);
  let u = Math.floor(v) % mod;
  if (u < 0) u += mod;
  const bytes: number[] = [];
  for (let k = 0; k < size; k++) {
    bytes.push(u % 256);
    u = Math.floor(u / 256);
  }
  if (!little) bytes.reverse();
  return string.char(...bytes);
}

export function createStructModule(): Record<string, unknown> {
  return {
    pack: apiPure((fmt: unknown, ...values: unknown[]) => {
      if (type(fmt) !== "string") return apiError("bad argument #1 to 'pack' (string expected)");
      const [items, little] = parse(fmt as string);
      const out: string[] = [];
      let vi = 0;
      for (const it of items) {
        if (it.kind === "x") { out.push("\0"); continue; }
        const v = values[vi];
        vi += 1;
        if (it.kind === "int") {
          if (type(v) !== "number") return apiError(`bad argument #${vi + 1} to 'pack' (number expected, got ${type(v)})`);
          out.push(packInt(v as number, it.size, little));
        } else if (it.kind === "c") {
          const s = tostring(v);
          out.push(string.sub(s + string.rep("\0", it.size), 1, it.size));
        } else {
          out.push(`${tostring(v)}\0`);
        }
      }
      return out.join("");
    }, 3),
    unpack: apiPure((fmt: unknown, data: unknown, init?: unknown) => {
      if (type(fmt) !== "string") return apiError("bad argument #1 to 'unpack' (string expected)");
      if (type(data) !== "string") return apiError("bad argument #2 to 'unpack' (string expected)");
      const s = data as string;
      const [items, little] = parse(fmt as string);
      let pos = type(init) === "number" ? Math.floor(init as number) : 1;
      const res: unknown[] = [];
      for (const it of items) {
        if (it.kind === "s") {
          const [e] = string.find(s, "\0", pos, true);
          if (e === undefined) return apiError("unfinished string in data");
          res.push(string.sub(s, pos, e - 1));
          pos = e + 1;
          continue;
        }
        if (pos + it.size - 1 > s.length) return apiError("bad argument #2 to 'unpack' (data string too short)");
        if (it.kind === "x") { pos += 1; continue; }
        if (it.kind === "c") { res.push(string.sub(s, pos, pos + it.size - 1)); pos += it.size; continue; }
        let v = 0;
        for (let k = 0; k < it.size; k++) {
          const b = string.byte(s, little ? pos + it.size - 1 - k : pos + k);
          v = v * 256 + b;
        }
        if (it.signed && v >= 2 ** (8 * it.size - 1)) v -= 2 ** (8 * it.size);
        res.push(v);
        pos += it.size;
      }
      res.push(pos);
      return $multi(...res);
    }, 3),
    size: apiPure((fmt: unknown) => {
      const [items] = parse(fmt as string);
      let n = 0;
      for (const it of items) n += it.size;
      return n;
    }, 2),
  };
}

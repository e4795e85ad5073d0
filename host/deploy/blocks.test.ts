import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeBlocks, encodeFile } from "./blocks.ts";

const lua = Buffer.from(Array.from({ length: 60 }, (_, i) => `local function f${i}(a, b)\n  return a + b * ${i} -- comment ${i % 7}\nend\n`).join(""));
const random = Buffer.from(Array.from({ length: 3000 }, (_, i) => (Math.imul(i + 1, 2654435761) >>> 13) & 255));

describe("block encoding", () => {
  for (const [name, data] of [["lua text", lua], ["random bytes", random], ["empty", Buffer.alloc(0)], ["one byte", Buffer.from("x")], ["runs", Buffer.alloc(5000, 65)]] as const) {
    for (const compress of [false, true]) {
      it(`${name}, compress=${compress}: round-trips, fixed-size blocks, seq in order`, () => {
        const enc = encodeFile(data, { blockSize: 120, compress });
        expect(decodeBlocks(enc.blocks).equals(data)).toBe(true);
        for (const b of enc.blocks) expect(b.length).toBe(120);
        expect(enc.blocks[1]?.[0] ?? 66).toBe(66); // "B"
      });
    }
  }
  it("compresses Lua text to well under half", () => {
    const enc = encodeFile(lua, { blockSize: 240, compress: true });
    expect(enc.payloadBytes / lua.length).toBeLessThan(0.45);
  });
  it("the built firmware round-trips (when built)", () => {
    if (!fs.existsSync("build/manifest.json")) return;
    const m = JSON.parse(fs.readFileSync("build/manifest.json", "utf8")) as { luaDir: string; files: { name: string }[] };
    for (const f of m.files) {
      if (!fs.existsSync(`${m.luaDir}/${f.name}`)) continue;
      const data = fs.readFileSync(`${m.luaDir}/${f.name}`);
      expect(decodeBlocks(encodeFile(data, { blockSize: 240, compress: true }).blocks).equals(data)).toBe(true);
    }
  });
});

import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { B64_DIGITS } from "../../shared/protocol/wire-number.ts";
import { encodeFile } from "./blocks.ts";
import { CLEANUP_LINE, HELPER_LINES, adler32, hashLine, swapLines } from "./lua-helper.ts";

/** Runs the helper in real Lua 5.1 with stand-ins for file and uart; blocks are fed to the uart.on callback. */
function runHelper(data: Buffer, blockSize: number, compress: boolean, extra = ""): { out: string; file: Buffer } {
  const enc = encodeFile(data, { blockSize, compress });
  const luaStr = (b: Buffer) => `"${[...b].map((x) => `\\${x}`).join("")}"`;
  const program = `
local files, out = {}, {}
local function P(...) local t={} for i=1,select("#",...) do t[#t+1]=tostring((select(i,...))) end out[#out+1]=table.concat(t,"\\t").."\\n" end
print = P
file = { open = function(n, m) local fh = { n = n, parts = {} }
    if m == "r" then local s, pos = files[n], 1 if not s then return nil end
      function fh:read(k) if pos > #s then return nil end local r = s:sub(pos, pos + k - 1) pos = pos + k return r end
    else files[n] = "" function fh:write(x) self.parts[#self.parts+1] = x end end
    function fh:close() if m ~= "r" then files[n] = table.concat(self.parts) end end
    return fh end,
  remove = function(n) files[n] = nil end,
  rename = function(a, b) if files[b] or not files[a] then return false end files[b] = files[a] files[a] = nil return true end }
local cb
uart = { on = function(_, n, f, r) cb = f end, write = function(_, s) out[#out+1] = "ACK" .. s .. "\\n" end }
local src = ${luaStr(Buffer.from(HELPER_LINES.join("\n")))}
assert(loadstring(src))()
_r("_up_x.lua", ${enc.blocks.length}, ${blockSize})
${enc.blocks.map((b) => `cb(${luaStr(b)})`).join("\n")}
${extra}
${hashLine("_up_x.lua", "adler32")}
${CLEANUP_LINE}
assert(_d == nil and W == nil)
io.write(table.concat(out))
io.write("FILE:" .. (files["x.lua"] or files["_up_x.lua"] or ""))
`;
  const res = spawnSync("lua5.1", ["-"], { input: program, maxBuffer: 64 << 20 });
  if (res.status !== 0) throw new Error(res.stderr.toString());
  const all = res.stdout;
  const at = all.indexOf("FILE:");
  return { out: all.subarray(0, at).toString("latin1"), file: all.subarray(at + 5) };
}

describe("Lua upload helper (real Lua 5.1, stand-in file/uart)", () => {
  const lua = Buffer.from(Array.from({ length: 200 }, (_, i) => `local v${i} = require("m${i % 9}") -- ${"x".repeat(i % 13)}\n`).join(""));
  const bin = Buffer.from(Array.from({ length: 2500 }, (_, i) => (Math.imul(i + 7, 2654435761) >>> 11) & 255));
  for (const [name, data] of [["lua", lua], ["binary", bin]] as const) {
    for (const compress of [true, false]) {
      it(`${name}, compress=${compress}: file equals the source, every block acked in order, adler32 matches`, () => {
        const { out, file } = runHelper(data, 120, compress);
        expect(file.equals(data)).toBe(true);
        const acks = out.split("\n").filter((l) => l.startsWith("ACK")).map((l) => l.slice(3));
        expect(acks.join("")).toBe(B64_DIGITS.repeat(9).slice(0, acks.length));
        expect(out).toContain(`_RXOK ${data.length}`);
        expect(out).toContain(`_H adler32 ${adler32(data)}`);
      });
    }
  }
  it("swap renames over the old file", () => {
    const { out, file } = runHelper(lua, 240, true, `files["x.lua"] = "old" ${swapLines(["x.lua"])[0]}`);
    expect(out).toContain("_SWOK");
    expect(file.equals(lua)).toBe(true);
  });
  it("every helper, hash and swap line fits the prompt's line buffer", () => {
    const names = Array.from({ length: 30 }, (_, i) => `module_number_${i}.lua`);
    const lines = [...HELPER_LINES, hashLine("_up_a_rather_long_module_nm.lua", "sha256"), hashLine("_up_a_rather_long_module_nm.lua", "adler32"), ...swapLines(names)];
    for (const l of lines) expect(l.length).toBeLessThan(250);
    expect(swapLines(names).join(" ")).toContain("module_number_29.lua");
  });
});

import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import * as tstl from "typescript-to-lua";
import { runLuaProgram } from "./lua-vm.ts";
import { luaVm } from "./lua-vms.ts";
import { FLT_EPSILON, singlePrecisionDiffs } from "./vectors.ts";
import { canonical, LUA_JSON_ENCODER, toLuaLiteral } from "./lua-values.ts";
import { nodemcuProfileLua } from "./nodemcu-profile.ts";

/** Transpiles a TS snippet, runs it in JS and in a real Lua VM; returns both canonical results. */
function both(target: "5.1" | "5.3", snippet: string): { js: unknown; lua: unknown } {
  const js = canonical(new Function(`return (${snippet});`)());
  const { file, diagnostics } = tstl.transpileString(`export const result = ${snippet};`, {
    luaTarget: target === "5.1" ? tstl.LuaTarget.Lua51 : tstl.LuaTarget.Lua53,
    luaLibImport: tstl.LuaLibImportKind.Inline, noHeader: true,
  });
  expect(diagnostics).toEqual([]);
  const program = `${LUA_JSON_ENCODER}\nlocal __write = io.write\n${nodemcuProfileLua(target)}\n` +
    `local m = (function() ${file?.lua} end)()\n__write(__json(m.result))`;
  return { js, lua: canonical(JSON.parse(runLuaProgram(target, program))) };
}

describe("dual-runtime harness self-test", () => {
  it("catches a known divergence: (2.5).toFixed(0) is '3' in JS, '2' in Lua", () => {
    for (const target of ["5.1", "5.3"] as const) {
      const { js, lua } = both(target, "(2.5).toFixed(0)");
      expect(js).toBe("3");
      expect(lua).not.toEqual(js);
    }
  });

  it("catches -7 % 2 (JS -1, Lua 1) and tostring of 6/2 in Lua 5.3 ('3.0')", () => {
    expect(both("5.1", "-7 % 2").lua).not.toEqual(-1);
    const s = both("5.3", "`${6 / 2}`");
    expect(s.js).toBe("3");
    expect(s.lua).toBe("3.0");
  });

  it("agrees where the runtimes really agree", () => {
    for (const target of ["5.1", "5.3"] as const) {
      const { js, lua } = both(target, "[1, 2.5, 'x', { a: -0.375 }]");
      expect(lua).toEqual(js);
    }
    // -0.1 has no exact binary value: a double holds it as JavaScript does, a single float not
    expect(both("5.1", "-0.1").lua).toBe(-0.1);
    expect(both("5.3", "-0.1").lua).not.toBe(-0.1);
  });

  it("runs Lua 5.3 with NodeMCU's numbers: 32-bit integers that wrap, single floats printed with %.7g", () => {
    const out = runLuaProgram("5.3", "print(2147483647 + 1 == -2147483648, math.maxinteger, 1/3, 16777216.0 + 1 == 16777216.0, math.type(2^31))");
    expect(out.trim()).toBe("true\t2147483647\t0.3333333\ttrue\tfloat");
  });

  it("runs Lua 5.1 as a 32-bit program: an empty table takes 32 bytes (64 in a 64-bit VM), numbers stay doubles", () => {
    const file = luaVm("5.1").file;
    const elfClass = fs.readFileSync(file).subarray(0, 5);
    expect([...elfClass]).toEqual([0x7f, 0x45, 0x4c, 0x46, 1]); // ELF, class 1 = 32-bit
    const probe = `collectgarbage("stop"); local t = {} for i = 1, 1000 do t[i] = false end
local before = collectgarbage("count") for i = 1, 1000 do t[i] = {} end
print((collectgarbage("count") - before) * 1024 / 1000, 2^53 + 1 == 2^53, 1/3)`;
    expect(runLuaProgram("5.1", probe).trim()).toBe("32\ttrue\t0.33333333333333");
    // the comparison VM of the bench's *_64 heap figures
    expect(runLuaProgram("5.1", probe, { vm: "5.1-64" }).trim()).toBe("64\ttrue\t0.33333333333333");
  });

  it("applies the NodeMCU profile: no io/os, reduced math and debug on Lua 5.1", () => {
    const probe = `${nodemcuProfileLua("5.1")}\nprint(io == nil, os == nil, math.log == nil, math.exp == nil, math.sqrt ~= nil, debug.getinfo == nil, debug.traceback ~= nil)`;
    expect(runLuaProgram("5.1", probe).trim()).toBe("true\ttrue\ttrue\ttrue\ttrue\ttrue\ttrue");
  });

  it("makes `new Error()` fail the way it does on the board (debug.getinfo is missing)", () => {
    const { file } = tstl.transpileString(`export function f() { return new Error("x").message; }`, {
      luaTarget: tstl.LuaTarget.Lua51, luaLibImport: tstl.LuaLibImportKind.Inline, noHeader: true,
    });
    const program = `${nodemcuProfileLua("5.1")}\nlocal m = (function() ${file?.lua} end)()\nprint(pcall(m.f))`;
    expect(runLuaProgram("5.1", program)).toMatch(/^false\t.*getinfo/);
  });

  it("passes strings and numbers to Lua exactly", () => {
    const values = ["a\"b\\c\n", 0.1, -3, 1e-300, 2 ** 52 + 1];
    const out = runLuaProgram("5.1", `${LUA_JSON_ENCODER}\nio.write(__json(${toLuaLiteral(values)}))`);
    expect(JSON.parse(out)).toEqual(values);
    // 32-bit integers (the most negative one included) and values a single float holds exactly
    const ints = ["x", 2147483647, -2147483648, 16777216, 0.375, -3];
    const out53 = runLuaProgram("5.3", `${LUA_JSON_ENCODER}\nio.write(__json(${toLuaLiteral(ints)}))`);
    expect(JSON.parse(out53)).toEqual(ints);
  });

  it("compares Lua 5.3 (32-bit numbers) within the vector file's tolerance: strings and integers exact", () => {
    const tol = { floatEpsilons: 2, absolute: 0.001, measuredKeys: ["loadKg"], why: "test" };
    const near = 100 * (1 + FLT_EPSILON);
    expect(singlePrecisionDiffs({ f: 100.5, s: "a" }, { f: 100.5 * (1 + 1.5 * FLT_EPSILON) + 0.0009, s: "a" }, tol)).toEqual([]);
    expect(singlePrecisionDiffs({ f: 100.5 }, { f: 100.5 * (1 + 2 * FLT_EPSILON) + 0.0011 }, tol)).toHaveLength(1);
    expect(singlePrecisionDiffs({ n: 100, s: "a" }, { n: near, s: "b" }, tol)).toHaveLength(2); // integer, string
    expect(singlePrecisionDiffs({ loadKg: 400 }, { loadKg: 399.99997 }, tol)).toEqual([]);
    expect(singlePrecisionDiffs([2147484000], [-2147483296], tol)).toHaveLength(1);
    expect(singlePrecisionDiffs(0.1, 0.10000000149011612, undefined)).toHaveLength(1); // no tolerance: exact
  });
});

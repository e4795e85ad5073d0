import { describe, expect, it } from "vitest";
import * as tstl from "typescript-to-lua";
import { runLuaProgram } from "./lua-vm.ts";
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
      const { js, lua } = both(target, "[1, 2.5, 'x', { a: -0.1 }]");
      expect(lua).toEqual(js);
    }
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
    const out = runLuaProgram("5.3", `${LUA_JSON_ENCODER}\nio.write(__json(${toLuaLiteral(values)}))`);
    expect(JSON.parse(out)).toEqual(values);
  });
});

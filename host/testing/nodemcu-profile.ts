/**
 * What the Lua standard library looks like on a NodeMCU board, as data, so the test harness
 * and the emulator restrict the VM the same way: code that would fail on the board fails here.
 * ESP8266 builds (Lua 5.1) have a reduced math library and no io/os; debug keeps only
 * traceback and getregistry (so TypeScriptToLua's `new Error()`, which calls debug.getinfo, fails).
 */
export type LuaTarget = "5.1" | "5.3";

export const NODEMCU_MATH_51 = [
  "abs", "ceil", "floor", "max", "min", "pow", "random", "randomseed", "sqrt", "pi", "huge",
] as const;

export const NODEMCU_DEBUG = ["traceback", "getregistry"] as const;

/** Lua source that applies the profile to the running VM's globals. */
export function nodemcuProfileLua(target: LuaTarget): string {
  const keepMath = target === "5.1"
    ? `local m = math; math = {${NODEMCU_MATH_51.map((k) => `${k} = m.${k}`).join(", ")}}`
    : "";
  return [
    keepMath,
    `do local d = debug; debug = {${NODEMCU_DEBUG.map((k) => `${k} = d.${k}`).join(", ")}} end`,
    "io = nil; os = nil",
    "package.loaded.io = nil; package.loaded.os = nil",
    "package.loaded.math = math; package.loaded.debug = debug",
  ].join("\n");
}

import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { flatModuleName } from "../build/flat-names.ts";
import { LUA_JSON_ENCODER, toLuaLiteral } from "./lua-values.ts";
import { describeLuaVm, luaVm, type LuaVmName } from "./lua-vms.ts";
import { nodemcuProfileLua, type LuaTarget } from "./nodemcu-profile.ts";

/**
 * Runs transpiled Lua in a real PUC-Rio Lua VM with the board's sizes (host/testing/lua-vms.ts:
 * a 32-bit Lua 5.1, a Lua 5.3 with 32-bit numbers; a child process) under the NodeMCU profile,
 * and brings results back as JSON.
 */

export function luaOutDir(target: LuaTarget): string {
  return path.resolve("build", target === "5.1" ? "lua51" : "lua53");
}

export interface LuaCall { module: string; fn: string; args: unknown[]; }
export type LuaCallResult = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * Runs a whole Lua program in the target's VM (or `opts.vm`, e.g. "5.1-64" to compare heap
 * figures with a 64-bit VM); throws with stderr when the VM itself fails.
 */
export function runLuaProgram(target: LuaTarget, program: string, opts: { timeoutMs?: number; vm?: LuaVmName } = {}): string {
  const vm = luaVm(opts.vm ?? target);
  const res = spawnSync(vm.file, ["-"], {
    input: program, encoding: "utf8", env: vm.env, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 256 * 1024 * 1024,
  });
  if (res.error) throw new Error(`${describeLuaVm(vm)} could not run: ${res.error.message} (run: bash host/tools/setup.sh)`);
  if (res.status !== 0) throw new Error(`${describeLuaVm(vm)} exited ${res.status}: ${res.stderr}`);
  return res.stdout;
}

/** Prelude: JSON encoder with the real library, then the NodeMCU profile, then the module path. */
export function luaPrelude(target: LuaTarget, luaDir = luaOutDir(target)): string {
  return [
    LUA_JSON_ENCODER,
    "local __write = io.write",
    nodemcuProfileLua(target),
    `package.path = ${toLuaLiteral(`${luaDir}/?.lua`)}`,
    "package.cpath = ''",
    "local __unpack = unpack or table.unpack",
  ].join("\n");
}

/** Calls exported functions of transpiled modules; each call is protected and reported on its own. */
export function callLua(target: LuaTarget, calls: LuaCall[], luaDir = luaOutDir(target)): LuaCallResult[] {
  const body = calls.map((c) => {
    const args = toLuaLiteral(c.args);
    return `do
  local ok, mod = pcall(require, ${toLuaLiteral(flatModuleName(c.module))})
  local res
  if ok then
    local f = mod[${toLuaLiteral(c.fn)}]
    if f == nil then ok, res = false, "no exported function ${c.fn}" else
      local a = ${args}
      ok, res = pcall(f, __unpack(a, 1, ${c.args.length}))
    end
  else res = mod end
  __write(ok and ('{"ok":true,"value":' .. __json(res) .. '}') or ('{"ok":false,"error":' .. __json(tostring(res)) .. '}'), "\\n")
end`;
  });
  const out = runLuaProgram(target, `${luaPrelude(target, luaDir)}\n${body.join("\n")}\n`);
  const lines = out.split("\n").filter((l) => l.length > 0);
  if (lines.length !== calls.length) throw new Error(`expected ${calls.length} results from Lua, got ${lines.length}:\n${out}`);
  return lines.map((l) => JSON.parse(l) as LuaCallResult);
}

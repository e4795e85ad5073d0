import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../paths.ts";

/**
 * Where each Lua VM lives: the one place that says it. The tests, the emulator and the bench run
 * Lua in the VMs that have the board's sizes, which `host/tools/setup.sh` puts in
 * .rackcell/lua32/ (Debian's packages are the 64-bit ones):
 *  - "5.1": Debian's lua5.1:i386, the ESP8266's 32-bit pointers, so tables, closures and strings
 *    take the board's bytes and heap figures are read as they are (no scale factor). Its libraries
 *    (liblua5.1, readline, tinfo) are unpacked beside it, found through LD_LIBRARY_PATH.
 *  - "5.3": Lua 5.3 built from Debian's lua5.3 source with LUA_32BITS, NodeMCU's numbers:
 *    32-bit integers (2147483647 + 1 == -2147483648) and single floats printed with %.7g.
 *  - "5.1-64": Debian's own 64-bit lua5.1, only to compare heap figures (bench `*_64`).
 * RACKCELL_LUA51_VM=5.1-64 makes the 5.1 target use the 64-bit VM (the bench's comparison run
 * goes through code that only knows "5.1").
 */
export type LuaVmName = "5.1" | "5.3" | "5.1-64";

export interface LuaVm {
  name: LuaVmName;
  /** the executable */
  file: string;
  /** environment for the child process (LD_LIBRARY_PATH for the i386 VM) */
  env: NodeJS.ProcessEnv;
  /** pointer size of the VM's build, in bits (what heap figures depend on) */
  pointerBits: 32 | 64;
}

/** The cache folder setup.sh fills, relative to the package root. */
export const LUA32_CACHE = path.join(".rackcell", "lua32");

/** Resolves a VM; "5.1" follows RACKCELL_LUA51_VM. Throws with what to run when it is missing. */
export function luaVm(name: LuaVmName, root = repoRoot()): LuaVm {
  let wanted: string = name;
  if (name === "5.1" && process.env.RACKCELL_LUA51_VM) {
    wanted = process.env.RACKCELL_LUA51_VM;
    if (wanted !== "5.1" && wanted !== "5.1-64") throw new Error(`RACKCELL_LUA51_VM=${wanted}: expected 5.1 or 5.1-64`);
  }
  // Debian's own lua5.1, on PATH
  if (wanted === "5.1-64") return { name: "5.1-64", file: "lua5.1", env: process.env, pointerBits: 64 };
  const cache = path.join(root, LUA32_CACHE);
  let vm: LuaVm;
  if (wanted === "5.1") {
    const dir = path.join(cache, "lua5.1");
    const libs = [path.join(dir, "lib", "i386-linux-gnu"), path.join(dir, "usr", "lib", "i386-linux-gnu")];
    vm = {
      name: "5.1", file: path.join(dir, "usr", "bin", "lua5.1"), pointerBits: 32,
      env: { ...process.env, LD_LIBRARY_PATH: [...libs, process.env.LD_LIBRARY_PATH].filter(Boolean).join(":") },
    };
  } else {
    vm = { name: "5.3", file: path.join(cache, "lua5.3", "lua"), env: process.env, pointerBits: 64 };
  }
  if (!fs.existsSync(vm.file)) throw new Error(`the ${describeLuaVm(vm)} is missing (${vm.file}): run bash host/tools/setup.sh`);
  return vm;
}

/** A name for messages: "Lua 5.1 (32-bit)", "Lua 5.3 (32-bit numbers)". */
export function describeLuaVm(vm: LuaVm): string {
  if (vm.name === "5.3") return "Lua 5.3 (32-bit numbers)";
  return `Lua 5.1 (${vm.pointerBits}-bit)`;
}

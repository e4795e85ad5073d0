/**
 * The firmware's world: its own global table (setfenv) holding the NodeMCU profile of Lua 5.1
 * (reduced math, no io/os, debug with traceback and getregistry only) plus the NodeMCU modules,
 * and require/dofile/loadfile reading the emulated flash ("name.lc" then "name.lua", flat names).
 * Rebuilt at every boot, so nothing of a previous boot survives a reset.
 */
import { K, api, apiPure, attachHook, cost } from "./kernel.ts";
import { joinArgs } from "./varargs";
import { exists, hostPath } from "./flash.ts";
import { consoleOut } from "./nodemcu/console.ts";
import { createUartModule } from "./nodemcu/uart.ts";
import { createTmrModule } from "./nodemcu/tmr.ts";
import { createNodeModule, settledFirmwareBytes } from "./nodemcu/node.ts";
import { createFileModule } from "./nodemcu/file.ts";
import { createGpioModule } from "./nodemcu/gpio.ts";
import { createHx711Module } from "./nodemcu/hx711.ts";
import { createBitModule } from "./nodemcu/bit.ts";
import { createStructModule } from "./nodemcu/struct.ts";
import { createEncoderModule } from "./nodemcu/encoder.ts";
import { createCryptoModule } from "./nodemcu/crypto.ts";
import { createLfsModule, loadLfs } from "./nodemcu/lfs.ts";
import { createWifiModule } from "./nodemcu/wifi.ts";
import { createMqttModule } from "./nodemcu/mqtt.ts";
import { createNetModule } from "./nodemcu/net.ts";

/** Kept in sync with host/testing/nodemcu-profile.ts (NODEMCU_MATH_51, NODEMCU_DEBUG). */
const MATH_51 = ["abs", "ceil", "floor", "max", "min", "pow", "random", "randomseed", "sqrt", "pi", "huge"];

type Env = Record<string, unknown>;

/** Reads a file of the flash and compiles it with the firmware's environment. */
function loadFlashFile(env: Env, name: string): LuaMultiReturn<[((this: void, ...a: unknown[]) => unknown) | undefined, string | undefined]> {
  if (!exists(name)) return $multi(undefined, `cannot open ${name}`);
  const [h] = io.open(hostPath(name), "rb");
  if (h === undefined) return $multi(undefined, `cannot open ${name}`);
  const code = (h.read("*a") as string | undefined) ?? "";
  h.close();
  cost(200 + code.length * 0.5);
  const [f, err] = loadstring(code, `@${name}`);
  if (f === undefined) return $multi(undefined, err);
  setfenv(f, env);
  return $multi(f as (this: void, ...a: unknown[]) => unknown, undefined);
}

/** print(...): varargs straight through (no table per call: it would count as the heap). */
const [printChunk] = loadstring(`
local joinArgs, consoleOut = ...
return function(...) return consoleOut(joinArgs("\\t", ...) .. "\\n") end`, "=emu_print");
const printImpl = (printChunk as unknown as (this: void, ...a: unknown[]) => (this: void, ...a: unknown[]) => void)(joinArgs, consoleOut);

export function createSandbox(): Env {
  const env: Env = {};
  const realMath = math as unknown as Record<string, unknown>;
  const m: Env = {};
  for (const k of MATH_51) m[k] = realMath[k];
  const registry: Env = {};
  const loaded: Env = {};

  const base: Env = {
    assert, error, ipairs, next, pairs, pcall, rawequal, rawget, rawset, select, setmetatable, getmetatable,
    tonumber, tostring, type, unpack, xpcall, _VERSION: "Lua 5.1",
    string, table, math: m,
    debug: { traceback: debug.traceback, getregistry: () => registry },
    newproxy: (_G as Env).newproxy,
  };
  for (const k in base) env[k] = base[k];
  env._G = env;

  // Coroutines get the count hook too (hooks are per thread in Lua 5.1).
  const co = coroutine as unknown as Env;
  env.coroutine = {
    create: apiPure((f: (this: void, ...a: unknown[]) => unknown) => {
      const c = coroutine.create(f);
      attachHook(c);
      return c;
    }, 5),
    resume: co.resume, running: co.running, status: co.status, yield: co.yield,
    wrap: (f: (this: void, ...a: unknown[]) => unknown) => {
      const c = coroutine.create(f);
      attachHook(c);
      return (...a: unknown[]) => {
        const r = [coroutine.resume(c, ...a)] as unknown[];
        if (r[0] !== true) return error(r[1] as string, 0);
        return $multi(...r.slice(1));
      };
    },
  };

  env.print = api(printImpl, 5);

  // Lua's own loaders compile into the thread's globals: give them the firmware's instead. They
  // are C on the board: stand-ins (compiling costs what loadFlashFile charges, not instructions).
  env.loadstring = apiPure((s: string, name?: string) => {
    const [f, err] = loadstring(s, name);
    if (f === undefined) return $multi(undefined, err);
    setfenv(f, env);
    return f;
  }, 20);
  env.load = apiPure((fn: (this: void) => string | undefined, name?: string) => {
    const [f, err] = load(fn, name);
    if (f === undefined) return $multi(undefined, err);
    setfenv(f, env);
    return f;
  }, 20);
  env.loadfile = apiPure((name: string) => {
    const [f, err] = loadFlashFile(env, name);
    if (f === undefined) return $multi(undefined, err);
    return f;
  }, 5);
  const dofileLoad = apiPure((name: string) => loadFlashFile(env, name), 5);
  // The chunk runs on the firmware's thread (its instructions are the firmware's); errors are
  // raised here so their position is the caller's (level 2), as luaL_error does on the board.
  env.dofile = (name: string) => {
    const [f, err] = dofileLoad(name);
    if (f === undefined) return error(err as string, 2);
    return f();
  };
  env.getfenv = (f?: unknown) => {
    const r = getfenv(f as number ?? 1) as unknown;
    return r === _G ? env : r;
  };
  env.setfenv = setfenv;
  env.collectgarbage = apiPure((opt?: string, arg?: number) => {
    const o = opt ?? "collect";
    if (o === "count") {
      const bytes = settledFirmwareBytes();
      return $multi(bytes / 1024, bytes % 1024);
    }
    if (o === "collect" || o === "step") return collectgarbage(o as "collect");
    if (o === "setpause" || o === "setstepmul") return collectgarbage(o as "setpause", arg ?? 0);
    return 0;
  }, 5);

  const lfs = loadLfs(env);
  const pkg: Env = { loaded, path: "?.lc;?.lua", preload: {} };
  env.package = pkg;
  /** require's C part: (true, value) when loaded, (false, loader) to run, (undefined, message) on error. */
  const requireFind = apiPure((name: unknown) => {
    if (type(name) !== "string") return $multi(undefined, "bad argument #1 to 'require' (string expected)");
    const key = name as string;
    if (loaded[key] !== undefined) return $multi(true, loaded[key]);
    const pre = (pkg.preload as Env)[key];
    let loader: ((this: void, ...a: unknown[]) => unknown) | undefined = type(pre) === "function" ? (pre as (this: void, ...a: unknown[]) => unknown) : undefined;
    if (loader === undefined) {
      const [path] = string.gsub(key, "%.", "/");
      for (const candidate of [`${path}.lc`, `${path}.lua`]) {
        const [f, err] = loadFlashFile(env, candidate);
        if (f !== undefined) { loader = f; break; }
        if (err !== undefined && string.sub(err, 1, 12) !== "cannot open ") return $multi(undefined, `error loading module '${key}' from file '${candidate}':\n\t${err}`);
      }
    }
    if (loader === undefined && lfs.fns[key] !== undefined) loader = lfs.fns[key];
    if (loader === undefined) {
      return $multi(undefined, `module '${key}' not found:\n\tno field package.preload['${key}']\n\tno file '${string.gsub(key, "%.", "/")[0]}.lc'\n\tno file '${string.gsub(key, "%.", "/")[0]}.lua'`);
    }
    loaded[key] = true;
    return $multi(false, loader);
  }, 10);
  const requireDone = apiPure((key: string, r: unknown) => {
    if (r !== undefined) loaded[key] = r;
    return loaded[key];
  }, 2);
  // The module's chunk runs on the firmware's thread: its instructions are the firmware's.
  env.require = (name: unknown) => {
    const [hit, v] = requireFind(name);
    if (hit === true) return v;
    if (hit === undefined) return error(v as string, 2);
    return requireDone(name as string, (v as (this: void, n: unknown) => unknown)(name));
  };

  const modules: Record<string, Env> = {
    uart: createUartModule(), tmr: createTmrModule(), node: createNodeModule(), file: createFileModule(),
    gpio: createGpioModule(), hx711: createHx711Module(), bit: createBitModule(), struct: createStructModule(),
    encoder: createEncoderModule(), crypto: createCryptoModule(), wifi: createWifiModule(), mqtt: createMqttModule(), net: createNetModule(),
  };
  const lfsModule = createLfsModule(lfs);
  const nodeModule = modules.node as Env;
  nodeModule.LFS = lfsModule;
  nodeModule.flashindex = lfsModule.get;
  nodeModule.flashreload = lfsModule.reload;
  for (const k in modules) {
    env[k] = modules[k];
    loaded[k] = modules[k];
  }
  for (const k of ["string", "table", "math", "debug", "coroutine", "_G"]) loaded[k] = env[k];
  void K;
  return env;
}

import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { callLua, type LuaCallResult } from "./lua-vm.ts";
import { canonical } from "./lua-values.ts";
import type { LuaTarget } from "./nodemcu-profile.ts";

/**
 * How far Lua 5.3 with NodeMCU's numbers (32-bit integers, single floats) may be from JavaScript,
 * stated in the vector file with its reason. Integers below 2^24 (counts, indexes, µs, sequence
 * numbers: exact in a single float too) and strings stay exact; other numbers agree within
 * floatEpsilons × FLT_EPSILON (2^-23) of JavaScript's value, plus `absolute` where a result is a
 * small difference of large numbers (a residual), whose error scales with the large ones.
 * `measuredKeys` names result fields that are measured quantities even when JavaScript's value
 * happens to be an integer (400 kg = 3922.66 N / g), so they take the tolerance too.
 */
export interface SinglePrecision {
  floatEpsilons: number;
  absolute?: number;
  measuredKeys?: string[];
  why: string;
}

/** A result that cannot be JavaScript's on a 32-bit-number VM (e.g. an input it cannot hold), pinned. */
export interface Lua53Case { expect: unknown; why: string }

/** A vector file: calls into one shared/ module with their hand-checked results. */
export interface VectorFile {
  module: string;
  about?: string;
  lua53?: SinglePrecision;
  cases: { fn: string; args: unknown[]; expect?: unknown; expectError?: boolean; lua53?: Lua53Case }[];
}

export const FLT_EPSILON = 2 ** -23;
const FLOAT_EXACT_INTEGERS = 2 ** 24;

/**
 * Compares a Lua 5.3 (32-bit numbers) result with JavaScript's under the file's tolerance;
 * returns the paths that differ (empty when they agree).
 */
export function singlePrecisionDiffs(js: unknown, lua: unknown, tol: SinglePrecision | undefined, at = ""): string[] {
  if (typeof js === "number" && typeof lua === "number") {
    if (js === lua) return [];
    const key = at.slice(at.lastIndexOf(".") + 1);
    const exact = Number.isInteger(js) && Math.abs(js) < FLOAT_EXACT_INTEGERS && !(tol?.measuredKeys ?? []).includes(key);
    if (tol === undefined || exact) return [`${at}: ${lua} (JavaScript ${js})`];
    const allowed = tol.floatEpsilons * FLT_EPSILON * Math.abs(js) + (tol.absolute ?? 0);
    return Math.abs(lua - js) <= allowed ? [] : [`${at}: ${lua} (JavaScript ${js}, off by ${Math.abs(lua - js)} > ${allowed})`];
  }
  if (typeof js === "object" && js !== null && typeof lua === "object" && lua !== null && Array.isArray(js) === Array.isArray(lua)) {
    const a = js as Record<string, unknown>;
    const b = lua as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => (k in a && k in b ? singlePrecisionDiffs(a[k], b[k], tol, `${at}.${k}`) : [`${at}.${k}: only in ${k in a ? "JavaScript" : "Lua"}`]));
  }
  return JSON.stringify(js) === JSON.stringify(lua) ? [] : [`${at}: ${JSON.stringify(lua)} (JavaScript ${JSON.stringify(js)})`];
}

export function findVectorFiles(root = "shared"): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".json") && path.basename(dir) === "vectors") found.push(full);
    }
  };
  walk(root);
  return found.sort();
}

export function loadVectorFile(file: string): VectorFile {
  const spec = JSON.parse(fs.readFileSync(file, "utf8")) as VectorFile;
  if (typeof spec.module !== "string" || !Array.isArray(spec.cases)) {
    throw new Error(`${file}: expected { module, cases: [{ fn, args, expect }] }`);
  }
  return spec;
}

/** Runs the cases in this JavaScript runtime, canonicalised like the Lua results. */
export async function runVectorsInJs(spec: VectorFile): Promise<LuaCallResult[]> {
  const mod = (await import(pathToFileURL(path.resolve(`${spec.module}.ts`)).href)) as Record<string, unknown>;
  return spec.cases.map((c) => {
    const fn = mod[c.fn];
    if (typeof fn !== "function") return { ok: false, error: `no exported function ${c.fn}` };
    try {
      // Deep-copy arguments: a function that mutates its input must not leak into the Lua run.
      const args = JSON.parse(JSON.stringify(c.args)) as unknown[];
      return { ok: true, value: canonical((fn as (...a: unknown[]) => unknown)(...args)) };
    } catch (e) {
      return { ok: false, error: String(e) };
    }
  });
}

export function runVectorsInLua(target: LuaTarget, spec: VectorFile): LuaCallResult[] {
  return callLua(target, spec.cases.map((c) => ({ module: spec.module, fn: c.fn, args: c.args }))).map((r) =>
    r.ok ? { ok: true, value: canonical(r.value) } : r,
  );
}

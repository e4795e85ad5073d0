import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { callLua, type LuaCallResult } from "./lua-vm.ts";
import { canonical } from "./lua-values.ts";
import type { LuaTarget } from "./nodemcu-profile.ts";

/** A vector file: calls into one shared/ module with their hand-checked results. */
export interface VectorFile {
  module: string;
  about?: string;
  cases: { fn: string; args: unknown[]; expect?: unknown; expectError?: boolean }[];
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

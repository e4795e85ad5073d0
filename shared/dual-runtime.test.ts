import { describe, expect, it } from "vitest";
import type { LuaCallResult } from "../host/testing/lua-vm.ts";
import { canonical } from "../host/testing/lua-values.ts";
import { findVectorFiles, loadVectorFile, runVectorsInJs, runVectorsInLua } from "../host/testing/vectors.ts";

/**
 * Every shared/ module's vectors run in JavaScript, Lua 5.1 and Lua 5.3 (NodeMCU profile).
 * JavaScript must give the hand-checked result; each Lua must give exactly what JavaScript gave.
 */
const files = findVectorFiles("shared");

function label(spec: { cases: { fn: string; args: unknown[] }[] }, i: number): string {
  const c = spec.cases[i];
  return `${c.fn}(${JSON.stringify(c.args).slice(1, -1).slice(0, 80)})`;
}

describe("shared/ test vectors", () => {
  it("exist for every shared module folder", () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  for (const file of files) {
    const spec = loadVectorFile(file);
    describe(file, () => {
      let js: LuaCallResult[] = [];
      it("JavaScript gives the hand-checked results", async () => {
        js = await runVectorsInJs(spec);
        spec.cases.forEach((c, i) => {
          if (c.expectError) expect(js[i].ok, label(spec, i)).toBe(false);
          else expect(js[i], label(spec, i)).toEqual({ ok: true, value: canonical(c.expect) });
        });
      });
      for (const target of ["5.1", "5.3"] as const) {
        it(`Lua ${target} (NodeMCU profile) gives the same results as JavaScript`, async () => {
          if (js.length === 0) js = await runVectorsInJs(spec);
          const lua = runVectorsInLua(target, spec);
          spec.cases.forEach((c, i) => {
            if (c.expectError) expect(lua[i].ok, label(spec, i)).toBe(false);
            else expect(lua[i], `${label(spec, i)} in Lua ${target}`).toEqual(js[i]);
          });
        });
      }
    });
  }
});

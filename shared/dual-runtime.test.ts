import { describe, expect, it } from "vitest";
import type { LuaCallResult } from "../host/testing/lua-vm.ts";
import { canonical } from "../host/testing/lua-values.ts";
import { findVectorFiles, loadVectorFile, runVectorsInJs, runVectorsInLua, singlePrecisionDiffs } from "../host/testing/vectors.ts";

/**
 * Every shared/ module's vectors run in JavaScript, Lua 5.1 and Lua 5.3 (NodeMCU profile), in
 * VMs with the board's sizes (host/testing/lua-vms.ts). JavaScript must give the hand-checked
 * result; the 32-bit Lua 5.1 (doubles, as the ESP8266) exactly what JavaScript gave; the Lua 5.3
 * with 32-bit integers and single floats the same within the tolerance its vector file states
 * (exact for strings and integers), or the result a case pins with its reason.
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
      it("Lua 5.1, 32-bit (NodeMCU profile) gives the same results as JavaScript", async () => {
        if (js.length === 0) js = await runVectorsInJs(spec);
        const lua = runVectorsInLua("5.1", spec);
        spec.cases.forEach((c, i) => {
          if (c.expectError) expect(lua[i].ok, label(spec, i)).toBe(false);
          else expect(lua[i], `${label(spec, i)} in Lua 5.1`).toEqual(js[i]);
        });
      });
      it("Lua 5.3, 32-bit numbers (NodeMCU profile) agrees with JavaScript within the file's single-precision tolerance", async () => {
        if (js.length === 0) js = await runVectorsInJs(spec);
        const lua = runVectorsInLua("5.3", spec);
        spec.cases.forEach((c, i) => {
          const where = `${label(spec, i)} in Lua 5.3 (32-bit numbers)`;
          if (c.expectError) {
            expect(lua[i].ok, where).toBe(false);
            return;
          }
          expect(lua[i].ok, `${where}: ${JSON.stringify(lua[i])}`).toBe(true);
          const got = (lua[i] as { value: unknown }).value;
          if (c.lua53) {
            expect(c.lua53.why.length, `${where}: a pinned result says why`).toBeGreaterThan(0);
            expect(got, `${where} (pinned: ${c.lua53.why})`).toEqual(canonical(c.lua53.expect));
            return;
          }
          expect(js[i].ok, where).toBe(true);
          expect(singlePrecisionDiffs((js[i] as { value: unknown }).value, got, spec.lua53), where).toEqual([]);
        });
      });
    });
  }
});

import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { luaOutDir, luaPrelude, runLuaProgram } from "../testing/lua-vm.ts";
import { MAX_FLASH_NAME_BYTES } from "./flat-names.ts";
import { DEFAULT_BOARD } from "../paths.ts";

/**
 * Every Lua file the build produces must fit NodeMCU's flat file system and load in a NodeMCU-
 * profiled VM. Loading a module must not touch hardware (only init.lua starts anything), so
 * each module except init is required with no NodeMCU modules present at all.
 */
for (const target of ["5.1", "5.3"] as const) {
  describe(`build output for Lua ${target}`, () => {
    const dir = luaOutDir(target);
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".lua"));

    it("has flat names of at most 31 bytes", () => {
      expect(files.length).toBeGreaterThan(3);
      for (const f of files) expect(Buffer.byteLength(f), f).toBeLessThanOrEqual(MAX_FLASH_NAME_BYTES);
      expect(fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory())).toEqual([]);
    });

    it("loads every module under the NodeMCU profile", () => {
      const boardDir = path.resolve("build/boards", DEFAULT_BOARD);
      const modules = files.map((f) => f.slice(0, -4)).filter((m) => m !== "init");
      const program = `${luaPrelude(target, dir)}
package.path = package.path .. ";${boardDir}/?.lua"
local failed = {}
for _, m in ipairs({${modules.map((m) => `"${m}"`).join(",")}}) do
  local ok, err = pcall(require, m)
  if not ok then failed[#failed + 1] = m .. ": " .. tostring(err) end
end
io_write = nil
__write(#failed == 0 and "ok" or table.concat(failed, "\\n"))`;
      expect(runLuaProgram(target, program)).toBe("ok");
    });
  });
}

import * as fs from "node:fs";
import * as path from "node:path";
import { runLuaProgram } from "../../host/testing/lua-vm.ts";
import { luaPrelude } from "../../host/testing/lua-vm.ts";

/**
 * Size of what goes on the board and what loading it costs in Lua heap (Lua 5.1, NodeMCU
 * profile): every firmware module except init (which would start the application) is required,
 * then a full collection, then collectgarbage("count") minus the count before.
 */
interface Manifest { luaDir: string; files: { name: string; bytes: number }[] }

export async function figures(): Promise<Record<string, number>> {
  const manifest = JSON.parse(fs.readFileSync("build/manifest.json", "utf8")) as Manifest;
  const lualib = manifest.files.find((f) => f.name === "lualib_bundle.lua");
  const modules = manifest.files.map((f) => f.name.slice(0, -4)).filter((m) => m !== "init");
  const program = `${luaPrelude("5.1", path.resolve(manifest.luaDir))}
collectgarbage("collect"); collectgarbage("collect")
local before = collectgarbage("count")
local keep = {}
for _, m in ipairs(${JSON.stringify(modules).replace("[", "{").replace(/]$/, "}")}) do keep[#keep + 1] = require(m) end
collectgarbage("collect"); collectgarbage("collect")
__write(string.format("%.3f", collectgarbage("count") - before))`;
  const heapKb = Number(runLuaProgram("5.1", program));
  return {
    "lua.lualib_bytes": lualib?.bytes ?? 0,
    "lua.firmware_bytes": manifest.files.reduce((s, f) => s + f.bytes, 0),
    "lua.heap_after_load_kb": heapKb,
  };
}

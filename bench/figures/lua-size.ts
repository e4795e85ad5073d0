import * as path from "node:path";
import { luaPrelude, runLuaProgram } from "../../host/testing/lua-vm.ts";
import { readManifest } from "../../host/build/manifest.ts";
import { loadBoard } from "../../host/build/boards.ts";
import { DEFAULT_BOARD } from "../../host/paths.ts";

/**
 * Size of what goes on the board and what loading it costs in Lua heap (Lua 5.1 under the
 * NodeMCU profile, in the 32-bit VM: the ESP8266's pointer sizes, bytes read as they are; the
 * `_64` figure is the same in Debian's 64-bit lua5.1, for comparison). Every firmware module
 * except init (which would start the application) is compiled, then required:
 *  - lua.heap_after_load_kb: what the board's heap holds when the code runs from LFS (compiled
 *    functions and constants in flash): module tables, closures and upvalues created by require;
 *    lua.heap_after_load_kb_64: the same in the 64-bit VM;
 *  - lua.heap_after_load_source_kb: the same modules compiled from source into RAM as well.
 */
export async function figures(): Promise<Record<string, number>> {
  const manifest = readManifest(".");
  if (manifest.lfs === undefined) throw new Error("build/manifest.json names no LFS image: run npm run build");
  const lualib = manifest.files.find((f) => f.name === "lualib_bundle.lua");
  const modules = manifest.files.map((f) => f.name.slice(0, -4)).filter((m) => m !== "init");
  const luaDir = path.resolve(manifest.luaDir);
  const program = `local __loadfile = loadfile
${luaPrelude("5.1", luaDir)}
collectgarbage("collect"); collectgarbage("collect")
local before = collectgarbage("count")
local chunks = {}
for _, m in ipairs({${modules.map((m) => `"${m}"`).join(",")}}) do
  chunks[m] = assert(__loadfile(${JSON.stringify(luaDir)} .. "/" .. m .. ".lua"))
  package.preload[m] = chunks[m]
end
collectgarbage("collect"); collectgarbage("collect")
local compiled = collectgarbage("count")
local keep = {}
for m in pairs(chunks) do keep[#keep + 1] = require(m) end
collectgarbage("collect"); collectgarbage("collect")
local loaded = collectgarbage("count")
__write(string.format("%.3f %.3f", loaded - compiled, loaded - before))`;
  const [lfsKb, sourceKb] = runLuaProgram("5.1", program).trim().split(" ").map(Number);
  const [lfsKb64] = runLuaProgram("5.1", program, { vm: "5.1-64" }).trim().split(" ").map(Number);
  return {
    "lua.lualib_bytes": lualib?.bytes ?? 0,
    "lua.firmware_bytes": manifest.files.reduce((s, f) => s + f.bytes, 0),
    "lua.lfs_image_bytes": manifest.lfs.bytes,
    // The partition the default board asks for (boards/*.json lfsPartitionBytes); the image must fit it.
    "lua.lfs_partition_bytes": loadBoard(DEFAULT_BOARD).lfsPartitionBytes,
    "lua.heap_after_load_kb": lfsKb,
    "lua.heap_after_load_kb_64": lfsKb64,
    "lua.heap_after_load_source_kb": sourceKb,
  };
}

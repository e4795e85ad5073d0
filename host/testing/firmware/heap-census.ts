import * as path from "node:path";
import { luaPrelude, luaOutDir, runLuaProgram } from "../lua-vm.ts";
import { FAKE_NODEMCU_LUA } from "./fake-nodemcu.ts";
import { DEFAULT_BOARD } from "../../paths.ts";

/**
 * Heap census of the firmware in a plain Lua 5.1 VM (the fake NodeMCU): where the resident heap
 * goes, without the emulated board's own allocations in the figure. Every module chunk is
 * compiled before the baseline (as LFS keeps code and constants in flash), so what is counted is
 * what the firmware creates: closures, module tables, state. Sizes are host bytes of a 64-bit
 * Lua 5.1 (the emulated board reports host bytes × heapScale 0.65).
 *
 *   npx tsx host/testing/firmware/heap-census.ts [seconds]
 */
const MODULES = ["lualib_bundle", "board_unwrap", "filters_median3", "analysis_window", "analysis_detector", "framer", "sink", "sampler", "proto_rackcell", "app"];

export interface CensusRow { what: string; bytes: number }

export function heapCensus(seconds = 5, board = DEFAULT_BOARD): CensusRow[] {
  const boardDir = path.resolve("build/boards", board);
  const luaDir = luaOutDir("5.1");
  const program = `local __sethook = debug.sethook
${luaPrelude("5.1", luaDir)}
package.path = package.path .. ";${boardDir}/?.lua"
${FAKE_NODEMCU_LUA}
local T = FAKE
local board = require("board")
T.safePin = board.safeModePin
for _, ch in ipairs(board.channels) do if ch.reader == "gpio-bitbang" then T.bbClk = ch.clkPin; T.bbData = ch.dataPin end end
T.files = {}
T.next = {T.now + 3000, T.now + 9000}
T.value = {1000, -2000}
-- code in "flash": every chunk compiled before the baseline
local chunks = {}
for _, f in ipairs({"lualib_bundle","board_unwrap","filters_median3","analysis_window","analysis_detector","framer","sink","sampler","proto_rackcell","app",
  "commands","collect","calstore","liftlog","board_calfile","board_liftrecord","calibration_fit","protocol_messages","protocol_frame",
  "protocol_wire_number","protocol_checksum","buildinfo"}) do
  local fn = assert(loadfile("${luaDir}/" .. f .. ".lua"))
  chunks[f] = fn
  package.preload[f] = fn
end
for i = 1, 64 do package.loaded["pad" .. i] = true end
for i = 1, 64 do package.loaded["pad" .. i] = nil end
-- rows preallocated (a mark allocates nothing the next one would count)
local names, sizes, nrows = {}, {}, 0
for i = 1, 100 do names[i] = ""; sizes[i] = 0 end
local function kb() collectgarbage("collect"); collectgarbage("collect"); return collectgarbage("count") * 1024 end
local prev = kb()
local function mark(what) local k = kb(); nrows = nrows + 1; names[nrows] = what; sizes[nrows] = k - prev; prev = kb() end
mark("(start)")
for _, m in ipairs(${JSON.stringify(MODULES).replace("[", "{").replace(/]$/, "}")}) do require(m); mark("module " .. m) end
T.counted(function() require("app").start() end)
T.run(${seconds} * 1000000)
T.take()
mark("app.start + ${seconds} s streaming")
-- the context, captured through a stand-in commands module
local ctx
package.loaded.commands = { handleLine = function(c) ctx = c end, unload = function() end }
package.preload.commands = nil
T.send("x")
package.loaded.commands = nil
T.take()
mark("(capture)")
T.counted(function() ctx.control.stop() end)
T.timers = {}
T.tasks = {}
mark("stopApp")
local keys = {}
for k in pairs(ctx) do keys[#keys + 1] = k end
table.sort(keys)
for _, k in ipairs(keys) do
  if type(ctx[k]) == "table" then ctx[k] = nil; mark(k) end
end
ctx = nil
T.uartcb = nil
T.hx = nil
T.trigs = {}
mark("ctx (rest)")
for _, m in ipairs({"app","proto_rackcell","sampler","sink","framer","analysis_detector","analysis_window","filters_median3","board_unwrap","lualib_bundle","board","buildinfo"}) do
  package.loaded[m] = nil; mark("unload " .. m)
end
T.take()
mark("(fake board, left over)")
local rows = {}
for i = 1, nrows do rows[i] = { what = names[i], bytes = sizes[i] } end
__write(__json(rows))
`;
  const out = runLuaProgram("5.1", program, { timeoutMs: 120_000 });
  return JSON.parse(out) as CensusRow[];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = heapCensus(Number(process.argv[2] ?? 5));
  for (const r of rows) console.log(`${r.what.padEnd(34)} ${String(Math.round(r.bytes)).padStart(7)} B  (≈${Math.round(r.bytes * 0.65)} board B)`);
}

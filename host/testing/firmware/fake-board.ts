import * as path from "node:path";
import { luaPrelude, luaOutDir, runLuaProgram } from "../lua-vm.ts";
import { toLuaLiteral } from "../lua-values.ts";
import type { LuaTarget } from "../nodemcu-profile.ts";
import { FAKE_NODEMCU_LUA } from "./fake-nodemcu.ts";
import { FAKE_NET_LUA } from "./fake-net.ts";
import { DEFAULT_BOARD } from "../../paths.ts";

/** Runs `script` (Lua, with FAKE = the fake board) after booting the app on the fake NodeMCU; returns what the script __write()s as JSON. */
export function runOnFake(target: LuaTarget, opts: { files?: Record<string, string>; board?: string; start?: boolean }, script: string): unknown {
  const boardDir = path.resolve("build/boards", opts.board ?? DEFAULT_BOARD);
  const program = `local __sethook = debug.sethook
${luaPrelude(target, luaOutDir(target))}
package.path = package.path .. ";${boardDir}/?.lua"
${FAKE_NODEMCU_LUA}
${FAKE_NET_LUA}
local T = FAKE
local board = require("board")
T.safePin = board.safeModePin
for _, ch in ipairs(board.channels) do if ch.reader == "gpio-bitbang" then T.bbClk = ch.clkPin; T.bbData = ch.dataPin end end
T.files = ${toLuaLiteral(opts.files ?? {})}
T.next = {T.now + 3000, T.now + 9000}
${opts.start === false ? "" : 'T.counted(function() require("app").start() end)'}
${script}
`;
  const out = runLuaProgram(target, program, { timeoutMs: 600_000 });
  try {
    return JSON.parse(out);
  } catch {
    throw new Error(`fake board output is not JSON:\n${out.slice(0, 2000)}`);
  }
}

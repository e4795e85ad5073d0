import { buildLuaProject } from "../build/lua-build.ts";

/** Tests run against fresh Lua output: transpile before any test file loads. */
export default function setup(): void {
  buildLuaProject("tsconfig.lua51.json");
  buildLuaProject("tsconfig.lua53.json");
}

/**
 * NodeMCU's SPIFFS is flat (no directories) and names are limited to 31 bytes, while
 * TypeScriptToLua mirrors the source tree and requires modules as "a.b.c". These helpers
 * map a module path to a flat file name both the build and `deploy` agree on.
 */
export const MAX_FLASH_NAME_BYTES = 31;

/** "shared/protocol/frame" or "shared.protocol.frame" → "protocol_frame" */
export function flatModuleName(modulePath: string): string {
  const parts = modulePath.replace(/\.lua$/, "").split(/[./\\]/).filter((p) => p.length > 0);
  if (parts[0] === "shared" || parts[0] === "firmware") parts.shift();
  // The emulator's board side is Lua too, but never goes on flash: keep it apart by a prefix.
  if (parts[0] === "host" && parts[1] === "emulator" && parts[2] === "board") parts.splice(0, 3, "emu");
  return parts.join("_").replace(/-/g, "_");
}

export function flatFileName(relativeLuaPath: string): string {
  return `${flatModuleName(relativeLuaPath)}.lua`;
}

/** Rewrites every require("a.b.c") in a chunk to its flat module name. */
export function rewriteRequires(luaCode: string): string {
  return luaCode.replace(/require\("([^"]+)"\)/g, (_m, name: string) => `require("${flatModuleName(name)}")`);
}

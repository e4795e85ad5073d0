import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The firmware's code runs from the Lua Flash Store (LFS) on an ESP8266: compiled functions and
 * constant strings stay in flash and only what the code creates at run time takes heap. Loading
 * the same ~120 KB of Lua source into RAM would need several times the ≈44 KB an ESP8266 has.
 *
 * A real board's image is built by NodeMCU's `luac.cross -f -o lfs.img <files>` (a C tool from
 * the nodemcu-firmware tree). The emulated board takes this stand-in format instead, which holds
 * the same modules as source: "RCLFS1\n" then, per module, "<name>\n<byte length>\n<source>".
 * init.lua stays on SPIFFS, as NodeMCU's own LFS examples do, so a bad image can be replaced.
 */
export const LFS_MAGIC = "RCLFS1\n";

export function encodeLfsImage(modules: { name: string; source: Buffer }[]): Buffer {
  const parts: Buffer[] = [Buffer.from(LFS_MAGIC)];
  for (const m of modules) {
    parts.push(Buffer.from(`${m.name}\n${m.source.length}\n`), m.source);
  }
  return Buffer.concat(parts);
}

/**
 * The module's source without each line's leading indentation (≈ 20 % of TSTL's output): the
 * same tokens on the same lines, so the compiled functions, their heap, speed and line numbers
 * are unchanged. A module with a long bracket ([[ or [=[, whose text keeps its indentation) or a
 * backslash at a line's end (a string continued on the next line) is left as it is.
 */
export function leanSource(source: Buffer): Buffer {
  const text = source.toString("latin1");
  if (/\[=*\[/.test(text) || /\\\r?\n/.test(text)) return source;
  return Buffer.from(text.replace(/^[ \t]+/gm, ""), "latin1");
}

/** Modules of the firmware closure that go into LFS: everything but init (which boots it). */
export function writeLfsImage(luaDir: string, files: string[], outFile: string): string[] {
  const modules = files.filter((f) => f !== "init.lua").map((f) => ({
    name: f.slice(0, -".lua".length),
    source: leanSource(fs.readFileSync(path.join(luaDir, f))),
  }));
  fs.writeFileSync(outFile, encodeLfsImage(modules));
  return modules.map((m) => m.name);
}

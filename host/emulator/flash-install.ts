import * as fs from "node:fs";
import * as path from "node:path";
import { readManifest } from "../build/manifest.ts";

/**
 * Copies the built firmware (build/manifest.json) and the board's board.lua into an empty flash.
 * When the build made an LFS image, the SPIFFS files are copied, the image too (as lfs.img) and
 * it is flashed into the LFS partition, as `deploy` + node.LFS.reload() would leave the board.
 * Returns the names written.
 */
export function installFirmware(root: string, flashDir: string, board: string): string[] {
  const manifest = readManifest(root);
  const copied: string[] = [];
  const copy = (from: string, name: string) => {
    fs.copyFileSync(path.join(root, from), path.join(flashDir, name));
    copied.push(name);
  };
  if (manifest.lfs && manifest.spiffs) {
    for (const name of manifest.spiffs) copy(path.join(manifest.luaDir, name), name);
    copy(manifest.lfs.image, "lfs.img");
    fs.copyFileSync(path.join(root, manifest.lfs.image), path.join(flashDir, ".lfs-partition"));
  } else {
    for (const f of manifest.files) copy(path.join(manifest.luaDir, f.name), f.name);
  }
  const boardLua = path.join("build", "boards", board, "board.lua");
  if (fs.existsSync(path.join(root, boardLua))) copy(boardLua, "board.lua");
  return copied;
}

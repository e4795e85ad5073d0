/**
 * build/manifest.json: what `npm run build` made for the board (the files, their hashes, the LFS
 * image). Written by build.ts; read here by everyone else (deploy, the emulator's flash install,
 * the bench), so its shape and location have one home.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface ManifestFile { name: string; bytes: number; sha256: string }
export interface Manifest {
  version: string; buildHash: string; luaDir: string; boards: string[]; files: ManifestFile[];
  /** the emulated board's LFS image and the files that stay on SPIFFS (see host/build/lfs-image.ts) */
  lfs?: { image: string; bytes: number; modules: string[] };
  spiffs?: string[];
}

/** The manifest's path below the repository root. */
export const MANIFEST_PATH = path.join("build", "manifest.json");

/** Reads root/build/manifest.json; a missing one says how to make it. */
export function readManifest(root: string): Manifest {
  const file = path.join(root, MANIFEST_PATH);
  if (!fs.existsSync(file)) throw new Error(`${file} not found: run \`npm run build\` first`);
  return JSON.parse(fs.readFileSync(file, "utf8")) as Manifest;
}

/**
 * Where the package lives and which board is meant when none is named: one home for both, used
 * by the build, the emulator, the CLI, the web server, the tests and the bench.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/** The board every command, test and bench uses unless told otherwise (boards/<name>.json). */
export const DEFAULT_BOARD = "nodemcu-v3-2pin";

const PACKAGE_NAME = "rackcell";
let cachedRoot: string | undefined;

/**
 * The folder holding rackcell's package.json (and boards/, build/, dist/): found by walking up
 * from this module, so it is the same from the sources (host/paths.ts) and from the bundle
 * (dist/rackcell.mjs), whatever the current directory.
 */
export function repoRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, "package.json");
    if (fs.existsSync(pkg) && isRackcellPackage(pkg)) {
      cachedRoot = dir;
      return dir;
    }
    if (path.dirname(dir) === dir) break;
  }
  throw new Error(`cannot find rackcell's package.json in ${start} or any folder above it: run rackcell from its package (dist/rackcell.mjs beside package.json)`);
}

function isRackcellPackage(file: string): boolean {
  try {
    return (JSON.parse(fs.readFileSync(file, "utf8")) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

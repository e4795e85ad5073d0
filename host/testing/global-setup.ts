import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { newestSourceMs } from "../build/lua-build.ts";

/**
 * Tests run against current build output: when any source is newer than build/manifest.json
 * (or it is missing), run the full build first. `npm test` (and CI) builds before vitest and stops
 * on a build error; here, during development, a failed rebuild only warns as long as an earlier
 * build exists, so one module's work in progress does not block every other test.
 */
export default function setup(): void {
  const manifest = "build/manifest.json";
  const stale = !fs.existsSync(manifest) ||
    newestSourceMs(["shared", "firmware", "host", "boards"]) > fs.statSync(manifest).mtimeMs;
  if (!stale) return;
  try {
    execFileSync("npx", ["tsx", "host/build/build.ts"], { stdio: "inherit" });
  } catch (e) {
    if (!fs.existsSync(manifest)) throw e;
    console.warn("\nglobal-setup: the rebuild failed (see above); tests use the previous build output\n");
  }
}

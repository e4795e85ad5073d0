import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { newestSourceMs } from "../build/lua-build.ts";

/**
 * Tests run against current build output: when any source is newer than build/manifest.json
 * (or it is missing), run the full build first. `npm test` builds before vitest anyway.
 */
export default function setup(): void {
  const manifest = "build/manifest.json";
  const stale = !fs.existsSync(manifest) ||
    newestSourceMs(["shared", "firmware", "host", "boards"]) > fs.statSync(manifest).mtimeMs;
  if (stale) execFileSync("npx", ["tsx", "host/build/build.ts"], { stdio: "inherit" });
}

import * as fs from "node:fs";
import { buildSync } from "esbuild";

/**
 * The host tool and the web page are bundled (shared/ included) so Node and the browser load one
 * file each; npm packages stay external for Node (serialport and better-sqlite3 carry native code).
 */
export function bundleHost(): void {
  fs.rmSync("dist", { recursive: true, force: true });
  const entries: { entry: string; out: string; platform: "node" | "browser" }[] = [
    { entry: "host/cli/main.ts", out: "dist/rackcell.mjs", platform: "node" },
    { entry: "host/web/app.ts", out: "dist/web/app.js", platform: "browser" },
  ];
  for (const { entry, out, platform } of entries) {
    if (!fs.existsSync(entry)) continue;
    buildSync({
      entryPoints: [entry], outfile: out, bundle: true, platform, format: "esm", target: "es2022",
      sourcemap: true, logLevel: "error",
      ...(platform === "node"
        ? { packages: "external" as const, banner: { js: "#!/usr/bin/env node" } }
        : {}),
    });
  }
}

import * as fs from "node:fs";
import * as path from "node:path";
import { buildSync } from "esbuild";
import { listBoards, loadBoard } from "./boards.ts";

/**
 * The host tool and the web page are bundled (shared/ included) so Node and the browser load one
 * file each; npm packages stay external for Node (serialport and better-sqlite3 carry native code).
 * The page (dist/web) is complete after the build: the CLI serves it as it is, nothing is compiled
 * at run time. A Node-only import reaching the page's code fails the build here.
 */
export function bundleHost(): void {
  fs.rmSync("dist", { recursive: true, force: true });
  buildSync({
    entryPoints: ["host/cli/main.ts"], outfile: "dist/rackcell.mjs", bundle: true, platform: "node", format: "esm", target: "es2022",
    sourcemap: true, logLevel: "error", packages: "external", banner: { js: "#!/usr/bin/env node" },
  });
  bundlePage("dist/web");
}

export function bundlePage(outDir: string): void {
  buildSync({
    entryPoints: ["host/web/app.ts"], outfile: path.join(outDir, "app.js"), bundle: true, platform: "browser", format: "esm",
    target: "es2022", sourcemap: true, minify: true, logLevel: "error",
  });
  fs.copyFileSync("host/web/index.html", path.join(outDir, "index.html"));
  fs.copyFileSync("host/web/style.css", path.join(outDir, "style.css"));
  fs.copyFileSync(path.join("node_modules", "uplot", "dist", "uPlot.min.css"), path.join(outDir, "uplot.css"));
  // `rackcell gym`'s page of tiles (host/gym/page), served beside the lifter's page it opens.
  buildSync({
    entryPoints: ["host/gym/page/app.ts"], outfile: path.join(outDir, "gym.js"), bundle: true, platform: "browser", format: "esm",
    target: "es2022", sourcemap: true, minify: true, logLevel: "error",
  });
  fs.copyFileSync("host/gym/page/gym.html", path.join(outDir, "gym.html"));
  fs.copyFileSync("host/gym/page/gym.css", path.join(outDir, "gym.css"));
  // The boards this tool knows, for a page that talks to a board with Web Serial (no host).
  fs.writeFileSync(path.join(outDir, "boards.json"), JSON.stringify(listBoards().map((b) => loadBoard(b))));
}

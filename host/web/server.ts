/**
 * `rackcell web`: serves the live page on 127.0.0.1 (Web Serial needs a secure context; localhost
 * counts). index.html comes from host/web (or next to the bundle), app.js from dist/web, bundled
 * on the fly with esbuild when the build is missing.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { repoRoot } from "../paths.ts";

const ROOT = repoRoot();
const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".map": "application/json", ".css": "text/css" };

export interface WebServerOptions {
  host?: string;
  port?: number;
  /** folder with index.html and app.js (default: dist/web, with host/web/index.html as fallback) */
  dir?: string;
}

export async function bundleApp(outDir: string): Promise<void> {
  const { build } = await import("esbuild");
  await build({ entryPoints: [path.join(ROOT, "host/web/app.ts")], outfile: path.join(outDir, "app.js"), bundle: true, platform: "browser", format: "esm", target: "es2022", logLevel: "error" });
  fs.copyFileSync(path.join(ROOT, "host/web/index.html"), path.join(outDir, "index.html"));
}

export async function serveWeb(o: WebServerOptions = {}): Promise<{ url: string; close(): Promise<void> }> {
  const dir = o.dir ?? path.join(ROOT, "dist", "web");
  if (!fs.existsSync(path.join(dir, "app.js"))) {
    fs.mkdirSync(dir, { recursive: true });
    await bundleApp(dir);
  }
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const name = url.pathname === "/" ? "index.html" : path.basename(url.pathname);
    let file = path.join(dir, name);
    if (!fs.existsSync(file) && name === "index.html") file = path.join(ROOT, "host/web/index.html");
    if (!fs.existsSync(file)) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
    fs.createReadStream(file).pipe(res);
  });
  const host = o.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port ?? 0, host, () => resolve());
  });
  const addr = server.address() as { port: number };
  return {
    url: `http://${host}:${addr.port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

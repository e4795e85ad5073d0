/**
 * `rackcell web`'s server on 127.0.0.1 (Web Serial needs a secure context; localhost counts): the
 * page as `npm run build` left it in dist/web (beside the bundled CLI, or in the repository's
 * dist/ when run from source), and the WebSocket (WS_PATH) that relays the host's board.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { repoRoot } from "../paths.ts";
import { WebSocketServer, type WebSocket } from "ws";
import { HISTORY_PATH, WS_PATH } from "./protocol.ts";
import type { Relay } from "./relay.ts";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".map": "application/json",
  ".css": "text/css; charset=utf-8", ".json": "application/json",
};

/** dist/web: beside this module in the bundle (dist/rackcell.mjs), or the repository's from source. */
export function pageDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const dir of [path.join(here, "web"), path.join(repoRoot(), "dist", "web")]) {
    if (fs.existsSync(path.join(dir, "app.js"))) return dir;
  }
  throw new Error(`the web page is not built (no app.js in ${path.join(here, "web")}): run \`npm run build\``);
}

export interface WebServerOptions {
  host?: string;
  port?: number;
  dir?: string;
  relay?: Relay;
  /** the page served at "/" (default index.html, the lifter's page) */
  index?: string;
  /** the host's recorded history (HISTORY_PATH, with its query); without it the path is not found */
  history?: (query: URLSearchParams) => unknown;
}

export interface WebServer {
  url: string;
  /** The relay for pages (given later when the board is opened after the port is bound). */
  setRelay(relay: Relay): void;
  close(): Promise<void>;
}

export async function serveWeb(o: WebServerOptions = {}): Promise<WebServer> {
  let relay = o.relay;
  const waiting: [WebSocket, URLSearchParams][] = [];
  const dir = o.dir ?? pageDir();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === HISTORY_PATH && o.history) {
      let body: string;
      try {
        body = JSON.stringify(o.history(url.searchParams));
      } catch (e) {
        res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: (e as Error).message }));
        return;
      }
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end(body);
      return;
    }
    const name = url.pathname === "/" ? (o.index ?? "index.html") : path.basename(url.pathname);
    const file = path.join(dir, name);
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
  // after listening: the WebSocket server re-emits the HTTP server's errors (a port in use) as its own.
  // Only the page this server serves may talk to the board: any web site open in the browser could
  // otherwise reach ws://127.0.0.1 (WebSockets are not bound by the same-origin policy) and send
  // the board commands.
  const origins = new Set([`http://${host}:${addr.port}`, `http://localhost:${addr.port}`, `http://127.0.0.1:${addr.port}`]);
  const wss = new WebSocketServer({
    server, path: WS_PATH,
    verifyClient: ({ origin }: { origin: string }, done: (ok: boolean, code?: number, why?: string) => void) => done(origins.has(origin), 403, "only the page rackcell web serves may connect"),
  });
  wss.on("connection", (ws, req) => {
    const query = new URL(req.url ?? "/", "http://x").searchParams;
    if (relay) relay.attach(ws, query);
    else waiting.push([ws, query]); // the board is still being opened
  });
  return {
    url: `http://${host}:${addr.port}/`,
    setRelay(r) {
      relay = r;
      for (const [ws, query] of waiting.splice(0)) r.attach(ws, query);
    },
    close: async () => {
      relay?.close();
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The host's WebSocket (`rackcell web`) as a line link: the board's lines as the host read them,
 * lines written go to the board. Besides the LineLink it carries the host's hello (which board,
 * emulated or not), the time the host read the current line, and plate placing on an emulated board.
 */
import type { Placement } from "../calibrate/run.ts";
import { TransportError } from "../transport/errors.ts";
import type { LineLink } from "../transport/link.ts";
import type { HostMessage, PageMessage } from "./protocol.ts";

type Hello = Extract<HostMessage, { t: "hello" }>;

export interface HostLink extends LineLink {
  readonly hello: Hello;
  /** Host clock (ms since the epoch) when the host read the line being delivered now. */
  readonly lineAtMs: number;
  /** The host's connection to the board changed (`info`: the new handshake's fields after a reconnect); its state at hello is in `hello`. */
  onHostState(cb: (state: string, detail: string, info?: Record<string, string>) => void): void;
  place(p: Placement): Promise<void>;
}

export function openHostLink(url: string, timeoutMs = 5000): Promise<HostLink> {
  return new Promise<HostLink>((resolve, reject) => {
    const ws = new WebSocket(url);
    const lineSubs = new Set<(line: string) => void>();
    const closeSubs: ((err: TransportError | null) => void)[] = [];
    const stateSubs: ((state: string, detail: string, info?: Record<string, string>) => void)[] = [];
    const placing = new Map<number, { resolve(): void; reject(e: Error): void }>();
    let nextPlace = 1;
    let bytes = 0;
    let lines = 0;
    let open = false;
    let closing = false;
    let lineAtMs = NaN;
    const timer = setTimeout(() => {
      ws.close();
      reject(new TransportError("SILENT", `${url}: the host did not answer within ${timeoutMs / 1000} s (is \`rackcell web\` still running?)`));
    }, timeoutMs);
    const send = (m: PageMessage) => ws.send(JSON.stringify(m));
    const finish = (err: TransportError | null) => {
      if (!open) return;
      open = false;
      for (const p of placing.values()) p.reject(new Error("the host went away"));
      placing.clear();
      for (const cb of closeSubs) cb(err);
    };
    ws.onmessage = (ev) => {
      const text = String(ev.data);
      bytes += text.length;
      const m = JSON.parse(text) as HostMessage;
      if (m.t === "line") {
        lines++;
        lineAtMs = m.at;
        for (const cb of lineSubs) cb(m.l);
      } else if (m.t === "hello") {
        clearTimeout(timer);
        open = true;
        resolve(link(m));
      } else if (m.t === "state") {
        for (const cb of stateSubs) cb(m.state, m.detail, m.info);
      } else if (m.t === "placed") {
        const p = placing.get(m.id);
        placing.delete(m.id);
        if (m.error) p?.reject(new Error(m.error));
        else p?.resolve();
      }
    };
    ws.onclose = () => {
      clearTimeout(timer);
      if (!open) reject(new TransportError("NO_PORT", `${url}: no host there (is \`rackcell web\` running?)`));
      finish(closing ? null : new TransportError("DISCONNECTED", `${url}: the host closed the connection`, true));
    };
    const link = (hello: Hello): HostLink => ({
      path: hello.port ? `host ${hello.port}` : "host",
      hello,
      get lineAtMs() {
        return lineAtMs;
      },
      onLine(cb) {
        lineSubs.add(cb);
        return () => lineSubs.delete(cb);
      },
      onClose(cb) {
        closeSubs.push(cb);
      },
      onHostState(cb) {
        stateSubs.push(cb);
      },
      async write(line) {
        if (!open) throw new TransportError("DISCONNECTED", `${url}: not connected to the host`, true);
        send({ t: "write", l: line });
      },
      place(placement) {
        const id = nextPlace++;
        return new Promise<void>((res, rej) => {
          placing.set(id, { resolve: res, reject: rej });
          send({ t: "place", id, placement });
        });
      },
      async close() {
        closing = true;
        ws.close();
        finish(null);
      },
      counts: () => ({ bytes, lines }),
      get isOpen() {
        return open;
      },
    });
  });
}

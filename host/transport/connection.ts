import { openLine } from "../../shared/protocol/frame.ts";
import { TransportError } from "./errors.ts";
import { handshake, type HandshakeOptions } from "./handshake.ts";
import type { LineLink, OpenLinkOptions } from "./link.ts";

/**
 * A connection to a board that stays up: open + handshake, a heartbeat watchdog (no valid line
 * for `silenceMs` → disconnected), and automatic reconnect (re-open the same path, re-handshake,
 * carry on). Lines are forwarded whatever happens underneath, so a session just keeps reading.
 * No Node-only import: the web page runs it too, over Web Serial or the host's WebSocket, with its
 * own `open`; the CLI's serial ports are opened by serial-connection.ts.
 */
export type ConnectionState = "connected" | "disconnected" | "closed";

export interface ConnectionEvent {
  state: ConnectionState;
  /** What happened, for a person. */
  detail: string;
  /** The new handshake's fields after a reconnect. */
  info?: Record<string, string>;
}

export interface ConnectionOptions extends OpenLinkOptions {
  handshake?: HandshakeOptions;
  /**
   * No valid line for this long → disconnected (the board sends heartbeats every second). 0: no
   * watchdog, for a link that judges the board's silence itself and says so (the page through
   * the host: the host's connection watches the board, and the WebSocket closes only when the host goes).
   */
  silenceMs?: number;
  /** Reconnect automatically (default true). */
  reconnect?: boolean;
  /** Pause between reconnect attempts. */
  retryMs?: number;
  /** Give up reconnecting after this long (default: never). */
  giveUpAfterMs?: number;
  /** Opens the link (again after a loss): a serial port, Web Serial, the host's WebSocket. */
  open: (path: string, options: OpenLinkOptions) => Promise<LineLink>;
}

export class Connection {
  readonly path: string;
  info: Record<string, string>;
  state: ConnectionState = "connected";
  reconnects = 0;
  private link: LineLink;
  private readonly options: ConnectionOptions;
  private readonly lineSubs = new Set<(line: string) => void>();
  private readonly stateSubs = new Set<(e: ConnectionEvent) => void>();
  private lastValidMs = Date.now();
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private closedByUser = false;

  private constructor(path: string, link: LineLink, info: Record<string, string>, options: ConnectionOptions) {
    this.path = path;
    this.link = link;
    this.info = info;
    this.options = options;
    this.attach(link);
    const silenceMs = options.silenceMs ?? 3000;
    if (silenceMs > 0) {
      this.watchdog = setInterval(() => {
        if (this.state === "connected" && Date.now() - this.lastValidMs > silenceMs) {
          this.lost(new TransportError("DISCONNECTED", `${path}: no valid line for ${(silenceMs / 1000).toFixed(1)} s`, true));
        }
      }, Math.min(250, silenceMs / 4));
      (this.watchdog as { unref?: () => void }).unref?.();
    }
  }

  /** Opens `path` and handshakes; throws a TransportError saying what is wrong. */
  static async open(path: string, options: ConnectionOptions): Promise<Connection> {
    const link = await options.open(path, options);
    try {
      const result = await handshake(link, { baudRate: options.baudRate, ...options.handshake });
      return new Connection(path, link, result.fields, options);
    } catch (err) {
      await link.close().catch(() => undefined);
      throw err;
    }
  }

  onLine(cb: (line: string) => void): () => void {
    this.lineSubs.add(cb);
    return () => this.lineSubs.delete(cb);
  }

  onState(cb: (e: ConnectionEvent) => void): () => void {
    this.stateSubs.add(cb);
    return () => this.stateSubs.delete(cb);
  }

  write(line: string): Promise<void> {
    if (this.state !== "connected") {
      return Promise.reject(new TransportError("DISCONNECTED", `${this.path}: not connected (${this.state})`, true));
    }
    return this.link.write(line);
  }

  async close(): Promise<void> {
    this.closedByUser = true;
    clearInterval(this.watchdog);
    await this.link.close().catch(() => undefined);
    this.setState({ state: "closed", detail: `${this.path}: closed` });
  }

  private attach(link: LineLink): void {
    let checkAfter = 0;
    link.onLine((line) => {
      // A valid line resets the watchdog; checking one line per 100 ms is enough and costs nothing.
      const now = Date.now();
      if (now >= checkAfter && openLine(line).error === "") {
        this.lastValidMs = now;
        checkAfter = now + 100;
      }
      for (const cb of this.lineSubs) cb(line);
    });
    link.onClose((err) => {
      if (err && link === this.link) this.lost(err);
    });
  }

  private setState(e: ConnectionEvent): void {
    if (this.state === "closed") return;
    this.state = e.state;
    for (const cb of this.stateSubs) cb(e);
  }

  private lost(err: TransportError): void {
    if (this.closedByUser || this.state !== "connected") return;
    this.setState({ state: "disconnected", detail: err.message });
    void this.link.close().catch(() => undefined);
    if (this.options.reconnect === false) {
      this.setState({ state: "closed", detail: `${this.path}: disconnected, not reconnecting` });
      clearInterval(this.watchdog);
      return;
    }
    void this.reconnectLoop();
  }

  private async reconnectLoop(): Promise<void> {
    const t0 = Date.now();
    const retryMs = this.options.retryMs ?? 500;
    const open = this.options.open;
    let lastError = "";
    while (!this.closedByUser) {
      if (this.options.giveUpAfterMs !== undefined && Date.now() - t0 > this.options.giveUpAfterMs) {
        clearInterval(this.watchdog);
        this.setState({ state: "closed", detail: `${this.path}: gave up reconnecting after ${((Date.now() - t0) / 1000).toFixed(1)} s (${lastError})` });
        return;
      }
      await new Promise((r) => setTimeout(r, retryMs));
      if (this.closedByUser) return;
      let link: LineLink | undefined;
      try {
        link = await open(this.path, this.options);
        this.link = link;
        this.attach(link);
        const result = await handshake(link, { baudRate: this.options.baudRate, timeoutMs: 3000, ...this.options.handshake });
        if (this.closedByUser) return;
        this.info = result.fields;
        this.reconnects++;
        this.lastValidMs = Date.now();
        this.setState({ state: "connected", detail: `${this.path}: reconnected`, info: result.fields });
        return;
      } catch (err) {
        lastError = (err as Error).message;
        if (link) await link.close().catch(() => undefined);
      }
    }
  }
}

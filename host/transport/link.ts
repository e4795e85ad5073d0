import { ReadlineParser, SerialPort } from "serialport";
import { explainOpenError, TransportError } from "./errors.ts";

/**
 * A line link: one serial port, read as newline-terminated lines. The parser decodes latin1 so a
 * string's char codes are the received bytes and checksums are computed over bytes, whatever
 * garbage arrives. This is the only file that touches serialport; everything above it sees lines.
 */
export interface LineLink {
  readonly path: string;
  /** Subscribes to received lines (without "\n"); returns the unsubscribe function. */
  onLine(cb: (line: string) => void): () => void;
  /** Called once when the port closes; `err` set when it went away (unplug, I/O error). */
  onClose(cb: (err: TransportError | null) => void): void;
  /** Writes one line; "\n" is appended. */
  write(line: string): Promise<void>;
  close(): Promise<void>;
  /** Bytes and lines received so far (bytes count garbage that never forms a line). */
  counts(): { bytes: number; lines: number };
  readonly isOpen: boolean;
}

/** The part of a serialport stream the link uses; SerialPort and SerialPortMock both fit. */
export interface PortLike {
  open(cb: (err: Error | null) => void): void;
  close(cb?: (err: Error | null) => void): void;
  write(data: string | Buffer, cb?: (err: Error | null | undefined) => void): boolean;
  drain(cb: (err: Error | null) => void): void;
  pipe<T extends NodeJS.WritableStream>(dest: T): T;
  on(event: "data", cb: (chunk: Buffer) => void): unknown;
  on(event: "close", cb: (err?: Error | null) => void): unknown;
  on(event: "error", cb: (err: Error) => void): unknown;
  readonly isOpen: boolean;
}

export type PortFactory = (path: string, baudRate: number) => PortLike;

export const DEFAULT_BAUD = 115200;

export const realPort: PortFactory = (path, baudRate) =>
  new SerialPort({ path, baudRate, autoOpen: false }) as unknown as PortLike;

export interface OpenLinkOptions {
  baudRate?: number;
  /** How to make the port object; tests pass a SerialPortMock factory. */
  createPort?: PortFactory;
}

export async function openLink(path: string, options: OpenLinkOptions = {}): Promise<LineLink> {
  const baudRate = options.baudRate ?? DEFAULT_BAUD;
  let port: PortLike;
  try {
    port = (options.createPort ?? realPort)(path, baudRate);
  } catch (err) {
    throw explainOpenError(err, path);
  }
  await new Promise<void>((resolve, reject) => {
    port.open((err) => (err ? reject(explainOpenError(err, path)) : resolve()));
  });

  const lineSubs = new Set<(line: string) => void>();
  const closeSubs: ((err: TransportError | null) => void)[] = [];
  let bytes = 0;
  let lines = 0;
  let closing = false;
  let closed = false;
  const parser = port.pipe(new ReadlineParser({ delimiter: "\n", encoding: "latin1" }));
  port.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
  });
  parser.on("data", (line: string) => {
    lines++;
    for (const cb of lineSubs) cb(line);
  });
  const finish = (err: TransportError | null) => {
    if (closed) return;
    closed = true;
    for (const cb of closeSubs) cb(err);
  };
  port.on("error", (err: Error) => {
    if (!closing) finish(new TransportError("DISCONNECTED", `${path}: ${err.message}`, true));
  });
  port.on("close", (err?: Error | null) => {
    finish(closing || !err ? null : new TransportError("DISCONNECTED", `${path}: the port went away (${err.message})`, true));
  });

  return {
    path,
    get isOpen() {
      return port.isOpen && !closed;
    },
    onLine(cb) {
      lineSubs.add(cb);
      return () => lineSubs.delete(cb);
    },
    onClose(cb) {
      closeSubs.push(cb);
    },
    write(line) {
      return new Promise<void>((resolve, reject) => {
        if (closed) {
          reject(new TransportError("DISCONNECTED", `${path}: the port is closed`, true));
          return;
        }
        port.write(Buffer.from(`${line}\n`, "latin1"), (err) => {
          if (err) reject(new TransportError("DISCONNECTED", `${path}: write failed: ${err.message}`, true));
          else resolve();
        });
      });
    },
    close() {
      closing = true;
      return new Promise<void>((resolve) => {
        if (!port.isOpen) {
          finish(null);
          resolve();
          return;
        }
        port.close(() => {
          finish(null);
          resolve();
        });
      });
    },
    counts: () => ({ bytes, lines }),
  };
}

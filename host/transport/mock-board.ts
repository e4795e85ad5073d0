import { SerialPortMock } from "serialport";
import { decodeCommand, encodeRecord, encodeReplyError, encodeReplyOk } from "../../shared/protocol/messages.ts";
import type { PortFactory, PortLike } from "./link.ts";
import { DEFAULT_BOARD } from "../paths.ts";

/**
 * A scripted board on @serialport/binding-mock, for unit tests of the transport and session:
 * lines the test emits reach the host as if the board had sent them, and commands the host
 * writes are decoded and answered by a handler (by default: a rackcell board answering `info`).
 */
/**
 * The mock binding instance serialport itself uses (its CommonJS copy): importing
 * @serialport/binding-mock from ESM gives a second instance whose ports SerialPortMock cannot see.
 */
export const MockBinding: typeof SerialPortMock.binding = SerialPortMock.binding;

export type CommandHandler = (name: string, args: string[], id: number) => string | null;

export interface MockBoard {
  factory: PortFactory;
  /** Sends raw text to the host (add "\n" yourself). */
  emit(text: string | Buffer): void;
  /** Lines the host wrote. */
  written: string[];
  /** Replace how commands are answered; return a whole reply line or null for silence. */
  onCommand(handler: CommandHandler): void;
  /** Opens made so far (reconnects count). */
  opens: number;
  /** Simulates unplugging: the next open fails with ENOENT until replug(). */
  unplug(): void;
  replug(): void;
  readonly port: PortLike | undefined;
}

/** An info reply as firmware/commands.ts writes it. */
export const MOCK_INFO = ["fw", "0.1.0", "build", "abc123", "board", DEFAULT_BOARD, "ch", "2", "sps", "80", "cal", "ok", "calid", "c1", "caldate", "2026-11-22", "stream", "1", "boot", "3", "k0", "0.010000000", "z0", "1000.0", "k1", "0.020000000", "z1", "-500.0"];

export function createMockBoard(path = "/dev/ttyMOCK0"): MockBoard {
  MockBinding.createPort(path, { echo: false, record: false });
  let handler: CommandHandler = (name, _args, id) =>
    name === "info" ? encodeReplyOk(id, MOCK_INFO) : encodeReplyError(id, `unknown command ${name}`);
  let current: SerialPortMock | undefined;
  let plugged = true;
  let partial = "";
  const board: MockBoard = {
    written: [],
    opens: 0,
    get port() {
      return current as unknown as PortLike | undefined;
    },
    factory: (p, baudRate) => {
      if (!plugged) {
        const err = new Error(`ENOENT: no such file or directory, open '${p}'`) as NodeJS.ErrnoException;
        err.code = "ENOENT";
        throw err;
      }
      const port = new SerialPortMock({ path: p, baudRate, autoOpen: false });
      current = port;
      const open = port.open.bind(port);
      port.open = (cb?: (err: Error | null) => void) => {
        open((err) => {
          if (!err) {
            board.opens++;
            const binding = port.port!;
            const write = binding.write.bind(binding);
            binding.write = async (buf: Buffer) => {
              await write(buf);
              partial += buf.toString("latin1");
              let nl: number;
              while ((nl = partial.indexOf("\n")) >= 0) {
                const line = partial.slice(0, nl);
                partial = partial.slice(nl + 1);
                board.written.push(line);
                const cmd = decodeCommand(line);
                if (cmd.error === "") {
                  const reply = handler(cmd.name, cmd.args, cmd.id);
                  if (reply !== null) setImmediate(() => binding.isOpen && binding.emitData(`${reply}\n`));
                }
              }
            };
          }
          cb?.(err);
        });
      };
      return port as unknown as PortLike;
    },
    emit(text) {
      current?.port?.emitData(typeof text === "string" ? Buffer.from(text, "latin1") : text);
    },
    onCommand(h) {
      handler = h;
    },
    unplug() {
      plugged = false;
      const binding = current?.port;
      // An unplugged USB port closes with a "disconnected" error.
      if (current?.isOpen) (current as unknown as { _disconnected(e: Error): void })._disconnected(new Error("device disconnected"));
      void binding;
    },
    replug() {
      plugged = true;
    },
  };
  return board;
}

export function heartbeatLine(pairs: string[]): string {
  return `${encodeRecord("H", pairs)}\n`;
}

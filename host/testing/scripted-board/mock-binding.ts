import { SerialPortMock } from "serialport";
import type { PortFactory, PortLike } from "../../transport/link.ts";
import { createScriptedBoard, DEFAULT_SETUP, scriptedBoardInfo, type ScriptedBoard } from "./board.ts";

// The scripted board (board.ts) attached through @serialport/binding-mock, for the transport and
// session tests: no device, no timing, and the test can unplug the port.

/**
 * The mock binding instance serialport itself uses (its CommonJS copy): importing
 * @serialport/binding-mock from ESM gives a second instance whose ports SerialPortMock cannot see.
 */
export const MockBinding: typeof SerialPortMock.binding = SerialPortMock.binding;

/** The default scripted board's info reply, for tests that script their own command handler. */
export const MOCK_INFO = scriptedBoardInfo(DEFAULT_SETUP);

export interface MockBoard extends ScriptedBoard {
  factory: PortFactory;
  /** Sends raw text to the host (add "\n" yourself). */
  emit(text: string | Buffer): void;
  /** Opens made so far (reconnects count). */
  opens: number;
  /** Simulates unplugging: the next open fails with ENOENT until replug(). */
  unplug(): void;
  replug(): void;
  readonly port: PortLike | undefined;
}

/** Lines the test emits reach the host as if the board had sent them; commands the host writes are answered by the scripted board. */
export function createMockBoard(path = "/dev/ttyMOCK0"): MockBoard {
  MockBinding.createPort(path, { echo: false, record: false });
  let current: SerialPortMock | undefined;
  let plugged = true;
  const attachment = {
    opens: 0,
    get port() {
      return current as unknown as PortLike | undefined;
    },
    factory: (p: string, baudRate: number) => {
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
              const reply = board.receive(buf.toString("latin1"));
              if (reply !== "") setImmediate(() => binding.isOpen && binding.emitData(reply));
            };
          }
          cb?.(err);
        });
      };
      return port as unknown as PortLike;
    },
    emit(text: string | Buffer) {
      current?.port?.emitData(typeof text === "string" ? Buffer.from(text, "latin1") : text);
    },
    unplug() {
      plugged = false;
      // An unplugged USB port closes with a "disconnected" error.
      if (current?.isOpen) (current as unknown as { _disconnected(e: Error): void })._disconnected(new Error("device disconnected"));
    },
    replug() {
      plugged = true;
    },
  };
  const board: MockBoard = Object.defineProperties(createScriptedBoard(), Object.getOwnPropertyDescriptors(attachment)) as MockBoard;
  return board;
}

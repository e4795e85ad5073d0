import { openSession } from "../session/connect.ts";
import type { Session } from "../session/session.ts";
import type { Connection } from "../transport/connection.ts";
import { startEmulator, type EmulatedBoardHandle } from "./emulated.ts";
import type { GlobalOptions } from "./options.ts";

/**
 * The board a command talks to: the port given (--port or RACKCELL_PORT), or else an emulated
 * board started in this process on a pseudo-terminal, so every command works out of the box.
 */
export interface BoardConnection {
  session: Session;
  connection: Connection;
  path: string;
  /** Set when the board is emulated in this process. */
  emulator?: EmulatedBoardHandle;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Emulator scenario when no port is given (default "empty"). */
  scenario?: string;
  emulatorBoard?: string;
  seed?: number;
  /** Tare an emulated board after connecting (default true; pins are empty when scenarios start). */
  tare?: boolean;
  /** Where to say what is happening (stderr by default). */
  log?: (text: string) => void;
}

export async function connectBoard(g: GlobalOptions, options: ConnectOptions = {}): Promise<BoardConnection> {
  const log = options.log ?? ((t: string) => process.stderr.write(`${t}\n`));
  let emulator: EmulatedBoardHandle | undefined;
  let path = g.port;
  if (!path) {
    emulator = await startEmulator({ board: options.emulatorBoard, scenario: options.scenario ?? "empty", seed: options.seed, hostBaud: g.baud });
    path = emulator.path;
    log(`No --port given: using an emulated board on ${path} (scenario ${options.scenario ?? "empty"}). For a real board: --port /dev/ttyUSB0 (see \`rackcell ports\`).`);
  }
  try {
    const { session, connection } = await openSession(path, { connection: { baudRate: g.baud } });
    if (emulator && options.tare !== false && !/\.csv$/i.test(options.scenario ?? "")) {
      // The emulated board carries a nominal calibration; its scenarios start with empty pins: zero them.
      const r = await session.tare();
      if (!r.ok) log(`warning: could not tare the emulated board: ${r.reason}`);
    }
    return {
      session, connection, path, emulator,
      async close() {
        session.close();
        await connection.close();
        await emulator?.close();
      },
    };
  } catch (err) {
    await emulator?.close();
    throw err;
  }
}

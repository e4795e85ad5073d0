import { spawn, type ChildProcess } from "node:child_process";
import { SerialPort } from "serialport";
import { createScriptedBoard, type ScriptedBoard, type ScriptedBoardSetup } from "./board.ts";

// The scripted board (board.ts) attached to a real pseudo-terminal pair (socat), for CLI tests that
// must open a serial device without the emulator: it streams in real time.

export interface PtyBoard extends ScriptedBoard {
  /** The path the host opens. */
  path: string;
  close(): Promise<void>;
}

/** Equal channels with offsets far from zero, so the CLI's tare has visible work to do. */
export const PTY_SETUP: ScriptedBoardSetup = { build: "ptytest", boot: 1, sps: 80, calid: "t1", nPerCount: [0.0125, 0.0125], zeroCounts: [8000, -3000] };

export async function startPtyBoard(o: { sps?: number; loadN?: (tS: number) => number } = {}): Promise<PtyBoard> {
  const socat: ChildProcess = spawn("socat", ["-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"], { stdio: ["ignore", "ignore", "pipe"] });
  const paths = await new Promise<string[]>((resolve, reject) => {
    const found: string[] = [];
    socat.on("error", (e) => reject(new Error(`socat is needed for this test (apt-get install socat): ${e.message}`)));
    socat.stderr!.on("data", (d: Buffer) => {
      for (const m of d.toString().matchAll(/PTY is (\S+)/g)) found.push(m[1]);
      if (found.length === 2) resolve(found);
    });
  });
  const port = new SerialPort({ path: paths[0], baudRate: 115200 });
  await new Promise<void>((r, j) => port.once("open", () => r()).once("error", j));
  const board = createScriptedBoard({ setup: { ...PTY_SETUP, sps: o.sps ?? PTY_SETUP.sps }, loadN: o.loadN });
  const send = (text: string) => text !== "" && port.write(text);
  port.on("data", (d: Buffer) => send(board.receive(d.toString("latin1"))));
  const tick = setInterval(() => send(board.streamDue()), 10);
  return Object.assign(board, {
    path: paths[1],
    close: async () => {
      clearInterval(tick);
      await new Promise<void>((r) => port.close(() => r()));
      socat.kill();
    },
  });
}

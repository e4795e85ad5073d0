import { spawn, type ChildProcess } from "node:child_process";
import { SerialPort } from "serialport";
import { encodeSample, SEQ_MODULUS } from "../../../shared/protocol/frame.ts";
import { decodeCommand, encodeRecord, encodeReplyError, encodeReplyOk } from "../../../shared/protocol/messages.ts";
import { createMedian3, median3Step } from "../../../shared/filters/median3.ts";
import { DEFAULT_BOARD } from "../../paths.ts";

/**
 * A scripted stand-in board on a real pseudo-terminal pair (socat), for CLI tests that must go
 * through a serial device without the emulator: streams 2-channel frames at `sps` in real time
 * (a load profile you give), a heartbeat each second, and answers info/tare like the firmware.
 */
export interface PtyBoard {
  /** The path the host opens. */
  path: string;
  frames: number;
  close(): Promise<void>;
}

const K = [0.0125, 0.0125];
const Z = [8000, -3000];

export async function startPtyBoard(o: { sps?: number; loadN?: (tS: number) => number } = {}): Promise<PtyBoard> {
  const sps = o.sps ?? 80;
  const loadN = o.loadN ?? (() => 0);
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
  const z = [...Z];
  const med = [createMedian3(), createMedian3()];
  let seq = 0;
  const t0 = Date.now();
  let buf = "";
  const write = (line: string) => port.write(`${line}\n`);
  port.on("data", (d: Buffer) => {
    buf += d.toString("latin1");
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const cmd = decodeCommand(buf.slice(0, nl).replace(/\r$/, ""));
      buf = buf.slice(nl + 1);
      if (cmd.error !== "") continue;
      if (cmd.name === "info") {
        write(encodeReplyOk(cmd.id, ["fw", "0.1.0", "build", "ptytest", "board", DEFAULT_BOARD, "ch", "2", "sps", String(sps), "cal", "ok", "calid", "t1", "caldate", "2026-11-22", "stream", "1", "boot", "1",
          "k0", K[0].toFixed(9), "z0", z[0].toFixed(1), "k1", K[1].toFixed(9), "z1", z[1].toFixed(1)]));
      } else if (cmd.name === "tare") {
        const total = loadN((Date.now() - t0) / 1000);
        z[0] = Math.round(total / 2 / K[0] + Z[0]);
        z[1] = Math.round(total / 2 / K[1] + Z[1]);
        write(encodeReplyOk(cmd.id, ["z0", z[0].toFixed(1), "sd0", "2.0", "z1", z[1].toFixed(1), "sd1", "2.1", "saved", "1"]));
      } else {
        write(encodeReplyError(cmd.id, `unknown command ${cmd.name}`));
      }
    }
  });
  const board: PtyBoard = { path: paths[1], frames: 0, close: async () => undefined };
  const tick = setInterval(() => {
    const due = Math.floor(((Date.now() - t0) / 1000) * sps);
    while (seq < due) {
      const total = loadN(seq / sps);
      const raw = [Math.round(total / 2 / K[0] + Z[0]), Math.round(total / 2 / K[1] + Z[1])];
      const force = raw.map((r, c) => K[c] * (median3Step(med[c], r) - z[c]));
      write(encodeSample(seq % SEQ_MODULUS, raw, [0, 0], force));
      seq++;
      board.frames++;
      if (seq % sps === 0) write(encodeRecord("H", ["up", String(seq / sps), "boot", "1", "seq", String((seq - 1) % SEQ_MODULUS), "ms", String(Math.round((seq * 1000) / sps))]));
    }
  }, 10);
  board.close = async () => {
    clearInterval(tick);
    await new Promise<void>((r) => port.close(() => r()));
    socat.kill();
  };
  return board;
}

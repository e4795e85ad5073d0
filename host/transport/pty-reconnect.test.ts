import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeCommand, encodeRecord, encodeReplyOk } from "../../shared/protocol/messages.ts";
import type { ConnectionEvent } from "./connection.ts";
import { openSerialConnection } from "./serial-connection.ts";

/**
 * The real serialport binding against a pseudo-terminal that vanishes and comes back at the same
 * path (what the emulator's unplug does, and what a USB adapter does): the host must notice (I/O
 * error or silence), retry while the path is gone, and handshake again when it is back.
 */
const haveSocat = spawnSync("socat", ["-V"]).status === 0;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-pty-"));
const link = path.join(dir, "ttyT0");

function startBoard(): Promise<ChildProcessWithoutNullStreams> {
  const p = spawn("socat", [`pty,raw,echo=0,link=${link}`, "STDIO"]);
  let buf = "";
  p.stdout.on("data", (d: Buffer) => {
    buf += d.toString("latin1");
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const cmd = decodeCommand(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      if (cmd.error === "" && cmd.name === "info") p.stdin.write(`${encodeReplyOk(cmd.id, ["fw", "0.1.0", "ch", "1", "sps", "80", "boot", "1"])}\n`);
    }
  });
  const hb = setInterval(() => p.stdin.write(`${encodeRecord("H", ["up", "1"])}\n`), 200);
  p.on("exit", () => clearInterval(hb));
  p.stdin.on("error", () => undefined);
  return new Promise((resolve) => {
    const poll = () => (fs.existsSync(link) ? resolve(p) : setTimeout(poll, 10));
    poll();
  });
}

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!haveSocat)("Connection over a real pseudo-terminal", () => {
  it("reconnects after the device disappears and comes back at the same path", async () => {
    let board = await startBoard();
    const conn = await openSerialConnection(link, { silenceMs: 1500, retryMs: 200 });
    const events: ConnectionEvent[] = [];
    conn.onState((e) => events.push(e));
    let lines = 0;
    conn.onLine(() => lines++);
    await new Promise((r) => setTimeout(r, 500));
    expect(lines).toBeGreaterThan(0);
    board.kill();
    await new Promise((r) => board.once("exit", r));
    fs.rmSync(link, { force: true });
    await new Promise((r) => setTimeout(r, 1000));
    expect(conn.state).toBe("disconnected");
    board = await startBoard();
    const t0 = Date.now();
    while (conn.state !== "connected" && Date.now() - t0 < 8000) await new Promise((r) => setTimeout(r, 50));
    expect(conn.state).toBe("connected");
    expect(conn.reconnects).toBe(1);
    const before = lines;
    await new Promise((r) => setTimeout(r, 500));
    expect(lines).toBeGreaterThan(before);
    process.stdout.write(`pty unplug noticed as: ${events[0].detail}\n`);
    await conn.close();
    board.kill();
  });
});

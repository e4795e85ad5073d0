import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as fs from "node:fs";

/**
 * A pseudo-terminal the host opens like a USB serial port: socat links a pty (raw, no echo) at a
 * fixed path to its stdin/stdout, which are ours. Closing it removes the path (an unplugged
 * cable); starting it again at the same path is the replug. A pty does not enforce the baud
 * rate: the board side paces its bytes itself.
 */
export class SocatPty {
  private proc: ChildProcessWithoutNullStreams | undefined;
  private stopping = false;
  private draining: Promise<void> | undefined;

  constructor(readonly path: string, private readonly onHostData: (d: Buffer) => void) {}

  async open(): Promise<void> {
    this.stopping = false;
    fs.rmSync(this.path, { force: true });
    const proc = spawn("socat", ["-d", "-d", `pty,raw,echo=0,link=${this.path}`, "STDIO"], { stdio: ["pipe", "pipe", "pipe"] });
    this.proc = proc;
    proc.stdout.on("data", (d: Buffer) => this.onHostData(d));
    proc.stdin.on("error", () => {});
    let err = "";
    proc.stderr.on("data", (d: Buffer) => { err += d.toString(); });
    const spawned = new Promise<void>((resolve, reject) => {
      proc.once("error", (e) => reject(new Error(`socat could not start: ${e.message} (run: bash host/tools/setup.sh)`)));
      proc.once("exit", (code) => reject(new Error(`socat exited (${code}): ${err.trim()}`)));
      const t0 = Date.now();
      const poll = () => {
        if (fs.existsSync(this.path)) resolve();
        else if (Date.now() - t0 > 5000) reject(new Error(`socat did not create ${this.path}: ${err.trim()}`));
        else setTimeout(poll, 5);
      };
      poll();
    });
    await spawned;
    // socat ends when the host side closes for good; a pty that vanished by itself comes back.
    proc.on("exit", () => {
      if (this.proc === proc) this.proc = undefined;
      if (!this.stopping) void this.open().catch(() => {});
    });
  }

  /** Board → host bytes; resolves when the pipe took them (backpressure for the fast clock). */
  write(data: Buffer): Promise<void> | undefined {
    const p = this.proc;
    if (!p || data.length === 0) return undefined;
    if (p.stdin.write(data)) return undefined;
    if (!this.draining) {
      this.draining = new Promise<void>((r) => {
        const done = () => { this.draining = undefined; r(); };
        p.stdin.once("drain", done);
        p.once("exit", done);
      });
    }
    return this.draining;
  }

  get isOpen(): boolean {
    return this.proc !== undefined;
  }

  async close(): Promise<void> {
    this.stopping = true;
    const p = this.proc;
    this.proc = undefined;
    if (p && p.exitCode === null) {
      const gone = new Promise<void>((r) => p.once("exit", () => r()));
      p.kill("SIGTERM");
      await gone;
    }
    fs.rmSync(this.path, { force: true });
  }
}

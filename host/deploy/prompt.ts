/**
 * Raw byte access to a serial port and a small "expect" over it, for talking to the bare NodeMCU
 * interactive prompt (which is not line-framed: the prompt "> " has no newline, input is
 * echoed). The port comes from the transport's port factory, so tests can pass a mock.
 */
import { explainOpenError } from "../transport/errors.ts";
import { realPort, type PortFactory, type PortLike } from "../transport/link.ts";

export interface RawPort {
  readonly path: string;
  write(data: Buffer | string): Promise<void>;
  onData(cb: (chunk: Buffer) => void): () => void;
  close(): Promise<void>;
}

export async function openRawPort(path: string, baudRate = 115200, createPort: PortFactory = realPort): Promise<RawPort> {
  const port: PortLike = createPort(path, baudRate);
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(explainOpenError(err, path)) : resolve())));
  const subs = new Set<(b: Buffer) => void>();
  port.on("data", (chunk: Buffer) => {
    for (const cb of subs) cb(chunk);
  });
  port.on("error", () => undefined);
  return {
    path,
    write: (data) => new Promise<void>((resolve, reject) => {
      port.write(typeof data === "string" ? Buffer.from(data, "latin1") : data, (err) => (err ? reject(err) : resolve()));
    }),
    onData(cb) {
      subs.add(cb);
      return () => subs.delete(cb);
    },
    close: () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
  };
}

export class DeployError extends Error {
  constructor(message: string, readonly code: "NO_PROMPT" | "MISSING_MODULES" | "LFS_PARTITION" | "TIMEOUT" | "TRANSFER" | "VERIFY" | "BOOT" | "INPUT") {
    super(message);
    this.name = "DeployError";
  }
}

/** Everything the board sent (latin1), consumed front to back by expect(). */
export class PromptSession {
  buf = "";
  /** the last bytes received, for diagnostics */
  log = "";
  /** bytes received so far (a mark for since()) */
  received = 0;
  /** the prompt that ended the last line(): "> ", or ">> " while a chunk is unfinished */
  lastPrompt = "> ";
  private waiters = new Set<() => void>();
  private readonly off: () => void;

  constructor(readonly port: RawPort) {
    this.off = port.onData((chunk) => {
      const s = chunk.toString("latin1");
      this.buf += s;
      this.log = (this.log + s).slice(-8000);
      this.received += s.length;
      for (const w of [...this.waiters]) w();
    });
  }

  detach(): void {
    this.off();
  }

  /** Text received after `mark` (a value of `received`), as far as the log reaches back. */
  since(mark: number): string {
    const n = this.received - mark;
    return n <= 0 ? "" : this.log.slice(-n);
  }

  /** Drops what was received so far. */
  clear(): void {
    this.buf = "";
  }

  /** Waits until `re` matches the buffer; consumes through the end of the match. */
  expect(re: RegExp, timeoutMs: number, what = re.source): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = re.exec(this.buf);
        if (!m) return false;
        this.buf = this.buf.slice(m.index + m[0].length);
        done();
        resolve(m);
        return true;
      };
      const timer = setTimeout(() => {
        done();
        reject(new DeployError(`no answer from the board within ${(timeoutMs / 1000).toFixed(1)} s (waiting for ${what}); last output: ${JSON.stringify(this.log.slice(-160))}`, "TIMEOUT"));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter = () => void check();
      this.waiters.add(waiter);
      check();
    });
  }

  /** Waits for `n` bytes (consumed and returned), or for `abort` to match the buffer (rejects with its text). */
  take(n: number, timeoutMs: number, abort?: RegExp): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (abort) {
          const m = abort.exec(this.buf);
          if (m) {
            done();
            reject(new DeployError(`board: ${m[0].trim()}`, "TRANSFER"));
            return;
          }
        }
        if (this.buf.length >= n) {
          const s = this.buf.slice(0, n);
          this.buf = this.buf.slice(n);
          done();
          resolve(s);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new DeployError(`no acknowledgement within ${(timeoutMs / 1000).toFixed(1)} s`, "TIMEOUT"));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  write(data: Buffer | string): Promise<void> {
    return this.port.write(data).catch((e: Error) => {
      throw new DeployError(`${this.port.path}: write failed (${e.message}): the board is unplugged or the port closed`, "TRANSFER");
    });
  }

  /** Sends one line at the prompt and waits for the next prompt ("> " or ">> " after a newline). */
  async line(text: string, timeoutMs = 3000): Promise<string> {
    if (text.length >= 250) throw new DeployError(`internal: prompt line of ${text.length} bytes (limit 255)`, "INPUT");
    this.clear();
    await this.write(`${text}\n`);
    const m = await this.expect(/^([\s\S]*?)\r?\n(>>?) $/, timeoutMs, "the prompt");
    this.lastPrompt = `${m[2]} `;
    return m[1];
  }

  /** Sends a line and waits for `re` in its output, then for the prompt. */
  async call(text: string, re: RegExp, timeoutMs = 5000): Promise<RegExpExecArray> {
    this.clear();
    await this.write(`${text}\n`);
    const m = await this.expect(re, timeoutMs, re.source);
    await this.expect(/(?:^|\n)>>? $/, timeoutMs, "the prompt").catch(() => undefined);
    return m;
  }

  /** print("a","z") until "a\tz" comes back: the prompt is there and in step. */
  async sync(attempts = 8, timeoutMs = 700, before?: () => Promise<void>): Promise<void> {
    for (let i = 0; i < attempts; i++) {
      if (before) await before();
      this.clear();
      await this.write(`\nprint("a","z")\n`);
      try {
        await this.expect(/a\tz\r?\n/, timeoutMs, 'a<TAB>z');
        await this.expect(/\n?>>? $/, timeoutMs, "the prompt").catch(() => undefined);
        return;
      } catch {
        // retry: the board may be booting, or the app still has the UART
      }
    }
    throw new DeployError(
      `${this.port.path}: no NodeMCU prompt answered print("a","z") (${attempts} tries). ` +
      `If the rackcell app runs, it should hand the UART back on the 'prompt' command; otherwise reset the board and try again within a few seconds. Last output: ${JSON.stringify(this.log.slice(-160))}`,
      "NO_PROMPT",
    );
  }
}

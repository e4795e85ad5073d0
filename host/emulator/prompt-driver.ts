import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulatedBoard, type EmulatedBoard, type EmulatorOptions } from "./index.ts";

/**
 * For tests: a bare emulated board (manual clock, a temp flash holding `files`) 1.5 s after
 * power-on, and send(line), which types the line and returns the bytes the board sent in the
 * next `ms` of virtual time, exactly as they came. close() removes the board and its flash.
 */
export interface PromptDriver {
  b: EmulatedBoard;
  dir: string;
  send(line: string, ms?: number): Promise<string>;
  /** Everything received since the last send (or since power-on). */
  received(): string;
  close(): Promise<void>;
}

export async function atPrompt(opts: EmulatorOptions = {}, files: Record<string, Buffer | string> = {}): Promise<PromptDriver> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-prompt-"));
  for (const [n, d] of Object.entries(files)) fs.writeFileSync(path.join(dir, n), d);
  const b = await startEmulatedBoard({ flashDir: dir, install: "none", ...opts });
  let text = "";
  b.onData((d) => { text += d.toString("latin1"); });
  await b.advance(1500);
  return {
    b, dir,
    async send(line, ms = 300) {
      text = "";
      b.write(`${line}\r\n`);
      await b.advance(ms);
      return text;
    },
    received: () => text,
    async close() {
      await b.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

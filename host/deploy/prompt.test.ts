import { describe, expect, it } from "vitest";
import { PromptSession, type RawPort } from "./prompt.ts";

/**
 * The prompt reader takes a board's console both ways: NodeMCU's (CR LF, from uart0_putc) and a
 * bare LF (older emulators, some adapters): the same line gives the same output and prompt.
 */
function scriptedPort(reply: (line: string) => string): RawPort {
  const subs = new Set<(b: Buffer) => void>();
  return {
    path: "/dev/scripted",
    async write(data) {
      const text = data.toString();
      setTimeout(() => { for (const s of subs) s(Buffer.from(reply(text.replace(/\n$/, "")), "latin1")); }, 1);
    },
    onData(cb) {
      subs.add(cb);
      return () => subs.delete(cb);
    },
    async close() {},
  };
}

describe("PromptSession", () => {
  for (const [name, eol] of [["CR LF", "\r\n"], ["LF", "\n"]] as const) {
    it(`line() and sync() with ${name} line ends`, async () => {
      const port = scriptedPort((line) => {
        if (line.includes('print("a","z")')) return `print("a","z")${eol}a\tz${eol}> `;
        if (line === "for i=1,2 do") return `${line}${eol}>> `;
        return `${line}${eol}42${eol}> `;
      });
      const s = new PromptSession(port);
      await s.sync(2, 500);
      expect(await s.line("=6*7")).toBe(`=6*7${eol}42`);
      expect(s.lastPrompt).toBe("> ");
      expect(await s.line("for i=1,2 do")).toBe("for i=1,2 do");
      expect(s.lastPrompt).toBe(">> ");
      s.detach();
    });
  }
});

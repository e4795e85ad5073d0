import { afterEach, describe, expect, it } from "vitest";
import { SerialPort } from "serialport";
import { startEmulatedBoard, type EmulatedBoard } from "./index.ts";
import { encodeCommand } from "../../shared/protocol/messages.ts";

/**
 * A client that behaves like the common NodeMCU upload tools (NodeMCU-Tool, ESPlorer,
 * nodemcu-uploader's text mode) against the emulated board running rackcell's firmware, once the
 * app has handed the UART to the Lua prompt: it knows nothing of rackcell. It waits for "\r\n> "
 * after every line (as those tools split replies on the console's CR LF), syncs with print()
 * round trips, writes a file through file.open / file.write / file.close in lines under 250
 * bytes, and runs it with dofile.
 */
const boards: EmulatedBoard[] = [];
afterEach(async () => {
  await Promise.all(boards.splice(0).map((b) => b.close()));
});

class UploadClient {
  private text = "";
  constructor(private readonly port: SerialPort) {
    port.on("data", (d: Buffer) => { this.text += d.toString("latin1"); });
  }

  private async waitFor(pred: (t: string) => boolean, ms: number): Promise<boolean> {
    const t0 = Date.now();
    while (!pred(this.text)) {
      if (Date.now() - t0 > ms) return false;
      await new Promise((r) => setTimeout(r, 5));
    }
    return true;
  }

  private write(s: string): Promise<void> {
    return new Promise((res, rej) => this.port.write(s, (e) => (e ? rej(e) : res())));
  }

  /** print("<token>") until "<token>\r\n> " comes back: the prompt is there and in step. */
  async sync(tries = 30): Promise<boolean> {
    for (let i = 0; i < tries; i++) {
      const token = `sync${i}`;
      this.text = "";
      await this.write(`print("${token}")\n`);
      if (await this.waitFor((t) => t.endsWith(`${token}\r\n> `), 300)) return true;
    }
    return false;
  }

  /** One line; the reply up to the next "\r\n> " (the echo included, as the tools see it). */
  async line(l: string, ms = 3000): Promise<string> {
    if (Buffer.byteLength(l) >= 250) throw new Error(`line of ${l.length} bytes`);
    this.text = "";
    await this.write(`${l}\n`);
    if (!(await this.waitFor((t) => t.endsWith("\r\n> "), ms))) throw new Error(`no "\\r\\n> " after ${JSON.stringify(l)}: ${JSON.stringify(this.text.slice(-200))}`);
    return this.text;
  }
}

/** A Lua string literal for any bytes (what the tools' text mode does). */
function luaQuote(s: string): string {
  return `"${s.replace(/[\\"\n\r\0]/g, (c) => `\\${c.charCodeAt(0)}`)}"`;
}

describe("a NodeMCU upload client against the emulated board", () => {
  it("syncs, writes a Lua file in lines under 250 bytes and runs it with dofile", async () => {
    const b = await startEmulatedBoard({ install: "firmware", pty: true, clock: "fast" });
    boards.push(b);
    const port = await new Promise<SerialPort>((resolve, reject) => {
      const p = new SerialPort({ path: b.path as string, baudRate: 115200 }, (e) => (e ? reject(e) : resolve(p)));
    });
    try {
      // The app streams frames until asked to hand the UART to the prompt.
      await new Promise((r) => setTimeout(r, 2500));
      await new Promise<void>((res) => port.write(`${encodeCommand(1, "prompt", [])}\n`, () => res()));
      await new Promise((r) => setTimeout(r, 300));
      const c = new UploadClient(port);
      expect(await c.sync()).toBe(true);

      const program = [
        "-- uploaded by a generic NodeMCU client",
        "local t = {}",
        "for i = 1, 40 do t[#t + 1] = string.format(\"%02d\", i * 7 % 100) end",
        "local s = table.concat(t, \",\")",
        "print(\"LEN\", #s, \"SUM\", (function() local n = 0 for v in s:gmatch(\"%d+\") do n = n + v end return n end)())",
        "return \"done\\r\\n\" .. string.rep(\"x\", 150)",
      ].join("\n").concat("\n", "-- padding ".repeat(40));
      expect((await c.line('file.remove("gen.lua")'))).not.toMatch(/Lua error/);
      expect(await c.line('fd = file.open("gen.lua", "w")')).toBe('fd = file.open("gen.lua", "w")\r\n> ');
      const prefix = "fd:write(";
      let chunks = 0;
      for (let i = 0; i < program.length;) {
        let n = Math.min(program.length - i, 200);
        while (`${prefix}${luaQuote(program.slice(i, i + n))})`.length >= 250) n -= 10;
        const l = `${prefix}${luaQuote(program.slice(i, i + n))})`;
        expect(await c.line(l)).toBe(`${l}\r\n> `);
        i += n;
        chunks++;
      }
      expect(chunks).toBeGreaterThan(2);
      expect(await c.line("fd:close() fd = nil")).toBe("fd:close() fd = nil\r\n> ");
      expect(await c.line('=file.list()["gen.lua"]')).toBe(`=file.list()["gen.lua"]\r\n${program.length}\r\n> `);
      const sum = Array.from({ length: 40 }, (_, i) => ((i + 1) * 7) % 100).reduce((a, v) => a + v, 0);
      const out = await c.line('=dofile("gen.lua")');
      expect(out).toBe(`=dofile("gen.lua")\r\nLEN\t119\tSUM\t${sum}\r\ndone\r\n${"x".repeat(150)}\r\n> `);
    } finally {
      await new Promise((r) => port.close(r));
    }
  }, 60_000);
});

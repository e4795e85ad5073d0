import { afterEach, describe, expect, it } from "vitest";
import { SerialPort } from "serialport";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulatedBoard, type EmulatedBoard } from "./index.ts";

/**
 * The emulated board seen from the host: a pseudo-terminal opened with `serialport` like a USB
 * port, the interactive prompt as upload tools use it (NodeMCU-Tool's base64 upload), and the
 * in-process link with the manual clock for exact timing.
 */
const boards: EmulatedBoard[] = [];
afterEach(async () => {
  await Promise.all(boards.splice(0).map((b) => b.close()));
});

async function start(opts: Parameters<typeof startEmulatedBoard>[0]): Promise<EmulatedBoard> {
  const b = await startEmulatedBoard(opts);
  boards.push(b);
  return b;
}

/** A tiny line-oriented client over a SerialPort: send a command, wait for text. */
class PortClient {
  text = "";
  all = "";
  constructor(readonly port: SerialPort) {
    port.on("data", (d: Buffer) => { this.text += d.toString("latin1"); });
  }
  async waitFor(re: RegExp, ms = 5000): Promise<RegExpMatchArray> {
    const t0 = Date.now();
    for (;;) {
      const m = this.text.match(re);
      if (m) return m;
      if (Date.now() - t0 > ms) throw new Error(`timeout waiting for ${re} in ${JSON.stringify(this.text.slice(-400))}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  /** Sends one line and returns what came back up to the next prompt (NodeMCU-Tool style). */
  async command(line: string, ms = 5000): Promise<string> {
    this.all += this.text;
    this.text = "";
    await new Promise<void>((res, rej) => this.port.write(`${line}\r\n`, (e) => (e ? rej(e) : res())));
    const m = await this.waitFor(/\n> $/, ms);
    void m;
    return this.text;
  }
}

function openPort(p: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path: p, baudRate: 115200 }, (e) => (e ? reject(e) : resolve(port)));
  });
}

describe("emulated board over a pseudo-terminal", () => {
  it("syncs at the bare prompt with print(\"a\",\"z\") and uploads a file the way NodeMCU-Tool does", async () => {
    const b = await start({ pty: true, clock: "fast", install: "none" });
    expect(b.path).toMatch(/ttyEMU0$/);
    const port = await openPort(b.path as string);
    const c = new PortClient(port);
    try {
      // Sync: the boot banner may be gone (opening a port flushes), so ask until a\tz comes.
      let synced = false;
      for (let i = 0; i < 20 && !synced; i++) {
        c.text = "";
        port.write('print("a","z")\r\n');
        try { await c.waitFor(/a\tz/, 300); synced = true; } catch { /* retry */ }
      }
      expect(synced).toBe(true);
      await c.waitFor(/\n> $/);

      const content = Buffer.from(Array.from({ length: 700 }, (_, i) => (i * 37 + 11) % 256));
      expect((await c.command('file.remove("up.bin")'))).not.toMatch(/Lua error/);
      expect(await c.command('__f=file.open("up.bin","w")')).not.toMatch(/Lua error/);
      const b64 = content.toString("base64");
      // ≤ 230 characters per command line, like NodeMCU-Tool's helper.
      const prefix = '__f:write(encoder.fromBase64("';
      const suffix = '"))';
      const per = Math.floor((230 - prefix.length - suffix.length) / 4) * 4;
      const transcript = () => c.all + c.text;
      for (let i = 0; i < b64.length; i += per) {
        const line = `${prefix}${b64.slice(i, i + per)}${suffix}`;
        expect(line.length).toBeLessThanOrEqual(230);
        const reply = await c.command(line);
        expect(reply, transcript()).not.toMatch(/Lua error/);
      }
      await c.command("__f:close() __f=nil");
      const back = await c.command('=encoder.toBase64(file.getcontents("up.bin"))');
      expect(back).toContain(b64);
      expect(await c.command('=file.list()["up.bin"]')).toContain("\r\n700\r\n");
    } finally {
      await new Promise((r) => port.close(r));
    }
  });
});

describe("the interactive prompt (in-process link, manual clock)", () => {
  async function prompt(): Promise<{ b: EmulatedBoard; send: (line: string) => Promise<string> }> {
    const b = await start({ install: "none" });
    let text = "";
    b.onData((d) => { text += d.toString("latin1"); });
    expect(await b.runUntil((t) => t.includes("\n> "), 2000)).toBe(true);
    const send = async (line: string) => {
      text = "";
      b.write(`${line}\r\n`);
      await b.runUntil(() => /\n(>|>>) $/.test(text), 5000);
      return text;
    };
    return { b, send };
  }

  it("boots with the NodeMCU banner, says init.lua is missing, echoes, merges CR/LF and continues incomplete chunks", async () => {
    const b = await start({ install: "none" });
    let text = "";
    b.onData((d) => { text += d.toString("latin1"); });
    await b.runUntil((t) => t.includes("> "), 2000);
    // Console bytes as uart0_putc sends them: every LF as CR LF (app/driver/uart.c).
    expect(text).toMatch(/\r\nNodeMCU 3\.0\.0\.0 .* powered by Lua 5\.1\.4 on SDK 3\.0\.1-dev\(fce080e\)\r\n/);
    expect(text.endsWith("\r\ncannot open init.lua\r\n> ")).toBe(true);
    const { send } = { send: async (line: string) => { text = ""; b.write(`${line}\r\n`); await b.runUntil(() => /\n(>|>>) $/.test(text), 5000); return text; } };
    expect(await send("=1+1")).toBe("=1+1\r\n2\r\n> ");
    expect(await send("for i=1,2 do")).toBe("for i=1,2 do\r\n>> ");
    expect(await send("")).toBe("\r\n>> "); // an empty line: the echo's CR LF and the prompt (input.c)
    expect(await send("print(i) end")).toBe("print(i) end\r\n1\r\n2\r\n> ");
    expect(await send("")).toBe("\r\n> ");
    const err = await send("error('x')");
    expect(err).toMatch(/^error\('x'\)\r\nLua error: \tstdin:1: x\r\nstack traceback:\r\n/);
    expect(err.endsWith("\r\n> ")).toBe(true);
    expect(err.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/); // no bare LF, no bare CR
    expect(await send("=io")).toBe("=io\r\nnil\r\n> "); // the NodeMCU profile: no io, no os
    expect(await send("=math.sin")).toBe("=math.sin\r\nnil\r\n> ");
    expect(await send("=nil,2")).toBe("=nil,2\r\nnil\t2\r\n> ");
    expect(await send("x = 1")).toBe("x = 1\r\n> ");
  });

  it("console bytes: print's CR is dropped and its LF sent as CR LF; uart.write goes out unchanged", async () => {
    const { send } = await prompt();
    expect(await send('print("a\\rb\\nc")')).toBe('print("a\\rb\\nc")\r\nab\r\nc\r\n> ');
    expect(await send('uart.write(0, "x\\ny\\r", 10)')).toBe('uart.write(0, "x\\ny\\r", 10)\r\nx\ny\r\n> ');
    // The prompt comes from _PROMPT / _PROMPT2 when set (lua.c get_prompt).
    expect(await send('_PROMPT = "$ "')).toBe('_PROMPT = "$ "\r\n$ ');
    expect(await send("_PROMPT = nil")).toBe("_PROMPT = nil\r\n> ");
  });

  it("node.output: print and the prompt go to a Lua function (and the UART only with serial_debug 1)", async () => {
    const { b, send } = await prompt();
    let text = "";
    b.onData((d) => { text += d.toString("latin1"); });
    // Silent: the echo still reaches the UART (input.c writes it), print and the prompt do not.
    await send('out = "" node.output(function(p) out = out .. (p:read(1000) or "") end, 0)');
    text = "";
    b.write('print("hidden")\r\n');
    await b.advance(200);
    expect(text).toBe('print("hidden")\r\n');
    b.write("node.output(nil)\r\n");
    await b.advance(200);
    // The function got the prompt after the node.output line, print's line and the next prompt,
    // as the interpreter wrote them (plain LF): "> hidden\n> ".
    expect(await send("=out")).toBe("=out\r\n> hidden\r\n> \r\n> ");
    await send('node.output(function(p) out2 = (out2 or "") .. (p:read(1000) or "") end, 1)');
    expect(await send('print("both")')).toBe('print("both")\r\nboth\r\n> ');
    await send("node.output()");
    expect(await send("=out2")).toBe("=out2\r\n> both\r\n> \r\n> ");
  });

  it("a line longer than 256 bytes loses what was collected (input.c): only its tail reaches the interpreter", async () => {
    const { send } = await prompt();
    const head = `marker=1 --${"x".repeat(255 - 11)}`;
    expect(head.length).toBe(255);
    const reply = await send(`${head}tail=2`);
    expect(reply).not.toMatch(/Lua error/);
    expect(await send("=marker")).toBe("=marker\r\nnil\r\n> ");
    expect(await send("=tail")).toBe("=tail\r\n2\r\n> ");
    await send(`marker=3 --${"x".repeat(200)}`);
    expect(await send("=marker")).toBe("=marker\r\n3\r\n> ");
  });

  it("RX ring: when 256 bytes are full, the OLDEST bytes are overwritten", async () => {
    const { b, send } = await prompt();
    // One line: in 50 ms a callback blocks the CPU for 300 ms; input goes to a per-byte callback;
    // after 1 s the input returns to the interpreter and what arrived is printed.
    await send('got="" tmr.create():alarm(50,tmr.ALARM_SINGLE,function() tmr.delay(300000) end) ' +
      'uart.on("data",0,function(c) got=got..c end,0) ' +
      'tmr.create():alarm(1000,tmr.ALARM_SINGLE,function() uart.on("data") print("GOT="..got) end)');
    // 2000 bytes take 174 ms on the wire at 115200 baud: most arrive while the CPU is blocked.
    const payload = Array.from({ length: 2000 }, (_, i) => String.fromCharCode(65 + (i % 26))).join("");
    let text = "";
    b.onData((d) => { text += d.toString("latin1"); });
    b.write(payload);
    expect(await b.runUntil((t) => /GOT=(?:\r\n)?[A-Z]+\r\n/.test(t), 3000)).toBe(true);
    const got = (text.match(/GOT=(?:\r\n)?([A-Z]+)\r\n/) as RegExpMatchArray)[1];
    const stats = await b.stats();
    expect(got.length).toBeLessThan(1000);
    expect(stats.uartRxOverwritten).toBe(2000 - got.length);
    // The ring kept the newest 256 bytes: what got lost is in the middle, the end is intact.
    expect(got.endsWith(payload.slice(-256))).toBe(true);
    expect(payload.startsWith(got.slice(0, got.length - 256))).toBe(true);
  });

  it("tmr.now() wraps at 2^31 µs; the clock jumps idle time without simulating it", async () => {
    const { b, send } = await prompt();
    const t0 = Date.now();
    await b.advance(2_147_483.648 - b.nowUs() / 1000 - 50 + 100); // near the wrap (boot was at 100 ms)
    const before = Number((await send("=tmr.now()")).split("\r\n")[1]);
    await b.advance(200);
    const after = Number((await send("=tmr.now()")).split("\r\n")[1]);
    expect(before).toBeGreaterThan(2 ** 31 - 200_000);
    expect(after).toBeLessThan(300_000);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});

describe("flash persistence", () => {
  it("keeps files in the host directory across emulator restarts", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-flash-test-"));
    try {
      const b1 = await start({ flashDir: dir, install: "none" });
      await b1.runUntil((t) => t.includes("> "), 2000);
      b1.write('file.putcontents("keep.txt","hello")\r\n');
      await b1.advance(300);
      await b1.close();
      boards.splice(boards.indexOf(b1), 1);
      expect(fs.readFileSync(path.join(dir, "keep.txt"), "utf8")).toBe("hello");
      const b2 = await start({ flashDir: dir, install: "none" });
      let text = "";
      b2.onData((d) => { text += d.toString("latin1"); });
      await b2.runUntil((t) => t.includes("> "), 2000);
      b2.write('=file.getcontents("keep.txt")\r\n');
      expect(await b2.runUntil(() => text.includes("hello\r\n"), 2000)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

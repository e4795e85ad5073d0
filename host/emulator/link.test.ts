import { afterEach, describe, expect, it } from "vitest";
import { SerialPort } from "serialport";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulatedBoard, type EmulatedBoard, type EmulatorOptions } from "./index.ts";

/**
 * The serial link: baud pacing (virtual and wall clock), the link faults and their counts,
 * unplugging the pseudo-terminal.
 */
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function boot(init: string | undefined, opts: EmulatorOptions = {}): Promise<EmulatedBoard> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-link-test-"));
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  if (init !== undefined) fs.writeFileSync(path.join(dir, "init.lua"), init);
  const b = await startEmulatedBoard({ flashDir: dir, install: "none", ...opts });
  cleanup.push(() => b.close());
  return b;
}

/** 960 bytes (959 'x' + newline) at 9600 baud: 1.0 s on the wire. */
const PACED = `tmr.create():alarm(300, tmr.ALARM_SINGLE, function()
  uart.setup(0, 9600, 8, uart.PARITY_NONE, uart.STOPBITS_1, 1)
  print(string.rep("x", 959))
end)`;
const PACED_S = (959 * 10) / 9600; // first byte's end → last byte's end

describe("baud pacing", () => {
  it("in virtual time: N bytes at 9600 baud take N·10/9600 s (± 5 %), and uart.write blocks on the FIFO", async () => {
    const b = await boot(PACED, { hostBaud: 9600 }); // the host reads at the rate the board switches to
    const times: number[] = [];
    // Chunk times are the wire time of their last byte; 1 ms steps make chunks of about one byte.
    b.onData((d, tUs) => { for (const c of d) if (c === 0x78) times.push(tUs as number); });
    let steps = 0;
    while (times.length < 959 && steps++ < 5000) await b.advance(1);
    expect(times.length).toBe(959);
    const s = (times[times.length - 1] - times[0]) / 1e6;
    expect(Math.abs(s - PACED_S) / PACED_S).toBeLessThan(0.05);
  });

  it("on the wall clock (realtime): the same bytes take N·10/9600 s (± 5 %)", async () => {
    const b = await boot(PACED, { clock: "realtime", hostBaud: 9600 });
    const times: number[] = [];
    b.onData((d) => { for (const c of d) if (c === 0x78) times.push(performance.now()); });
    const t0 = Date.now();
    while (times.length < 959 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
    expect(times.length).toBe(959);
    const s = (times[times.length - 1] - times[0]) / 1000;
    expect(Math.abs(s - PACED_S) / PACED_S).toBeLessThan(0.05);
  });
});

describe("link faults", () => {
  const PAYLOAD = `tmr.create():alarm(1000, tmr.ALARM_SINGLE, function()
    for i = 1, 20 do print(string.rep(string.char(65 + i % 26), 99)) end
  end)`;

  async function capture(kind: "byteDrop" | "bitFlip"): Promise<{ got: string; injected: number; lineFeedsMade: number }> {
    const b = await boot(PAYLOAD);
    await b.advance(500);
    let got = "";
    b.onData((d) => { got += d.toString("latin1"); });
    await b.fault({ kind, rate: 0.05 });
    await b.advance(1500);
    await b.fault({ kind, rate: 0 });
    const s = await b.stats();
    return { got, injected: kind === "byteDrop" ? s.injected.bytesDropped : s.injected.bitsFlipped, lineFeedsMade: s.injected.lineFeedsMade };
  }
  // print's bytes on the wire: its LF goes out as CR LF (the console's uart0_putc).
  const expected = Array.from({ length: 20 }, (_, i) => `${String.fromCharCode(65 + ((i + 1) % 26)).repeat(99)}\r\n`).join("");

  it("byteDrop: what the host misses is what stats() says was dropped", async () => {
    const { got, injected } = await capture("byteDrop");
    expect(injected).toBeGreaterThan(30);
    expect(got.length).toBe(expected.length - injected);
  });

  it("bitFlip: every flipped bit shows as one changed byte", async () => {
    const { got, injected, lineFeedsMade } = await capture("bitFlip");
    expect(got.length).toBe(expected.length);
    let diff = 0;
    let newLineFeeds = 0;
    for (let i = 0; i < got.length; i++) {
      if (got[i] !== expected[i]) diff++;
      if (got[i] === "\n" && expected[i] !== "\n") newLineFeeds++;
    }
    expect(injected).toBeGreaterThan(30);
    expect(diff).toBe(injected);
    // 'J' (0x4A) is one flip from a line feed; the count lets link tests bound the lines a flip can split.
    expect(lineFeedsMade).toBe(newLineFeeds);
  });

  it("unplug (in-process link): the board keeps running, its bytes are lost meanwhile, then flow again", async () => {
    const b = await boot(`tmr.create():alarm(100, tmr.ALARM_AUTO, function() print("T", tmr.now()) end)`);
    await b.advance(500);
    let got = "";
    b.onData((d) => { got += d.toString("latin1"); });
    await b.fault({ kind: "unplug", seconds: 1 });
    await b.advance(900);
    expect(got).toBe("");
    await b.advance(1000);
    const ts = [...got.matchAll(/T\t(\d+)/g)].map((m) => Number(m[1]));
    expect(ts[0]).toBeGreaterThan(1_400_000); // the board kept time while unplugged
    const s = await b.stats();
    expect(s.injected.unplugs).toBe(1);
    expect(s.injected.bytesLostUnplugged).toBeGreaterThan(50);
  });
});

describe("unplug on the pseudo-terminal", () => {
  function openPort(p: string): Promise<SerialPort> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path: p, baudRate: 115200 }, (e) => (e ? reject(e) : resolve(port)));
    });
  }
  async function sync(port: SerialPort): Promise<boolean> {
    let text = "";
    const on = (d: Buffer) => { text += d.toString("latin1"); };
    port.on("data", on);
    try {
      for (let i = 0; i < 30; i++) {
        port.write('print("a","z")\r\n');
        await new Promise((r) => setTimeout(r, 100));
        if (text.includes("a\tz")) return true;
      }
      return false;
    } finally {
      port.off("data", on);
    }
  }

  it("the device path disappears for N seconds and comes back at the same path; the board kept running", async () => {
    const b = await boot(undefined, { pty: true, clock: "realtime" });
    const p = b.path as string;
    const port = await openPort(p);
    expect(await sync(port)).toBe(true);
    port.on("error", () => {});
    const closed = new Promise<void>((r) => port.once("close", () => r()));
    const v0 = b.nowUs();
    await b.fault({ kind: "unplug", seconds: 1 });
    expect(fs.existsSync(p)).toBe(false);
    // The host notices at its next write (a pty gives no event by itself).
    port.write("\r\n");
    await Promise.race([closed, new Promise((r) => setTimeout(r, 1500))]);
    const t0 = Date.now();
    while (!fs.existsSync(p) && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 20));
    expect(fs.existsSync(p)).toBe(true);
    expect(Date.now() - t0).toBeGreaterThan(300);
    if (port.isOpen) await new Promise((r) => port.close(r));
    const port2 = await openPort(p);
    try {
      expect(await sync(port2)).toBe(true);
      expect(b.nowUs() - v0).toBeGreaterThan(900_000);
      expect((await b.stats()).injected.unplugs).toBe(1);
    } finally {
      await new Promise((r) => port2.close(r));
    }
  });
});

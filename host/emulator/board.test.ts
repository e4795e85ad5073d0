import { afterEach, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulatedBoard, type EmulatedBoard, type EmulatorOptions } from "./index.ts";
import { runLuaProgram } from "../testing/lua-vm.ts";

/**
 * The board's behaviour under firmware: callbacks that fail, hang or eat the heap, the HX711
 * module and bit-banged reads wired to the physics, the flash's limits and power cuts, and
 * determinism. Each test boots a bare board whose flash holds only the init.lua it needs.
 */
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/**
 * What the board sent: `raw` exactly; `text` as a host reads the console (CR LF as LF: the
 * interpreter's output goes out with CR LF, serial.test.ts pins those bytes).
 */
interface Log { raw: string; readonly text: string; chunks: { t: number; s: string }[] }

async function boot(init: string | undefined, opts: EmulatorOptions = {}): Promise<{ b: EmulatedBoard; log: Log; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-board-test-"));
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  if (init !== undefined) fs.writeFileSync(path.join(dir, "init.lua"), init);
  const b = await startEmulatedBoard({ flashDir: dir, install: "none", ...opts });
  cleanup.push(() => b.close());
  const log: Log = { raw: "", get text() { return this.raw.replace(/\r\n/g, "\n"); }, chunks: [] };
  b.onData((d, tUs) => {
    const s = d.toString("latin1");
    log.raw += s;
    log.chunks.push({ t: tUs ?? b.nowUs(), s });
  });
  return { b, log, dir };
}

/** Virtual time (µs) at which the n-th occurrence (0-based) of `needle` was delivered. */
function timeOf(log: Log, needle: string, n = 0): number {
  let idx = -1;
  for (let i = 0; i <= n; i++) {
    idx = log.raw.indexOf(needle, idx + 1);
    if (idx < 0) throw new Error(`"${needle}" #${n} not in ${JSON.stringify(log.raw.slice(-500))}`);
  }
  let pos = 0;
  for (const c of log.chunks) {
    pos += c.s.length;
    if (pos > idx) return c.t;
  }
  throw new Error("unreachable");
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/** Complete "BOOT\t<reason>\n" lines printed by the init.lua below. */
function boots(text: string): number {
  return [...text.matchAll(/BOOT\t\d+\n/g)].length;
}

async function promptOf(b: EmulatedBoard, log: Log) {
  expect(await b.runUntil(() => log.text.includes("\n> "), 3000)).toBe(true);
  return async (line: string): Promise<string> => {
    const from = log.text.length;
    b.write(`${line}\r\n`);
    await b.runUntil(() => /\n(>|>>) $/.test(log.text.slice(from)), 5000);
    return log.text.slice(from);
  };
}

const ONLY_ON_POWER_ON = "local _, reason = node.bootreason() print('BOOT', reason) if reason == 0 then";

describe("callbacks that fail", () => {
  it("an error in a callback prints the error and trace, and the board restarts ≈2 s later", async () => {
    const { b, log } = await boot(`${ONLY_ON_POWER_ON}
      tmr.create():alarm(100, tmr.ALARM_SINGLE, function() local x = nil; x.field = 1 end)
    end`);
    expect(await b.runUntil(() => boots(log.text) >= 2, 5000)).toBe(true);
    expect(log.text).toMatch(/init\.lua:\d+: attempt to index local 'x' \(a nil value\)\nstack traceback:\n\tinit\.lua:\d+: in function <init\.lua:\d+>/);
    const dt = timeOf(log, "BOOT", 1) - timeOf(log, "attempt to index");
    expect(dt).toBeGreaterThan(1_950_000);
    expect(dt).toBeLessThan(2_300_000);
    expect(log.text).toContain("BOOT\t4"); // software restart
    expect((await b.stats()).callbackErrors).toBe(1);
  });

  it("node.setonerror replaces the restart", async () => {
    const { b, log } = await boot(`node.setonerror(function(m) print("HANDLED", (m:gsub("\\n.*", ""))) end)
      tmr.create():alarm(100, tmr.ALARM_SINGLE, function() error("bad") end)`);
    await b.advance(3000);
    expect(log.text).toContain("HANDLED\tinit.lua:2: bad");
    expect(count(log.text, "NodeMCU 3.0.0.0")).toBe(1);
  });

  it("the soft watchdog resets the board when a callback holds the CPU (≈3.2 s)", async () => {
    const { b, log } = await boot(`${ONLY_ON_POWER_ON}
      tmr.create():alarm(100, tmr.ALARM_SINGLE, function() print("SPIN") local n = 0 while true do n = n + 1 end end)
    end`);
    expect(await b.runUntil(() => boots(log.text) >= 2, 10_000)).toBe(true);
    expect(log.text).toContain("BOOT\t3"); // software watchdog reset
    const dt = timeOf(log, "BOOT", 1) - timeOf(log, "SPIN");
    expect(dt).toBeGreaterThan(3_200_000);
    expect(dt).toBeLessThan(3_600_000);
    const s = await b.stats();
    expect(s.watchdogResets).toBe(1);
    expect(s.maxCallbackInstructions).toBeGreaterThan(3_000_000); // ≈1 µs per VM instruction
  });

  it("tmr.wdclr() keeps a long callback alive", async () => {
    const { b, log } = await boot(`tmr.create():alarm(100, tmr.ALARM_SINGLE, function()
        local t0 = tmr.now() while tmr.now() - t0 < 5000000 do tmr.wdclr() end print("DONE") end)`);
    await b.advance(6000);
    expect(log.text).toContain("DONE");
    expect((await b.stats()).watchdogResets).toBe(0);
  });

  it("the heap cap: a firmware that keeps memory runs out (E:M, not enough memory) and restarts", async () => {
    const { b, log } = await boot(`${ONLY_ON_POWER_ON}
      keep = {}
      tmr.create():alarm(50, tmr.ALARM_AUTO, function()
        for i = 1, 50 do keep[#keep + 1] = string.rep("x", 100) .. #keep end
        print("HEAP", node.heap())
      end)
    end`);
    expect(await b.runUntil(() => boots(log.text) >= 2, 8000)).toBe(true);
    expect(log.text).toMatch(/E:M \d+\n/);
    expect(log.text).toContain("not enough memory");
    const heaps = [...log.text.matchAll(/HEAP\t(-?\d+)/g)].map((m) => Number(m[1]));
    expect(heaps[0]).toBeGreaterThan(30_000);
    expect(heaps[0]).toBeLessThan(44_000);
    expect(heaps[heaps.length - 1]).toBeLessThan(heaps[0]);
    expect((await b.stats()).oomResets).toBeGreaterThanOrEqual(1);
  });
});

describe("crypto.fhash", () => {
  it("hashes a file larger than the heap without taking heap (NodeMCU hashes it from C)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-fhash-"));
    cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const big = Buffer.alloc(150_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251;
    fs.writeFileSync(path.join(dir, "big.bin"), big);
    fs.writeFileSync(path.join(dir, "init.lua"), `tmr.create():alarm(100, tmr.ALARM_SINGLE, function()
      print("SHA", encoder.toHex(crypto.fhash("sha256", "big.bin")), node.heap())
    end)`);
    const b = await startEmulatedBoard({ flashDir: dir, install: "none" });
    cleanup.push(() => b.close());
    let text = "";
    b.onData((d) => { text += d.toString("latin1"); });
    expect(await b.runUntil(() => /SHA\t[0-9a-f]{64}\t\d+/.test(text), 3000)).toBe(true);
    const m = /SHA\t([0-9a-f]{64})\t(\d+)/.exec(text)!;
    expect(m[1]).toBe(createHash("sha256").update(big).digest("hex"));
    expect(Number(m[2])).toBeGreaterThan(30_000);
    expect((await b.stats()).oomResets).toBe(0);
  });
});

describe("node.random", () => {
  it("draws from a cryptographic source: two boards with the same seed differ; ranges and bad arguments as NodeMCU's", async () => {
    const script = `tmr.create():alarm(50, tmr.ALARM_SINGLE, function()
      local t = {}
      for i = 1, 32 do t[i] = string.format("%02x", node.random(0, 255)) end
      local lo, hi, ok1 = 1e9, -1e9, true
      for i = 1, 2000 do
        local v = node.random(6)
        if v < lo then lo = v end
        if v > hi then hi = v end
        local f = node.random()
        if f < 0 or f >= 1 then ok1 = false end
      end
      print("RND", table.concat(t), lo, hi, ok1, pcall(node.random, 5, 1))
    end)`;
    const runs: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { b, log } = await boot(script, { seed: 7 });
      expect(await b.runUntil(() => /RND\t.*\n/.test(log.text), 2000)).toBe(true);
      const m = /RND\t([0-9a-f]{64})\t(\d+)\t(\d+)\t(\w+)\t(\w+)\t(.*)\n/.exec(log.text)!;
      expect([m[2], m[3], m[4], m[5], m[6]]).toEqual(["1", "6", "true", "false", "bad argument #2 to 'random' (interval is empty)"]);
      runs.push(m[1]);
    }
    expect(runs[0]).not.toBe(runs[1]);
  });
});

describe("time", () => {
  it("a long callback delays timers (virtual time follows the VM's instructions)", async () => {
    const { b, log } = await boot(`
      local t0
      tmr.create():alarm(100, tmr.ALARM_SINGLE, function() t0 = tmr.now() for i = 1, 200000 do end end)
      tmr.create():alarm(110, tmr.ALARM_SINGLE, function() print("LATE", tmr.now() - t0) end)`);
    await b.advance(1000);
    const late = Number((log.text.match(/LATE\t(\d+)/) as RegExpMatchArray)[1]);
    // An empty numeric for loop is one VM instruction (FORLOOP) per iteration: ≈ 1 µs each.
    expect(late).toBeGreaterThan(200_000);
    expect(late).toBeLessThan(230_000);
  });

  it("hx711.start's time is the raw 32-bit µs (negative after 2^31), unlike tmr.now()", async () => {
    const { b, log } = await boot(`
      tmr.create():alarm(2147300, tmr.ALARM_SINGLE, function()
        hx711.init(5, 6)
        hx711.start(0, 8, function(s, t, dropped) print("HX", #s, t, dropped, tmr.now()) end)
      end)`, { scenario: "weigh" });
    await b.advance(2_147_000);
    expect(await b.runUntil((t) => /HX\t24\t-\d+/.test(t), 2000)).toBe(true);
    const lines = [...log.text.matchAll(/HX\t24\t(-?\d+)\t(\d+)\t(\d+)/g)].map((m) => [Number(m[1]), Number(m[3])]);
    const pos = lines.filter(([t]) => t > 0);
    const neg = lines.filter(([t]) => t < 0);
    expect(pos.length).toBeGreaterThan(0);
    expect(neg[0][0]).toBeGreaterThan(-(2 ** 31));
    expect(neg[0][0]).toBeLessThan(-(2 ** 31) + 300_000);
    // tmr.now() at the same moment is masked to 31 bits: small and positive.
    expect(neg[0][1]).toBeLessThan(400_000);
  });

  it("hx711.start counts samples dropped while Lua still held the other buffer", async () => {
    const { b, log } = await boot(`hx711.init(5, 6)
      hx711.start(0, 4, function(s, t, dropped) print("HX", #s, dropped) tmr.delay(150000) end)`, { scenario: "weigh" });
    await b.advance(2000);
    const dropped = [...log.text.matchAll(/HX\t12\t(\d+)/g)].map((m) => Number(m[1]));
    expect(dropped.some((d) => d > 0)).toBe(true);
    expect((await b.stats()).hx711Dropped).toBeGreaterThan(0);
  });
});

describe("gpio wired to the HX711 chips", () => {
  const BITBANG = `
    function rd()
      local v = 0
      for i = 1, 24 do gpio.write(7, 1) gpio.write(7, 0) v = v * 2 + gpio.read(2) end
      gpio.write(7, 1) gpio.write(7, 0)
      if v >= 8388608 then v = v - 16777216 end
      return v
    end
    gpio.mode(7, gpio.OUTPUT) gpio.write(7, 0) gpio.mode(2, gpio.INT)`;

  it("gpio.trig on DOUT + bit-banged reads follow the load; the clock-high time stays under 60 µs", async () => {
    const { b, log } = await boot(`${BITBANG}
      gpio.trig(2, "down", function(level, when, n) print("BB", rd()) end)
      if gpio.read(2) == 0 then rd() end -- an unread conversion: no falling edge until it is read`, { scenario: "empty" });
    await b.advance(1500);
    const empty = [...log.text.matchAll(/BB\t(-?\d+)/g)].map((m) => Number(m[1]));
    expect(empty.length).toBeGreaterThan(80); // 80 SPS
    await b.setScenario("weigh:kg=100,atS=0.5");
    const from = log.text.length;
    await b.advance(3000);
    const loaded = [...log.text.slice(from).matchAll(/BB\t(-?\d+)/g)].map((m) => Number(m[1]));
    expect(Math.max(...loaded) - Math.max(...empty.slice(-40))).toBeGreaterThan(1000);
    const s = await b.stats();
    // At most the first, unsynchronised read may overlap a conversion end; the triggered ones never.
    expect(s.chips[1].timingViolations).toBeLessThanOrEqual(1);
    expect(s.chips[1].powerDowns).toBe(0);
  });

  it("a slow bit-bang (clock high > 60 µs) powers the chip down", async () => {
    const { b } = await boot(`
      gpio.mode(7, gpio.OUTPUT) gpio.write(7, 0)
      tmr.create():alarm(200, tmr.ALARM_AUTO, function()
        for i = 1, 25 do gpio.write(7, 1) tmr.delay(100) gpio.write(7, 0) end
      end)`);
    await b.advance(1000);
    expect((await b.stats()).chips[1].powerDowns).toBeGreaterThan(0);
  });

  it("the safe-mode pin reads low while the test holds it", async () => {
    const { b, log } = await boot(`print("SAFE", gpio.read(3))`);
    await b.holdSafeModePin(true);
    await b.advance(500);
    expect(log.text).toContain("SAFE\t0");
    await b.holdSafeModePin(false);
    await b.fault({ kind: "reset" });
    await b.advance(500);
    expect(log.text).toContain("SAFE\t1");
  });
});

describe("file system", () => {
  it("limits: names over 31 bytes refused, a 5th open file refused, rename onto an existing file fails", async () => {
    const { b, log } = await boot(undefined);
    const send = await promptOf(b, log);
    expect(await send(`=pcall(file.open, "${"n".repeat(32)}", "w")`)).toContain("false\tbad argument #1 to 'open' (filename invalid)");
    expect(await send(`f0 = file.open("${"n".repeat(31)}", "w") print(f0 ~= nil)`)).toContain("\ntrue\n");
    await send(`f1 = file.open("a1", "w") f2 = file.open("a2", "w") f3 = file.open("a3", "w")`);
    expect(await send(`=file.open("a4", "w")`)).toBe(`=file.open("a4", "w")\nnil\n> `); // 4 are open
    await send(`f0:close() f1:close() f2:close() f3:close()`);
    expect(await send(`=file.open("a4", "w") ~= nil`)).toContain("\ntrue\n");
    expect(await send(`=file.rename("a2","a3")`)).toContain("\nfalse\n");
    expect(await send(`=file.rename("a2","a5")`)).toContain("\ntrue\n");
    expect(await send(`=file.exists("a2"), file.exists("a5")`)).toContain("\nfalse\ttrue\n");
  });

  it("a power cut after N file operations leaves the flash as it was at the cut", async () => {
    const { b, log, dir } = await boot(undefined);
    const send = await promptOf(b, log);
    await b.fault({ kind: "powerCut", afterFileWrites: 5 });
    b.write(`for i = 1, 5 do local f = file.open("p" .. i, "w") f:write("x" .. i) f:close() end print("END")\r\n`);
    expect(await b.runUntil(() => count(log.text, "NodeMCU 3.0.0.0") >= 2, 3000)).toBe(true);
    void send;
    // open p1, write, close, open p2, write = 5 operations: the cut comes before p2 is closed.
    expect(fs.readFileSync(path.join(dir, "p1"), "utf8")).toBe("x1");
    expect(fs.readFileSync(path.join(dir, "p2"), "utf8")).toBe("x2");
    expect(fs.existsSync(path.join(dir, "p3"))).toBe(false);
    expect(log.text).not.toMatch(/^END$/m);
    const s = await b.stats();
    expect(s.injected.powerCuts).toBe(1);
    expect(s.lastBootReason).toBe(0); // power-on
  });
});

describe("LFS", () => {
  it("node.LFS.reload flashes an image and restarts; require finds its modules, whose code takes no heap", async () => {
    const { b, log, dir } = await boot(undefined);
    const src = "local M = {} function M.hi() return 'hello from LFS' end return M";
    fs.writeFileSync(path.join(dir, "img.lfs"), Buffer.concat([Buffer.from(`RCLFS1\nhello\n${src.length}\n`), Buffer.from(src)]));
    const send = await promptOf(b, log);
    expect(await send('=node.LFS.reload("nothere")')).toContain("cannot open nothere");
    b.write('node.LFS.reload("img.lfs")\r\n');
    expect(await b.runUntil(() => count(log.text, "NodeMCU 3.0.0.0") >= 2 && log.text.endsWith("> "), 5000), log.text).toBe(true);
    expect(await send("=require('hello').hi()")).toContain("\nhello from LFS\n");
    expect(await send("=node.LFS.list()[1]")).toContain("\nhello\n");
    expect(await send("=file.exists('hello.lua')")).toContain("\nfalse\n");
  });
});

describe("determinism", () => {
  const STREAM = `hx711.init(5, 6)
    hx711.start(0, 8, function(s, t) local a = struct.unpack("<i3", s) print("S", t, a, node.heap()) end)`;

  it("the same seed gives the same bytes; another seed does not", async () => {
    const run = async (seed: number) => {
      const { b, log } = await boot(STREAM, { seed, scenario: "rackpull" });
      await b.advance(3000);
      return log.text;
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(a.length).toBeGreaterThan(500);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
  });
});

describe("instruction attribution (the firmware's VM instructions, not the emulator's)", () => {
  /**
   * Ground truth: each body in a plain Lua 5.1 VM where the NodeMCU calls are C functions (no
   * Lua instructions of their own, as on the board), counted instruction by instruction.
   */
  function truth(bodies: string[]): number[] {
    const program = `
local sethook, clock = debug.sethook, os.clock
gpio = { write = clock, read = clock, mode = clock } tmr = { now = clock, delay = clock } print = clock
local function count(f) local n = 0 sethook(function() n = n + 1 end, "", 1) f() sethook() return n end
local base = count(function() end) - 1
${bodies.map((b) => `io.write(count(function() ${b} end) - base, "\\n")`).join("\n")}`;
    return runLuaProgram("5.1", program).trim().split("\n").map(Number);
  }

  const BODIES = [
    "",
    "for i = 1, 500 do gpio.write(7, i % 2) end",
    "local v = 0 for i = 1, 24 do gpio.write(7, 1) gpio.write(7, 0) v = v * 2 + gpio.read(2) end gpio.write(7, 1) gpio.write(7, 0) print('V', v)",
    "local s = 0 for i = 1, 3000 do s = s + i * 2 end local t = tmr.now()",
  ];

  it("a callback counts exactly the firmware's instructions; stand-ins cost their fixed time only", async () => {
    const expected = truth(BODIES);
    expect(expected[1]).toBeGreaterThan(500 * 6 - 1); // GETGLOBAL GETTABLE LOADK MOD CALL FORLOOP per iteration
    const timers = BODIES.map((b, i) => `tmr.create():alarm(${100 + i * 100}, tmr.ALARM_SINGLE, function() ${b} end)`).join("\n");
    const { b } = await boot(`gpio.mode(7, gpio.OUTPUT) gpio.write(7, 0)\n${timers}`);
    const got: number[] = [];
    await b.advance(250); // boot (100 ms) + the first alarm
    for (let i = 0; i < BODIES.length; i++) {
      const s = await b.stats();
      got.push(s.lastCallbackInstructions);
      await b.advance(100);
    }
    expect(got).toEqual(expected);
    const s = await b.stats();
    expect(s.firmwareInstructionsTotal).toBeLessThanOrEqual(s.instructionsTotal);
    expect(s.standInCalls).toBeGreaterThan(500 + 50);
  });

  it("virtual time inside a callback: ≈1 µs per firmware instruction plus each call's fixed cost", async () => {
    // Between two tmr.now() calls: the loop (LOADK ×3, FORPREP, N+1 FORLOOP), then GETGLOBAL,
    // GETTABLE, CALL of the second call — N + 8 instructions — plus 1 µs, the first call's cost.
    const { b, log } = await boot(`tmr.create():alarm(100, tmr.ALARM_SINGLE, function()
      local a = tmr.now() for i = 1, 1000 do end local z = tmr.now()
      local c = tmr.now() for i = 1, 5000 do gpio.write(7, 0) end local d = tmr.now()
      print("DT", z - a, d - c) end)`);
    await b.advance(300);
    const m = log.text.match(/DT\t(\d+)\t(\d+)/) as RegExpMatchArray;
    expect(Number(m[1])).toBe(1000 + 8 + 1);
    // Per iteration: GETGLOBAL GETTABLE LOADK LOADK CALL FORLOOP = 6 instructions + 2 µs gpio.write.
    expect(Number(m[2])).toBe(5000 * 8 + 1 + 8);
  });

  it("PD_SCK high time is exact to the µs: > 60 µs powers the chip down, 60 µs does not", async () => {
    // gpio.write(7, 1) for i = 1, K do end gpio.write(7, 0): the high time is the first call's
    // cost (2 µs) + LOADK ×3, FORPREP, K+1 FORLOOP, GETGLOBAL GETTABLE LOADK LOADK CALL = K + 12 µs.
    const high = (k: number) => `gpio.write(7, 1) for i = 1, ${k} do end gpio.write(7, 0)`;
    const { b } = await boot(`gpio.mode(7, gpio.OUTPUT) gpio.write(7, 0)
      tmr.create():alarm(100, tmr.ALARM_SINGLE, function() ${high(48)} end)
      tmr.create():alarm(400, tmr.ALARM_SINGLE, function() ${high(49)} end)`);
    await b.advance(350);
    expect((await b.stats()).chips[1].powerDowns).toBe(0);
    await b.advance(300);
    expect((await b.stats()).chips[1].powerDowns).toBe(1);
  });
});

describe("heap: what the firmware holds, not the emulator", () => {
  it("flash reads leave nothing charged to the firmware: the host's file handles are freed before a reading", async () => {
    // each file.exists of a missing name and each getcontents opens a host file (a userdata with a
    // finalizer: one collect runs it, the next frees it); on the board these are C calls, no Lua
    // objects. One timer all along (its own closure and state are the firmware's): reads at tick 5.
    const { b, log } = await boot(`
      file.putcontents("here.txt", "x")
      local ticks = 0
      tmr.create():alarm(100, tmr.ALARM_AUTO, function()
        ticks = ticks + 1
        if ticks == 5 then
          for i = 1, 40 do file.exists("missing" .. i) file.getcontents("here.txt") end
          print("READ")
        end
      end)`);
    await b.advance(350);
    const before = (await b.stats()).heapUsedBytes;
    await b.advance(450);
    expect(log.text).toContain("READ");
    const after = (await b.stats()).heapUsedBytes;
    // (80 host file handles left to a second collect read ≈ 2 KB more)
    expect(Math.abs(after - before)).toBeLessThan(200);
  });

  it("TX waiting for Node and RX bytes on the wire are not charged to the firmware's heap", async () => {
    const { b, log } = await boot(`
      uart.on("data", 200, function(d) end, 0)
      local n = 0
      tmr.create():alarm(10, tmr.ALARM_AUTO, function()
        n = n + 1
        uart.write(0, "LINE " .. n .. " ................................................\\n")
      end)
      tmr.create():alarm(250, tmr.ALARM_AUTO, function() collectgarbage("collect") uart.write(0, "HEAP " .. node.heap() .. "\\n") end)`);
    await b.advance(1000);
    // One long step: ≈5 KB of TX per simulated second is produced before Node reads any of it.
    await b.advance(15_000);
    const heaps = [...log.text.matchAll(/HEAP (\d+)/g)].map((m) => Number(m[1]));
    expect(heaps.length).toBeGreaterThan(60);
    const settled = heaps.slice(8);
    expect(Math.max(...settled) - Math.min(...settled)).toBeLessThan(600);
    const before = await b.stats();
    // 20 KB from the host: ≈1.7 s on the wire at 115200 baud.
    b.write(Buffer.alloc(20_000, 0x41));
    await b.advance(3000);
    const during = [...log.text.matchAll(/HEAP (\d+)/g)].map((m) => Number(m[1])).slice(heaps.length);
    // (≈2 KB of slack: Lua stacks grow by doubling and shrink only at a GC when under a quarter
    // used; the emulator's event loop shares the firmware's thread. The heap is read after a full
    // collection: the callbacks' garbage strings, and so when the shared VM's GC last ran, do not count.)
    expect(Math.min(...during)).toBeGreaterThan(Math.min(...settled) - 2500);
    const s = await b.stats();
    expect(Math.abs(s.heapUsedBytes - before.heapUsedBytes)).toBeLessThan(1024);
    expect(s.heapUsedBytes).toBe(Math.floor(s.heapHostBytes * s.heapScale));
    expect(s.heapScale).toBe(1); // the 32-bit VM's bytes are the board's
    expect(s.emulatorHeapBytes).toBeLessThan(2048);
    expect(s.uartRxBytes).toBe(20_000);
  });
});

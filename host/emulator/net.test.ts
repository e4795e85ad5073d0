import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { startEmulatedBoard, type EmulatedBoard, type EmulatorOptions } from "./index.ts";
import { embeddedTestBroker, mosquittoTestBroker, type TestBroker } from "../gym/test-brokers.ts";
import type { RacksFile } from "../gym/racks-file.ts";

/**
 * The network stand-ins (wifi, tcp, mqtt) against REAL brokers on this machine: a small Lua
 * script on a bare emulated board joins the emulated access point and talks MQTT over a real TCP
 * connection; the test's own mqtt.js client (the host's credentials) sees what the board sends.
 */
const GYM = "g1";
const RACK = "r1";
const RACK_PASSWORD = "rack-one-pw";
const AP = { ssid: "gymnet", password: "correct horse" };
const racks: RacksFile = { gym: GYM, racks: new Map([[RACK, RACK_PASSWORD]]) };
const topic = (kind: string) => `rackcell/${GYM}/${RACK}/${kind}`;

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

interface Board { b: EmulatedBoard; out: () => string }
/** What the emulator reported (a crash of its Lua process): part of a failure's message. */
const notices: string[] = [];

async function boot(init: string, opts: EmulatorOptions = {}): Promise<Board> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-net-test-"));
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, "init.lua"), init);
  const b = await startEmulatedBoard({ flashDir: dir, install: "none", accessPoint: AP, onNotice: (m) => notices.push(m), ...opts });
  cleanup.push(() => b.close());
  let text = "";
  b.onData((d) => { text += d.toString("latin1"); });
  return { b, out: () => text.replace(/\r\n/g, "\n") };
}

/** Advances the board until its console shows `needle` (`n` times), failing with the console if not. */
async function until(bd: Board, needle: string, maxMs: number, n = 1): Promise<void> {
  const end = bd.b.nowUs() + maxMs * 1000;
  while (bd.out().split(needle).length - 1 < n) {
    if (bd.b.nowUs() >= end) throw new Error(`no "${needle}" ×${n} within ${maxMs} ms; console:\n${bd.out().slice(-1500)}\n${notices.join("\n")}`);
    await bd.b.advance(50);
  }
}

/** As until(), bounded by wall time: for what a real process does on its own clock (a broker stopping). */
async function untilWall(bd: Board, needle: string, wallMs: number): Promise<void> {
  const t0 = Date.now();
  while (!bd.out().includes(needle)) {
    if (Date.now() - t0 > wallMs) throw new Error(`no "${needle}" within ${wallMs} ms of wall time; console:\n${bd.out().slice(-1500)}\n${notices.join("\n")}`);
    await bd.b.advance(20);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The host's client: every message on the rack's topics, in order. */
async function watch(broker: TestBroker): Promise<{ c: MqttClient; got: { topic: string; payload: string; retain: boolean }[] }> {
  const c = await mqtt.connectAsync(broker.url, { username: broker.hostUsername, password: broker.hostPassword, reconnectPeriod: 0 });
  cleanup.push(() => c.endAsync(true));
  const got: { topic: string; payload: string; retain: boolean }[] = [];
  c.on("message", (t, p, packet) => got.push({ topic: t, payload: p.toString(), retain: packet.retain }));
  await c.subscribeAsync(`rackcell/${GYM}/#`, { qos: 1 });
  return { c, got };
}

/** What a client subscribing now gets as the retained status (the broker's copy). */
async function retainedStatus(broker: TestBroker): Promise<{ payload: string; retain: boolean }> {
  const c = await mqtt.connectAsync(broker.url, { username: broker.hostUsername, password: broker.hostPassword, reconnectPeriod: 0 });
  try {
    const got = new Promise<{ payload: string; retain: boolean }>((resolve) => c.on("message", (_t, p, packet) => resolve({ payload: p.toString(), retain: packet.retain })));
    await c.subscribeAsync(topic("status"), { qos: 1 });
    return await got;
  } finally {
    await c.endAsync(true);
  }
}

async function eventually(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * The board's script: WiFi events and MQTT events printed; on an IP, connect (last will
 * "offline" retained on status); on connect, "online", subscribe to cmd; `extra` runs after.
 */
function script(port: number, o: { password?: string; keepaliveS?: number; extra?: string } = {}): string {
  return `
wifi.setmode(wifi.STATION)
wifi.eventmon.register(wifi.eventmon.STA_CONNECTED, function(T) print("WIFI_CONNECTED " .. T.SSID) end)
wifi.eventmon.register(wifi.eventmon.STA_DISCONNECTED, function(T) print("WIFI_DISCONNECTED " .. T.reason .. " status " .. wifi.sta.status()) end)
local m = mqtt.Client("${RACK}", ${o.keepaliveS ?? 20}, "${RACK}", "${RACK_PASSWORD}", 1)
M = m
m:lwt("${topic("status")}", "offline", 1, 1)
m:on("offline", function(c) TRYING = false print("MQTT_OFFLINE") end)
m:on("message", function(c, t, d) print("MQTT_MESSAGE " .. t .. " " .. tostring(d)) end)
m:on("puback", function(c) print("MQTT_PUBACK") end)
-- (mqtt:connect() raises "already connected" while the old TCP connection lives on)
local function go()
  if TRYING then return end
  TRYING = true
  m:connect("127.0.0.1", ${port}, false, function(c)
    print("MQTT_CONNECTED")
    c:publish("${topic("status")}", "online", 1, 1)
    c:subscribe("${topic("cmd")}", 1, function() print("MQTT_SUBACK") end)
    ${o.extra ?? ""}
  end, function(c, reason) TRYING = false print("MQTT_FAILED " .. reason) end)
end
wifi.eventmon.register(wifi.eventmon.STA_GOT_IP, function(T) print("WIFI_GOT_IP " .. T.IP .. " " .. wifi.sta.status()) go() end)
wifi.sta.config({ ssid = "${AP.ssid}", pwd = "${o.password ?? AP.password}", auto = true, save = false })
`;
}

for (const kind of ["embedded", "mosquitto"] as const) {
  describe(`network stand-ins against ${kind === "embedded" ? "an embedded Aedes" : "a real Mosquitto"}`, () => {
    let broker: TestBroker;
    let dir: string;
    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-net-broker-"));
      broker = kind === "embedded" ? await embeddedTestBroker(racks) : await mosquittoTestBroker(racks, dir);
    });
    afterAll(async () => {
      await broker?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("joins the access point, connects over real TCP, publishes (QoS 0 and 1 with PUBACK) and receives what it subscribed to", async () => {
      const host = await watch(broker);
      const bd = await boot(script(broker.port, { extra: `c:publish("${topic("frames")}", "f1", 0, 0)` }));
      await until(bd, "MQTT_SUBACK", 10_000);
      expect(bd.out()).toMatch(/WIFI_CONNECTED gymnet\nWIFI_GOT_IP 192\.168\.1\.\d+ 5\n/);
      await eventually(() => host.got.some((m) => m.topic === topic("frames") && m.payload === "f1"), "the board's frame");
      expect(host.got.find((m) => m.topic === topic("status") && !m.retain)?.payload).toBe("online");
      // The status (QoS 1) and the frame (QoS 0) both call the publish callback: PUBACK, then sent.
      expect(bd.out().split("MQTT_PUBACK").length - 1).toBe(2);
      await host.c.publishAsync(topic("cmd"), "tare", { qos: 1 });
      await until(bd, `MQTT_MESSAGE ${topic("cmd")} tare`, 2000);
    });

    it("on a free-running clock (fast, as rackcell emulate --fast) the board reaches the broker too", async () => {
      const host = await watch(broker);
      const bd = await boot(script(broker.port, { extra: `c:publish("${topic("frames")}", "fast-1", 0, 0)` }), { clock: "fast" });
      expect(await bd.b.runUntil((t) => t.includes("MQTT_SUBACK"), 10_000)).toBe(true);
      await eventually(() => host.got.some((m) => m.payload === "fast-1"), "the frame");
    });

    it("a wrong password is refused: disconnected with reason 15 (status STA_WRONGPWD), again and again, never an IP", async () => {
      const bd = await boot(`${script(broker.port, { password: "wrong password" })}
tmr.create():alarm(20000, tmr.ALARM_SINGLE, function() print("IP " .. tostring(wifi.sta.getip())) end)`);
      await until(bd, "IP ", 25_000);
      expect(bd.out()).toContain(`IP nil`);
      expect(bd.out().split("WIFI_DISCONNECTED 15 status 2").length - 1).toBeGreaterThanOrEqual(3);
      expect(bd.out()).not.toContain("WIFI_GOT_IP");
      expect(bd.out()).not.toContain("WIFI_CONNECTED");
    });

    it("WiFi down for 30 s: the broker publishes the retained last will, the board loses the AP (200, then 201), gets back and reconnects", async () => {
      const host = await watch(broker);
      // Publishing every second keeps a segment in flight, as a streaming firmware does.
      const bd = await boot(script(broker.port, {
        extra: `tmr.create():alarm(1000, tmr.ALARM_AUTO, function() if CONNECTED then M:publish("${topic("frames")}", "f" .. tmr.time(), 0, 0) end end)
    CONNECTED = true`,
      }) + `
m = M
M:on("offline", function(c) CONNECTED = false TRYING = false print("MQTT_OFFLINE") tmr.create():alarm(1000, tmr.ALARM_SINGLE, function() TRYING = true M:connect("127.0.0.1", ${broker.port}, false, function(c) CONNECTED = true print("MQTT_CONNECTED") c:publish("${topic("status")}", "online", 1, 1) end, function(c, r) TRYING = false print("MQTT_FAILED " .. r) end) end) end)
`);
      await until(bd, "MQTT_SUBACK", 10_000);
      await bd.b.advance(2000);
      await bd.b.fault({ kind: "wifiDown", seconds: 30 });
      // Live (not the retained copy an earlier test's board left): published when the link died.
      await eventually(() => host.got.some((m) => m.topic === topic("status") && m.payload === "offline" && !m.retain), "the last will");
      expect(await retainedStatus(broker)).toEqual({ payload: "offline", retain: true });
      await until(bd, "WIFI_DISCONNECTED 200", 5000);
      await until(bd, "WIFI_DISCONNECTED 201", 5000);
      const downAt = bd.b.nowUs();
      await until(bd, "WIFI_GOT_IP", 40_000, 2);
      expect(bd.b.nowUs() - downAt).toBeGreaterThan(20_000_000);
      // The old connection meets the broker's reset at its next retransmission: offline, then a new session.
      await until(bd, "MQTT_OFFLINE", 120_000);
      await until(bd, "MQTT_CONNECTED", 10_000, 2);
      await eventually(() => host.got.filter((m) => m.topic === topic("status") && m.payload === "online" && !m.retain).length >= 2, "online again");
      const s = await bd.b.stats();
      expect(s.network.tcpResets + s.network.tcpAborts).toBeGreaterThanOrEqual(1);
    });

    it("the broker stops and comes back: the board sees its FIN (offline), is refused meanwhile (-5), then reconnects", async () => {
      const reconnect = `
M:on("offline", function(c) TRYING = false print("MQTT_OFFLINE") end)
RETRY = tmr.create()
RETRY:register(1000, tmr.ALARM_AUTO, function()
  if TRYING then return end
  TRYING = true
  M:connect("127.0.0.1", ${broker.port}, false, function(c) print("MQTT_CONNECTED") end, function(c, r) TRYING = false print("MQTT_FAILED " .. r) end)
end)
RETRY:start()`;
      const bd = await boot(script(broker.port) + reconnect);
      await until(bd, "MQTT_SUBACK", 10_000);
      const restarted = broker.restart();
      // Stopping: the broker closes every connection (its FIN reaches the board at the next step).
      await untilWall(bd, "MQTT_OFFLINE", 10_000);
      await restarted;
      await until(bd, "MQTT_CONNECTED", 20_000, 2);
      expect(bd.out().indexOf("MQTT_OFFLINE")).toBeLessThan(bd.out().lastIndexOf("MQTT_CONNECTED"));
    });

    it("the access point's password changes (fault): the board is sent away (reason 3), then refused (15), and joins again once it has the new one", async () => {
      const bd = await boot(script(broker.port));
      await until(bd, "MQTT_SUBACK", 10_000);
      await bd.b.fault({ kind: "accessPoint", password: "another password" });
      await until(bd, "WIFI_DISCONNECTED 3", 2000);
      await until(bd, "WIFI_DISCONNECTED 15 status 2", 10_000, 2);
      bd.b.write("wifi.sta.config({ ssid = \"gymnet\", pwd = \"another password\", auto = true, save = false })\n");
      await until(bd, "WIFI_GOT_IP", 10_000, 2);
    });

    it("close() sends DISCONNECT before the TCP close: offline on the board, and the broker keeps the will to itself", async () => {
      const host = await watch(broker);
      const bd = await boot(script(broker.port, { extra: `tmr.create():alarm(500, tmr.ALARM_SINGLE, function() M:close() end)` }));
      await until(bd, "MQTT_OFFLINE", 10_000);
      await eventually(() => host.got.some((m) => m.topic === topic("status") && m.payload === "online"), "online");
      await new Promise((r) => setTimeout(r, 300)); // a will would have been published by now
      // (Retained messages from earlier tests come first with their retain flag; live ones without.)
      expect(host.got.filter((m) => m.topic === topic("status") && !m.retain).map((m) => m.payload)).toEqual(["online"]);
    });

    it("a queue that drains gives its heap back (C-side bytes as before; the firmware's heap the same after a second burst)", async () => {
      const bd = await boot(script(broker.port));
      await until(bd, "MQTT_SUBACK", 10_000);
      await bd.b.advance(1000);
      const before = await bd.b.stats();
      const burst = async (n: number) => {
        bd.b.write(`for i = 1, 200 do M:publish("${topic("frames")}", string.format("burst-%04d", i), 0, 0) end print("QUEUED ${n}")\n`);
        await until(bd, `QUEUED ${n}`, 2000);
        const during = await bd.b.stats();
        await bd.b.advance(3000);
        return { during, after: await bd.b.stats() };
      };
      const first = await burst(1);
      const second = await burst(2);
      expect(first.during.network.mqttQueuedMessages).toBeGreaterThan(150);
      expect(first.during.network.cHeapBytes - before.network.cHeapBytes).toBeGreaterThan(150 * 100);
      expect(second.after.network.mqttQueuedMessages).toBe(0);
      expect(first.after.network.cHeapBytes).toBe(before.network.cHeapBytes);
      expect(second.after.network.cHeapBytes).toBe(before.network.cHeapBytes);
      // Under one byte per message (anything a message left behind would be ≥ 16 bytes each): the
      // rest is the interpreter's own (the typed line).
      expect(Math.abs(second.after.heapUsedBytes - first.after.heapUsedBytes)).toBeLessThan(200);
    });

    it("the module's queue is unbounded: while the link is dead publish() still returns true, node.heap() falls by every queued message, until the board runs out of memory", async () => {
      const bd = await boot(script(broker.port, {
        extra: `tmr.create():alarm(200, tmr.ALARM_AUTO, function()
      N = (N or 0) + 1
      local ok = M:publish("${topic("frames")}", string.format("frame-%06d-%s", N, string.rep("x", 60)), 0, 0)
      if not ok then print("PUBLISH_FALSE") end
      if N % 25 == 0 then print("HEAP " .. node.heap()) end
    end)`,
      }));
      await until(bd, "MQTT_SUBACK", 10_000);
      await until(bd, "HEAP ", 5000);
      const before = await bd.b.stats();
      const heapBefore = Number(/HEAP (\d+)\n(?![\s\S]*HEAP)/.exec(bd.out())![1]);
      await bd.b.fault({ kind: "wifiDown", seconds: 600 });
      await bd.b.advance(20_000);
      const after = await bd.b.stats();
      // ≈ 100 publishes in 20 s, all queued (one segment in flight, never acknowledged).
      expect(after.network.mqttQueuedMessages).toBeGreaterThan(90);
      expect(bd.out()).not.toContain("PUBLISH_FALSE");
      expect(bd.out()).not.toContain("MQTT_OFFLINE");
      // Each message: msg_queue_t (28 → 40 in a heap block) + its ~94 bytes (→ 112): 152 board bytes.
      const grewBytes = after.network.cHeapBytes - before.network.cHeapBytes;
      expect(grewBytes).toBeGreaterThan(after.network.mqttQueuedMessages * 140);
      const heapAfter = Number(/HEAP (\d+)\n(?![\s\S]*HEAP)/.exec(bd.out())![1]);
      expect(heapBefore - heapAfter).toBeGreaterThan(grewBytes * 0.8);
      // Left alone, the queue takes the whole heap: the board runs out of memory (E:M, restart).
      await until(bd, "not enough memory", 600_000);
      expect((await bd.b.stats()).oomResets).toBeGreaterThanOrEqual(1);
    });
  });
}

describe("network stand-ins without a broker", () => {
  it("no broker listening: the connect fails with CONN_FAIL_SERVER_NOT_FOUND (-5), no offline", async () => {
    // A port that was free a moment ago (port 0 → the kernel's pick, closed again).
    const net = await import("node:net");
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const bd = await boot(script(port));
    await until(bd, "MQTT_FAILED", 10_000);
    expect(bd.out()).toContain("MQTT_FAILED -5");
    expect(bd.out()).not.toContain("MQTT_OFFLINE");
  });

  it("no access point in the world: reason 201 (NO_AP_FOUND), status STA_APNOTFOUND", async () => {
    const bd = await boot(`${script(1)}
print("MODULES " .. node.info("build_config").modules)`, { accessPoint: undefined });
    await until(bd, "WIFI_DISCONNECTED 201 status 3", 10_000, 3);
    expect(bd.out()).not.toContain("WIFI_CONNECTED");
    // The build's module list names the network modules the board has.
    expect(bd.out()).toMatch(/MODULES [a-z0-9,]*\bmqtt,net,[a-z0-9,]*\bwifi\n/);
  });

  it("net: a TCP client reaches a real echo server (connection, send with sent, receive, the peer's close)", async () => {
    const net = await import("node:net");
    const server = net.createServer((sock) => {
      sock.on("data", (d) => {
        sock.write(`echo:${d.toString()}`);
        if (d.toString() === "bye") sock.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as { port: number }).port;
    const bd = await boot(`
wifi.eventmon.register(wifi.eventmon.STA_GOT_IP, function()
  local s = net.createConnection(net.TCP)
  s:on("connection", function(sck) print("NET_CONNECTED") sck:send("hello", function() print("NET_SENT") end) end)
  s:on("receive", function(sck, d) print("NET_RECEIVE " .. d) if d == "echo:hello" then sck:send("bye") end end)
  s:on("disconnection", function(sck, err) print("NET_DISCONNECTION " .. err) end)
  s:connect(${port}, "127.0.0.1")
end)
local ok, err = pcall(function() net.createConnection(net.TCP):send("x") end)
print("SEND_UNCONNECTED " .. tostring(err))
wifi.sta.config({ ssid = "${AP.ssid}", pwd = "${AP.password}" })`);
    await until(bd, "NET_DISCONNECTION", 10_000);
    expect(bd.out()).toContain("SEND_UNCONNECTED not connected");
    expect(bd.out()).toMatch(/NET_CONNECTED\nNET_SENT\nNET_RECEIVE echo:hello\n(NET_SENT\n)?NET_RECEIVE echo:bye\n(NET_SENT\n)?NET_DISCONNECTION 0\n/);
  });
});

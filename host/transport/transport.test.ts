import { SerialPortMock } from "serialport";
import { afterEach, describe, expect, it } from "vitest";
import { encodeSample } from "../../shared/protocol/frame.ts";
import { encodeCommand, encodeReplyOk } from "../../shared/protocol/messages.ts";
import type { ConnectionEvent } from "./connection.ts";
import { openSerialConnection } from "./serial-connection.ts";
import { discoverPorts, formatDiscovery, parseAnnounce } from "./discover.ts";
import { explainOpenError } from "./errors.ts";
import { handshake, looksLikeNodeMcuPrompt } from "./handshake.ts";
import { openLink, type PortLike } from "./link.ts";
import { heartbeatLine } from "../testing/scripted-board/board.ts";
import { createMockBoard, MOCK_INFO, MockBinding } from "../testing/scripted-board/mock-binding.ts";

const mockFactory = (path: string, baudRate: number) => new SerialPortMock({ path, baudRate, autoOpen: false }) as unknown as PortLike;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(() => MockBinding.reset());

describe("openLink", () => {
  it("delivers latin1 lines, bytes intact, across chunk boundaries", async () => {
    const board = createMockBoard();
    const link = await openLink("/dev/ttyMOCK0", { createPort: board.factory });
    const got: string[] = [];
    link.onLine((l) => got.push(l));
    board.emit("S half");
    board.emit(" line\r\nsecond\xff\xfe\n");
    await sleep(20);
    expect(got).toEqual(["S half line\r", "second\xff\xfe"]);
    expect(got[1].charCodeAt(6)).toBe(255);
    expect(link.counts().bytes).toBe(22);
    await link.close();
  });

  it("says a missing port does not exist and how to list ports", async () => {
    await expect(openLink("/dev/ttyNOPE", { createPort: mockFactory })).rejects.toThrow(/no such serial port.*rackcell ports/);
  });

  it("says a busy port is busy", async () => {
    MockBinding.createPort("/dev/ttyBUSY", {});
    const first = await openLink("/dev/ttyBUSY", { createPort: mockFactory });
    await expect(openLink("/dev/ttyBUSY", { createPort: mockFactory })).rejects.toMatchObject({ code: "BUSY" });
    await first.close();
  });

  it("maps system errors to fixes", () => {
    expect(explainOpenError({ code: "ENOENT", message: "x" }, "/dev/ttyUSB9").code).toBe("NO_PORT");
    expect(explainOpenError(new Error("Error Resource temporarily unavailable Cannot lock port"), "/dev/ttyUSB0").code).toBe("BUSY");
    expect(explainOpenError({ code: "EACCES", message: "Permission denied" }, "/dev/ttyUSB0").message).toMatch(/dialout/);
  });

  it("reports an unplug as a disconnect", async () => {
    const board = createMockBoard();
    const link = await openLink("/dev/ttyMOCK0", { createPort: board.factory });
    const closed = new Promise((r) => link.onClose(r));
    board.unplug();
    expect(await closed).toMatchObject({ code: "DISCONNECTED", disconnected: true });
  });
});

describe("handshake", () => {
  it("gets the info reply through boot garbage, a partial line and streaming frames", async () => {
    const board = createMockBoard();
    const link = await openLink("/dev/ttyMOCK0", { createPort: board.factory });
    board.onCommand(() => null); // the board is still booting
    board.emit(Buffer.from([0x00, 0xe0, 0x8c, 0x6c, 0x9c, 0x0a, 0x12, 0x72, 0x6c])); // ROM at 74880
    board.emit("Q1,2*zz\n" + encodeSample(5, [1, 2], [0, 0], [0.1, 0.2]).slice(7) + "\n");
    const p = handshake(link, { retryMs: 30, timeoutMs: 2000 });
    await sleep(80);
    board.emit(`${encodeSample(6, [100, 200], [0, 0], [1, 2])}\n`);
    board.onCommand((name, _a, id) => (name === "info" ? encodeReplyOk(id, MOCK_INFO) : null));
    const res = await p;
    expect(res.fields).toMatchObject({ fw: "0.1.0", sps: "80", k0: "0.010000000", z1: "-500.0" });
    expect(res.seen.garbage).toBeGreaterThanOrEqual(2);
    expect(res.seen.valid).toBeGreaterThanOrEqual(1);
    expect(board.written.length).toBeGreaterThan(1); // it retried
    await link.close();
  });

  it("ignores replies to ids it did not send", async () => {
    const board = createMockBoard();
    const link = await openLink("/dev/ttyMOCK0", { createPort: board.factory });
    board.onCommand((_n, _a, id) => encodeReplyOk(id, ["fw", "rackcell"]));
    board.emit(`${encodeReplyOk(999, ["fw", "stale"])}\n`);
    const res = await handshake(link, { retryMs: 50, timeoutMs: 1000, nextId: () => 7 });
    expect(res.fields.fw).toBe("rackcell");
    await link.close();
  });

  it("recognises a bare NodeMCU and says to deploy", async () => {
    const board = createMockBoard();
    const link = await openLink("/dev/ttyMOCK0", { createPort: board.factory });
    // The interpreter echoes each command (a validly sealed C line!) and fails to parse it.
    board.onCommand((name, args, id) => `${encodeCommand(id, name, args)}\nLua error: \tstdin:1: unexpected symbol near '${id}'\n> `);
    board.emit("\r\nNodeMCU 3.0.0.0 build 2024-02-25 powered by Lua 5.1.4 on SDK 3.0.1\ncannot open init.lua\n> ");
    const p = handshake(link, { retryMs: 40, timeoutMs: 300 });
    await expect(p).rejects.toMatchObject({ code: "NO_FIRMWARE", message: expect.stringMatching(/rackcell deploy --port \/dev\/ttyMOCK0.*cannot open init.lua/) });
    await link.close();
  });

  it("says wrong baud rate when only garbage arrives", async () => {
    const board = createMockBoard();
    const link = await openLink("/dev/ttyMOCK0", { createPort: board.factory });
    board.onCommand(() => null);
    const p = handshake(link, { retryMs: 40, timeoutMs: 300 });
    const noise = setInterval(() => board.emit(Buffer.from([0xf0, 0x0f, 0x80, 0x7f, 0x0a, 0x33])), 20);
    await expect(p).rejects.toThrow("no valid frames at 115200 baud: wrong baud rate?");
    clearInterval(noise);
    await link.close();
  });

  it("says when nothing at all arrives", async () => {
    const board = createMockBoard();
    const link = await openLink("/dev/ttyMOCK0", { createPort: board.factory });
    board.onCommand(() => null);
    await expect(handshake(link, { retryMs: 40, timeoutMs: 200 })).rejects.toMatchObject({ code: "SILENT" });
    await link.close();
  });

  it("classifies prompt lines", () => {
    expect(looksLikeNodeMcuPrompt("> C,1,info*abcd")).toBe(true);
    expect(looksLikeNodeMcuPrompt("stdin:1: '=' expected near ','")).toBe(true);
    expect(looksLikeNodeMcuPrompt("SAAA*1234")).toBe(false);
  });
});

describe("Connection", () => {
  it("declares silence a disconnect, reconnects and keeps forwarding lines", async () => {
    const board = createMockBoard();
    const conn = await openSerialConnection("/dev/ttyMOCK0", {
      createPort: board.factory, silenceMs: 300, retryMs: 50, handshake: { retryMs: 30, timeoutMs: 500 },
    });
    const events: ConnectionEvent[] = [];
    conn.onState((e) => events.push(e));
    const lines: string[] = [];
    conn.onLine((l) => lines.push(l));
    board.emit(heartbeatLine(["seq", "1"]));
    await sleep(50);
    board.unplug();
    await sleep(200);
    board.replug();
    for (let i = 0; i < 40 && conn.state !== "connected"; i++) await sleep(50);
    for (let i = 0; i < 40 && conn.reconnects === 0; i++) await sleep(50);
    expect(conn.reconnects).toBe(1);
    expect(events.map((e) => e.state)).toEqual(["disconnected", "connected"]);
    board.emit(heartbeatLine(["seq", "2"]));
    await sleep(30);
    expect(lines.filter((l) => l.startsWith("H")).length).toBe(2);
    expect(board.opens).toBe(2);
    await conn.close();
  });

  it("reports silence as disconnected even when the port stays open", async () => {
    const board = createMockBoard();
    const conn = await openSerialConnection("/dev/ttyMOCK0", { createPort: board.factory, silenceMs: 200, reconnect: false });
    const events: string[] = [];
    conn.onState((e) => events.push(`${e.state}: ${e.detail}`));
    await sleep(450);
    expect(events[0]).toMatch(/disconnected: .*no valid line for 0.2 s/);
    expect(conn.state).toBe("closed");
  });

  it("silenceMs 0: no watchdog (the link says itself when it is lost)", async () => {
    const board = createMockBoard();
    const conn = await openSerialConnection("/dev/ttyMOCK0", { createPort: board.factory, silenceMs: 0, reconnect: false });
    const events: string[] = [];
    conn.onState((e) => events.push(e.state));
    await sleep(400);
    expect(events).toEqual([]);
    expect(conn.state).toBe("connected");
    board.unplug(); // the port going away is still a loss
    for (let i = 0; i < 40 && events.length === 0; i++) await sleep(25);
    expect(events[0]).toBe("disconnected");
    await conn.close();
  });
});

describe("discoverPorts", () => {
  const fakeIo = (files: Record<string, string>, dev: string[], listFails = true) => ({
    list: async () => {
      if (listFails) throw new Error("spawn udevadm ENOENT");
      return [{ path: "/dev/ttyUSB0", manufacturer: "1a86", vendorId: "1a86", productId: "7523" }];
    },
    readdir: (dir: string) => (dir === "/dev" ? dev : dir === "/tmp" ? ["rackcell-ab12", "other"] : dir === "/tmp/rackcell-ab12" ? ["ttyEMU0", "flash"] : ["usb-1a86_USB_Serial-if00-port0"]),
    exists: (p: string) => p in files || p.startsWith("/dev/") || p.startsWith("/tmp/rackcell-ab12"),
    realpath: (p: string) => (p.startsWith("/dev/serial/by-id") ? "/dev/ttyUSB0" : p),
    readFile: (p: string) => files[p],
    env: { HOME: "/home/u", RACKCELL_PORT: "/dev/pts/9", TMPDIR: "/tmp" } as Record<string, string | undefined>,
  });

  it("falls back to /dev when SerialPort.list() fails, and finds the emulator and env port", async () => {
    const d = await discoverPorts(fakeIo({ "/home/u/.rackcell/emulator.json": '{"path":"/dev/pts/7"}' }, ["tty0", "ttyUSB0", "ttyACM1", "null"]));
    expect(d.ports.map((p) => `${p.path} ${p.via}`)).toEqual([
      "/dev/pts/9 env", "/dev/pts/7 emulator", "/tmp/rackcell-ab12/ttyEMU0 emulator", "/dev/ttyACM1 dev-scan", "/dev/ttyUSB0 dev-scan",
    ]);
    expect(d.notes.join("\n")).toMatch(/SerialPort.list\(\) failed \(spawn udevadm ENOENT\): scanning \/dev instead/);
    expect(formatDiscovery(d)).toMatch(/Found 5 port/);
  });

  it("deduplicates by-id links against list() results", async () => {
    const d = await discoverPorts({ ...fakeIo({}, ["ttyUSB0"], false), env: { TMPDIR: "/nonexistent" } });
    expect(d.ports.map((p) => p.via)).toEqual(["serialport"]);
  });

  it("explains what to do when nothing is found", () => {
    expect(formatDiscovery({ ports: [], notes: [] })).toMatch(/rackcell emulate/);
  });

  it("parses announce files", () => {
    expect(parseAnnounce('{"path":"/dev/pts/3","pid":12}')).toEqual({ path: "/dev/pts/3", pid: 12 });
    expect(parseAnnounce("/dev/pts/4\n")).toEqual({ path: "/dev/pts/4" });
    expect(parseAnnounce("")).toBeNull();
  });
});

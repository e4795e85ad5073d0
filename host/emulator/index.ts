import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadBoard, type BoardDefinition } from "../build/boards.ts";
import { LuaBoardProcess, type TxChunk } from "./lua-board.ts";
import { scenarioByName, scenarioFromCsv } from "./board/physics/index.ts";
import { SocatPty } from "./pty.ts";

/**
 * The emulated NodeMCU board (public API). The board itself runs in a Lua 5.1 child process
 * (host/emulator/board/, built to build/emu/); this side owns time (manual, fast or realtime
 * clock), the serial link (in-process listeners and an optional socat pty), and the faults of
 * the link. Same seam as a real board: a serial device on one side, NodeMCU modules on the other.
 */
export interface EmulatorOptions {
  board?: string;
  flashDir?: string;
  install?: "firmware" | "none";
  scenario?: string;
  seed?: number;
  clock?: "manual" | "fast" | "realtime";
  pty?: boolean;
  instructionUs?: number;
  /**
   * Extra: board heap bytes per byte of the VM's Lua heap; node.heap(), the heap cap and
   * stats().heapUsedBytes use VM bytes × heapScale. Default 1: the board runs in the 32-bit
   * Lua 5.1 (host/testing/lua-vms.ts), whose tables, closures, upvalues and strings have the
   * ESP8266's sizes (4-byte pointers), so its bytes are read as they are. i386 aligns a double to
   * 4 bytes where the ESP8266 aligns it to 8, so a hash node is 28 bytes there instead of 32:
   * figures may read a few percent low on tables with many keys.
   */
  heapScale?: number;
}

export type Fault =
  | { kind: "byteDrop"; rate: number }
  | { kind: "bitFlip"; rate: number }
  | { kind: "unplug"; seconds: number }
  | { kind: "reset" }
  | { kind: "powerCut"; afterFileWrites?: number }
  | { kind: "cellDisconnect"; channel: number; on: boolean }
  | { kind: "cellStuck"; channel: number; on: boolean };

export interface ChipStats { channel: number; fault: string; conversions: number; unread: number; timingViolations: number; powerDowns: number }
export interface InjectedStats {
  bytesDropped: number; bitsFlipped: number; unplugs: number; bytesLostUnplugged: number;
  /** Flips that turned a byte into a line feed: each splits one line into two, so it can cost two corrupt lines. */
  lineFeedsMade: number;
  resets: number; powerCuts: number; cellFaults: number; powerCutArmed: number;
}
export interface BoardStats {
  /** What the firmware holds (board bytes = heapHostBytes × heapScale) and the board's free heap. */
  heapUsedBytes: number; heapFreeBytes: number;
  /** The firmware's live heap in host bytes (unscaled): the Lua heap above the boot baseline. */
  heapHostBytes: number; heapScale: number;
  /** Host bytes the emulator holds beyond the baseline (RX bytes on the wire, …): never charged. */
  emulatorHeapBytes: number;
  /** The whole Lua heap of the emulator process (KB). */
  luaKb: number;
  /**
   * VM instructions executed in callbacks on the firmware's thread: the firmware's own plus the
   * emulator's glue there (stand-in wrappers, callback prologue/epilogue, settle spins). The
   * stand-ins' own Lua (C on a board) is never counted.
   */
  instructionsTotal: number;
  /** The firmware's own VM instructions in callbacks: what the board would execute (exact). */
  firmwareInstructionsTotal: number;
  /** NodeMCU calls made by callbacks, and how many settled the count for the exact time. */
  standInCalls: number; settles: number;
  /** Per callback, firmware instructions only. */
  callbacks: number; maxCallbackInstructions: number; lastCallbackInstructions: number;
  restarts: number; boots: number; lastBootReason: number; watchdogResets: number; oomResets: number; callbackErrors: number;
  uartRxOverwritten: number; uartRxBytes: number; uartTxBytes: number; hx711Dropped: number; hx711Samples: number;
  timersFired: number; openFiles: number; flashOps: number; powered: boolean; physics: string;
  chips: ChipStats[]; injected: InjectedStats; virtualUs: number;
}

export interface EmulatedBoard {
  readonly path: string | undefined;
  write(data: string | Buffer): void;
  /** `tUs` (extra, optional): virtual time at which the chunk's last byte completed on the wire. */
  onData(listener: (chunk: Buffer, tUs?: number) => void): () => void;
  advance(ms: number): Promise<void>;
  runUntil(predicate: (receivedText: string) => boolean, maxMs: number): Promise<boolean>;
  nowUs(): number;
  setScenario(spec: string): Promise<void>;
  holdSafeModePin(low: boolean): Promise<void>;
  fault(f: Fault): Promise<void>;
  stats(): Promise<BoardStats>;
  close(): Promise<void>;
}

/** The repository root (works from host/emulator/ and from the dist/ bundle). */
export function repoRoot(): string {
  let dir = path.dirname(new URL(import.meta.url).pathname);
  for (let i = 0; i < 6; i++) {
    const pkg = path.join(dir, "package.json");
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, "utf8")) as { name?: string }).name === "rackcell") return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

/**
 * Copies the built firmware (build/manifest.json) and the board's board.lua into an empty flash.
 * When the build made an LFS image, the SPIFFS files are copied, the image too (as lfs.img) and
 * it is flashed into the LFS partition, as `deploy` + node.LFS.reload() would leave the board.
 */
export function installFirmware(root: string, flashDir: string, board: string): string[] {
  const manifestPath = path.join(root, "build", "manifest.json");
  if (!fs.existsSync(manifestPath)) throw new Error("build/manifest.json is missing: run npm run build");
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8")) as {
    luaDir: string; files: { name: string }[]; lfs?: { image: string }; spiffs?: string[];
  };
  const copied: string[] = [];
  if (manifest.lfs && manifest.spiffs) {
    for (const name of manifest.spiffs) {
      fs.copyFileSync(path.join(root, manifest.luaDir, name), path.join(flashDir, name));
      copied.push(name);
    }
    const image = path.join(root, manifest.lfs.image);
    fs.copyFileSync(image, path.join(flashDir, "lfs.img"));
    fs.copyFileSync(image, path.join(flashDir, ".lfs-partition"));
    copied.push("lfs.img");
  } else {
    for (const f of manifest.files) {
      fs.copyFileSync(path.join(root, manifest.luaDir, f.name), path.join(flashDir, f.name));
      copied.push(f.name);
    }
  }
  const boardLua = path.join(root, "build", "boards", board, "board.lua");
  if (fs.existsSync(boardLua)) {
    fs.copyFileSync(boardLua, path.join(flashDir, "board.lua"));
    copied.push("board.lua");
  }
  return copied;
}

/** Small deterministic PRNG for the link faults (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Virtual time per command to the Lua process in advance() (results are the same in one piece). */
const ADVANCE_PIECE_US = 1_000_000;

class Board implements EmulatedBoard {
  path: string | undefined;
  private listeners = new Set<(c: Buffer, tUs?: number) => void>();
  private txQueue: TxChunk[] = [];
  private txOffset = 0;
  private released = 0;
  private target = 0;
  private closed = false;
  private busy: Promise<unknown> = Promise.resolve();
  private byteDrop = 0;
  private bitFlip = 0;
  private readonly random: () => number;
  private unpluggedUntilUs = -1;
  private unpluggedWall = false;
  private injected = { bytesDropped: 0, bitsFlipped: 0, unplugs: 0, bytesLostUnplugged: 0, lineFeedsMade: 0 };
  private loop: NodeJS.Timeout | undefined;
  private releaseTimer: NodeJS.Timeout | undefined;
  private wallStart = 0;
  private virtualStart = 0;
  private pty: SocatPty | undefined;
  private ownedDirs: string[] = [];
  private backpressure: Promise<void> | undefined;

  constructor(private readonly lua: LuaBoardProcess, readonly clock: "manual" | "fast" | "realtime", seed: number) {
    this.random = rng(seed * 7919 + 17);
  }

  /** Called by the Lua process for every transmitted chunk. */
  enqueueTx(c: TxChunk): void {
    this.txQueue.push(c);
  }

  private unpluggedFromUs = 0;

  /** Is the cable out at virtual time tUs (manual clock) / now (free-running clocks)? */
  private unpluggedAt(tUs: number): boolean {
    if (this.unpluggedUntilUs < 0) return false;
    if (this.unpluggedWall) return true;
    return tUs >= this.unpluggedFromUs && tUs < this.unpluggedUntilUs;
  }

  private get unplugged(): boolean {
    return this.unpluggedAt(this.nowUs());
  }

  /** Hands every byte completed by virtual time `upTo` to the host side. */
  private release(upTo: number): void {
    while (this.txQueue.length > 0) {
      const c = this.txQueue[0];
      let n = 0;
      while (this.txOffset + n < c.data.length && c.t0 + (this.txOffset + n) * c.byteUs <= upTo + 1e-6) n++;
      if (n > 0) {
        const tLast = c.t0 + (this.txOffset + n - 1) * c.byteUs;
        this.deliver(c.data.subarray(this.txOffset, this.txOffset + n), tLast);
      }
      this.txOffset += n;
      if (this.txOffset < c.data.length) break;
      this.txQueue.shift();
      this.txOffset = 0;
    }
    this.released = Math.max(this.released, upTo);
  }

  private deliver(raw: Buffer, tUs: number): void {
    const bytes = this.applyLinkFaults(Buffer.from(raw), tUs);
    if (bytes.length === 0) return;
    for (const l of this.listeners) l(bytes, tUs);
    const p = this.pty?.write(bytes);
    if (p) this.backpressure = p;
  }

  private applyLinkFaults(data: Buffer, tUs = this.nowUs()): Buffer {
    if (this.unpluggedAt(tUs)) {
      this.injected.bytesLostUnplugged += data.length;
      return Buffer.alloc(0);
    }
    if (this.byteDrop <= 0 && this.bitFlip <= 0) return data;
    const out: number[] = [];
    for (const b of data) {
      if (this.byteDrop > 0 && this.random() < this.byteDrop) { this.injected.bytesDropped++; continue; }
      let v = b;
      if (this.bitFlip > 0 && this.random() < this.bitFlip) {
        v ^= 1 << Math.floor(this.random() * 8);
        this.injected.bitsFlipped++;
        if (v === 0x0a) this.injected.lineFeedsMade++;
      }
      out.push(v);
    }
    return Buffer.from(out);
  }

  /** Serializes everything that talks to the Lua process. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.busy.then(fn, fn);
    this.busy = p.catch(() => {});
    return p;
  }

  private async step(targetUs: number): Promise<void> {
    this.target = Math.max(this.target, targetUs);
    await this.lua.run(this.target);
  }

  write(data: string | Buffer): void {
    if (this.closed) return;
    const buf = this.applyLinkFaults(typeof data === "string" ? Buffer.from(data, "latin1") : data);
    this.lua.rx(buf);
  }

  onData(listener: (chunk: Buffer, tUs?: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  advance(ms: number): Promise<void> {
    if (this.clock !== "manual") return Promise.reject(new Error(`advance() needs clock "manual" (this board runs "${this.clock}")`));
    return this.exclusive(async () => {
      // In pieces of at most ADVANCE_PIECE_US: output flows as it is produced, close() does not
      // wait for an hour of simulation, and the Lua process reads its stdin often (so it sees
      // the end of it when this process is gone).
      const end = this.target + ms * 1000;
      do {
        await this.step(Math.min(end, this.target + ADVANCE_PIECE_US));
        this.release(this.target);
      } while (this.target < end && !this.closed);
    });
  }

  async runUntil(predicate: (receivedText: string) => boolean, maxMs: number): Promise<boolean> {
    let text = "";
    const off = this.onData((c) => { text += c.toString("latin1"); });
    try {
      if (this.clock !== "manual") {
        const t0 = Date.now();
        while (!predicate(text)) {
          if (Date.now() - t0 > maxMs) return false;
          await new Promise((r) => setTimeout(r, 5));
        }
        return true;
      }
      const end = this.target + maxMs * 1000;
      while (!predicate(text)) {
        if (this.target >= end) return false;
        await this.advance(Math.min(10, (end - this.target) / 1000));
      }
      return true;
    } finally {
      off();
    }
  }

  nowUs(): number {
    return Math.max(this.lua.nowUs, this.target);
  }

  setScenario(spec: string): Promise<void> {
    return this.exclusive(async () => { await this.lua.control({ op: "scenario", spec: resolveScenario(spec) }); });
  }

  holdSafeModePin(low: boolean): Promise<void> {
    return this.exclusive(async () => { await this.lua.control({ op: "safe", low }); });
  }

  fault(f: Fault): Promise<void> {
    if (f.kind === "byteDrop") { this.byteDrop = f.rate; return Promise.resolve(); }
    if (f.kind === "bitFlip") { this.bitFlip = f.rate; return Promise.resolve(); }
    if (f.kind === "unplug") return this.unplug(f.seconds);
    return this.exclusive(async () => { await this.lua.control({ op: "fault", ...f }); });
  }

  private async unplug(seconds: number): Promise<void> {
    this.injected.unplugs++;
    if (this.clock === "manual") {
      this.unpluggedWall = false;
      this.unpluggedFromUs = this.nowUs();
      this.unpluggedUntilUs = this.nowUs() + seconds * 1e6;
    } else {
      this.unpluggedWall = true;
      this.unpluggedUntilUs = Number.MAX_SAFE_INTEGER;
      setTimeout(() => { void this.replug(); }, seconds * 1000).unref();
    }
    if (this.pty) {
      await this.pty.close();
      if (this.clock === "manual") {
        // Replugged once virtual time passes the end (checked as the board runs).
        const check = async () => {
          while (!this.closed && this.unplugged) await new Promise((r) => setTimeout(r, 5));
          if (!this.closed) await this.pty?.open();
        };
        void check();
      }
    }
  }

  private async replug(): Promise<void> {
    if (this.closed) return;
    this.unpluggedUntilUs = -1;
    this.unpluggedWall = false;
    if (this.pty) await this.pty.open();
  }

  stats(): Promise<BoardStats> {
    return this.exclusive(async () => {
      const s = await this.lua.control<BoardStats & { injected: Record<string, number> }>({ op: "stats" });
      return { ...s, injected: { ...this.injected, ...s.injected } as InjectedStats };
    });
  }

  async attachPty(ptyPath: string, dir: string | undefined): Promise<void> {
    if (dir) this.ownedDirs.push(dir);
    this.pty = new SocatPty(ptyPath, (d) => this.write(d));
    await this.pty.open();
    this.path = ptyPath;
  }

  ownDir(dir: string): void {
    this.ownedDirs.push(dir);
  }

  /** Free-running clocks. */
  start(): void {
    this.wallStart = performance.now();
    this.virtualStart = this.target;
    if (this.clock === "fast") {
      const chunkUs = 100_000; // fewer round trips to the Lua process; output still flows per chunk
      // Pipelined: one chunk is always queued ahead, so the Lua process starts on it while this
      // side handles the previous chunk's output (no idle round trip per chunk).
      let ahead: { t: number; done: Promise<number> } | undefined;
      const queue = (): { t: number; done: Promise<number> } => {
        this.target += chunkUs;
        const done = this.lua.run(this.target);
        done.catch(() => {}); // a board closed meanwhile: nobody waits for it
        return { t: this.target, done };
      };
      const tick = async () => {
        if (this.closed) return;
        try {
          await this.exclusive(async () => {
            if (ahead === undefined) ahead = queue();
            const next = queue();
            await ahead.done;
            this.release(ahead.t);
            ahead = next;
          });
          if (this.backpressure) {
            const bp = this.backpressure;
            this.backpressure = undefined;
            await bp;
          }
        } catch (e) {
          if (!this.closed) console.error(`emulator: ${(e as Error).message}`);
          return;
        }
        setImmediate(() => { void tick(); });
      };
      setImmediate(() => { void tick(); });
    } else if (this.clock === "realtime") {
      const lookaheadUs = 5000;
      let running = false;
      this.loop = setInterval(() => {
        if (running || this.closed) return;
        running = true;
        const wallUs = (performance.now() - this.wallStart) * 1000 + this.virtualStart;
        this.exclusive(() => this.step(wallUs + lookaheadUs))
          .catch((e: Error) => { if (!this.closed) console.error(`emulator: ${e.message}`); })
          .finally(() => { running = false; });
      }, 4);
      this.releaseTimer = setInterval(() => {
        const wallUs = (performance.now() - this.wallStart) * 1000 + this.virtualStart;
        this.release(wallUs);
      }, 1);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.loop) clearInterval(this.loop);
    if (this.releaseTimer) clearInterval(this.releaseTimer);
    await this.busy.catch(() => {});
    await this.pty?.close();
    await this.lua.close();
    for (const d of this.ownedDirs) fs.rmSync(d, { recursive: true, force: true });
  }
}

/**
 * A CSV path is handed to the board as an absolute path; anything else is a scenario spec.
 * With the board's channel count, the scenario is built here first (the same code the board
 * runs), so a bad spec or CSV is one clear error instead of a crash of the board's Lua process.
 */
export function resolveScenario(spec: string, channels?: number): string {
  const check = (build: () => unknown, where = "") => {
    if (channels === undefined) return;
    try {
      build();
    } catch (e) {
      throw new Error(`${where}${typeof e === "string" ? e : (e as Error).message}`);
    }
  };
  if (spec.toLowerCase().endsWith(".csv")) {
    const abs = path.resolve(spec);
    if (!fs.existsSync(abs)) throw new Error(`scenario file not found: ${abs}`);
    check(() => scenarioFromCsv(fs.readFileSync(abs, "utf8"), channels), `scenario ${spec}: `);
    return abs;
  }
  check(() => scenarioByName(spec, channels!, 1));
  return spec;
}

export async function startEmulatedBoard(opts: EmulatorOptions = {}): Promise<EmulatedBoard> {
  const root = repoRoot();
  const boardName = opts.board ?? "nodemcu-v3-2pin";
  const def: BoardDefinition = loadBoard(boardName);
  const emuDir = path.join(root, "build", "emu");
  if (!fs.existsSync(path.join(emuDir, "emu_main.lua"))) throw new Error(`${emuDir}/emu_main.lua is missing: run npm run build`);
  const seed = opts.seed ?? 1;
  const clock = opts.clock ?? "manual";
  let flashDir = opts.flashDir;
  let ownedFlash: string | undefined;
  if (flashDir === undefined) {
    flashDir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-flash-"));
    ownedFlash = flashDir;
  }
  fs.mkdirSync(flashDir, { recursive: true });
  if (opts.install === "firmware" && fs.readdirSync(flashDir).length === 0) installFirmware(root, flashDir, boardName);

  let board: Board | undefined;
  const lua = new LuaBoardProcess(emuDir, (c) => board?.enqueueTx(c), (msg) => console.error(`emulator: ${msg}`));
  board = new Board(lua, clock, seed);
  if (ownedFlash) board.ownDir(ownedFlash);
  try {
    await lua.init({
      flashDir: path.resolve(flashDir),
      emuDir,
      seed,
      instructionUs: opts.instructionUs ?? 1,
      heapScale: opts.heapScale ?? 1,
      scenario: resolveScenario(opts.scenario ?? "empty", def.channels.length),
      board: { name: def.name, heapBytes: def.heapBytes, safeModePin: def.safeModePin, sampleRateSps: def.sampleRateSps, channels: def.channels },
    });
    if (opts.pty) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-"));
      await board.attachPty(path.join(dir, "ttyEMU0"), dir);
    }
  } catch (e) {
    await board.close();
    throw e;
  }
  board.start();
  return board;
}

/**
 * `rackcell emulate`: a board on a pseudo-terminal, free-running (realtime unless told "fast").
 * Prints one line with the device path for the user to open.
 */
export async function runEmulateCommand(opts: EmulatorOptions & { print?: (s: string) => void }): Promise<EmulatedBoard> {
  const { print = (s: string) => console.log(s), ...rest } = opts;
  const clock = rest.clock === "manual" || rest.clock === undefined ? "realtime" : rest.clock;
  const board = await startEmulatedBoard({ install: "firmware", ...rest, clock, pty: true });
  print(`rackcell emulator: board ${rest.board ?? "nodemcu-v3-2pin"} on ${board.path} (scenario ${rest.scenario ?? "empty"}, ${clock})`);
  return board;
}

import * as fs from "node:fs";
import type { LuaBoardProcess, TxChunk } from "./lua-board.ts";
import { SocatPty } from "./pty.ts";
import { LinkFaults } from "./link-faults.ts";
import { NetWorld } from "./net-world.ts";
import { startClock, type ClockMode, type PacedBoard, type StopClock } from "./clock.ts";
import { resolveScenario } from "./scenario.ts";
import type { BoardStats, EmulatedBoard, Fault, InjectedStats } from "./types.ts";

/** Virtual time per command to the Lua process in advance() (results are the same in one piece). */
const ADVANCE_PIECE_US = 1_000_000;

/**
 * The board as the host sees it (EmulatedBoard): the Lua process behind it, the cable's faults
 * in both directions, the bytes it transmitted handed out as virtual time passes them, and an
 * optional pty. Every conversation with the Lua process goes through exclusive().
 */
export class BoardFacade implements EmulatedBoard, PacedBoard {
  path: string | undefined;
  private listeners = new Set<(c: Buffer, tUs?: number) => void>();
  private txQueue: TxChunk[] = [];
  private txOffset = 0;
  private target = 0;
  private closed = false;
  private busy: Promise<unknown> = Promise.resolve();
  private readonly link: LinkFaults;
  /** The board's real sockets (WiFi stand-ins): see net-world.ts. */
  readonly net: NetWorld;
  private clockLoop: StopClock | undefined;
  private pty: SocatPty | undefined;
  private ownedDirs: string[] = [];
  private backpressure: Promise<void> | undefined;

  constructor(private readonly lua: LuaBoardProcess, readonly clock: ClockMode, seed: number,
    private readonly onNotice: (message: string) => void) {
    this.link = new LinkFaults(seed);
    this.net = new NetWorld((line) => lua.net(line));
    lua.onNet = (rest) => this.net.fromBoard(rest);
  }

  /** Called by the Lua process for every transmitted chunk. */
  enqueueTx(c: TxChunk): void {
    this.txQueue.push(c);
  }

  isClosed(): boolean {
    return this.closed;
  }

  targetUs(): number {
    return this.target;
  }

  queueRun(us: number): { tUs: number; done: Promise<unknown> } {
    this.target += us;
    return { tUs: this.target, done: this.lua.run(this.target) };
  }

  async stepTo(targetUs: number): Promise<void> {
    this.target = Math.max(this.target, targetUs);
    // Short of the target: the board yielded to let the real network answer first (net-world.ts).
    while ((await this.lua.run(this.target)) < this.target - 0.01) await this.net.settle();
  }

  takeBackpressure(): Promise<void> | undefined {
    const bp = this.backpressure;
    this.backpressure = undefined;
    return bp;
  }

  /** Hands every byte completed by virtual time `upTo` to the host side. */
  release(upTo: number): void {
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
  }

  private deliver(raw: Buffer, tUs: number): void {
    const bytes = this.link.apply(Buffer.from(raw), tUs);
    if (bytes.length === 0) return;
    for (const l of this.listeners) l(bytes, tUs);
    const p = this.pty?.write(bytes);
    if (p) this.backpressure = p;
  }

  /** Serializes everything that talks to the Lua process. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.busy.then(fn, fn);
    this.busy = p.catch(() => {});
    return p;
  }

  write(data: string | Buffer): void {
    if (this.closed) return;
    const buf = this.link.apply(typeof data === "string" ? Buffer.from(data, "latin1") : data, this.nowUs());
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
        await this.stepTo(Math.min(end, this.target + ADVANCE_PIECE_US));
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

  setHostBaud(baud: number): Promise<void> {
    if (!(Number.isInteger(baud) && baud > 0)) return Promise.reject(new Error(`host baud rate must be a positive whole number (got ${baud})`));
    return this.exclusive(async () => { await this.lua.control({ op: "line", baud }); });
  }

  holdSafeModePin(low: boolean): Promise<void> {
    return this.exclusive(async () => { await this.lua.control({ op: "safe", low }); });
  }

  fault(f: Fault): Promise<void> {
    if (f.kind === "byteDrop") { this.link.byteDropRate = f.rate; return Promise.resolve(); }
    if (f.kind === "bitFlip") { this.link.bitFlipRate = f.rate; return Promise.resolve(); }
    if (f.kind === "unplug") return this.unplug(f.seconds);
    if (f.kind === "wifiDown" && !(f.seconds > 0)) return Promise.reject(new Error(`wifiDown needs seconds > 0 (got ${f.seconds})`));
    return this.exclusive(async () => { await this.lua.control({ op: "fault", ...f }); });
  }

  private async unplug(seconds: number): Promise<void> {
    if (this.clock === "manual") {
      this.link.unplugVirtual(this.nowUs(), seconds);
    } else {
      this.link.unplugUntilReplug();
      setTimeout(() => { void this.replug(); }, seconds * 1000).unref();
    }
    if (this.pty) {
      await this.pty.close();
      if (this.clock === "manual") {
        // Replugged once virtual time passes the end (checked as the board runs).
        const check = async () => {
          while (!this.closed && this.link.unpluggedAt(this.nowUs())) await new Promise((r) => setTimeout(r, 5));
          if (!this.closed) await this.pty?.open();
        };
        void check();
      }
    }
  }

  private async replug(): Promise<void> {
    if (this.closed) return;
    this.link.replug();
    if (this.pty) await this.pty.open();
  }

  stats(): Promise<BoardStats> {
    return this.exclusive(async () => {
      const s = await this.lua.control<BoardStats & { injected: Record<string, number> }>({ op: "stats" });
      return { ...s, injected: { ...this.link.counts, ...s.injected } as InjectedStats };
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

  /** Starts the free-running clock, if the board has one. */
  start(): void {
    this.clockLoop = startClock(this.clock, this, (m) => this.onNotice(`emulator: ${m}`));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clockLoop?.stop();
    await this.busy.catch(() => {});
    await this.pty?.close();
    this.net.close();
    await this.lua.close();
    for (const d of this.ownedDirs) fs.rmSync(d, { recursive: true, force: true });
  }
}

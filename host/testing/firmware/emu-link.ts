import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { installFirmware, startEmulatedBoard, type EmulatedBoard, type EmulatorOptions } from "../../emulator/index.ts";
import { DEFAULT_BOARD, repoRoot } from "../../paths.ts";
import { decodeSample, openLine, seqDistance, splitFields, type SampleFrame } from "../../../shared/protocol/frame.ts";
import { fieldValue } from "../../../shared/protocol/keyvalue.ts";
import { emptyCalChannel, encodeCalFile } from "../../../shared/board/calfile.ts";
import type { BoardDefinition } from "../../../shared/board/definition.d.ts";
import { idealCounts } from "../../emulator/board/physics/index.ts";
import { encodeCommand } from "../../../shared/protocol/messages.ts";

/**
 * The firmware on the emulated board, seen from the host side of the serial line, for the
 * firmware's integration tests (firmware/emulated.test.ts) and bench (bench/figures/firmware.ts).
 * Lines are parsed as they arrive (nothing is kept but what a caller asks to keep), so hours of
 * 2 × 80 SPS cost little memory: S frames are checked for sequence gaps on the fly.
 */
export interface FrameStats {
  frames: number;
  /** frames missing between consecutive sequence numbers */
  gaps: number;
  /** lines whose checksum failed */
  corrupt: number;
  /** total bytes of S lines, newline included */
  sBytes: number;
  lastSeq: number;
}

export interface EmuLinkOptions extends EmulatorOptions {
  /** files to put on the flash after the firmware (e.g. cal.txt, strikes, a broken app.lua) */
  files?: Record<string, string>;
  /** keep decoded S frames (with the board time of their arrival) */
  keepFrames?: boolean;
}

export interface TimedFrame { frame: SampleFrame; tUs: number }

const STEP_MS = 1000;

export class EmuLink {
  readonly stats: FrameStats = { frames: 0, gaps: 0, corrupt: 0, sBytes: 0, lastSeq: -1 };
  /** every non-S line (sealed records opened; prompt text as it came) */
  readonly text: string[] = [];
  readonly frames: TimedFrame[] = [];
  keepFrames: boolean;
  /** called for each decoded S frame */
  onFrame: ((f: SampleFrame, tUs: number) => void) | undefined;
  private partial = "";
  private nextId = 100;

  private constructor(readonly board: EmulatedBoard, readonly flashDir: string, keep: boolean) {
    this.keepFrames = keep;
    board.onData((chunk, tUs) => this.take(chunk.toString("latin1"), tUs ?? board.nowUs()));
  }

  static async start(opts: EmuLinkOptions = {}): Promise<EmuLink> {
    const flashDir = opts.flashDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-fw-"));
    if (fs.readdirSync(flashDir).length === 0) installFirmware(repoRoot(), flashDir, opts.board ?? DEFAULT_BOARD);
    for (const [name, data] of Object.entries(opts.files ?? {})) fs.writeFileSync(path.join(flashDir, name), data);
    const { files: _f, keepFrames, ...emu } = opts;
    const board = await startEmulatedBoard({ clock: "manual", ...emu, flashDir, install: "none" });
    return new EmuLink(board, flashDir, keepFrames === true);
  }

  private take(s: string, tUs: number): void {
    const all = this.partial + s;
    const parts = all.split("\n");
    this.partial = parts.pop() ?? "";
    // The console's lines end in CR LF (uart0_putc), the app's records in LF: a host accepts both.
    for (const line of parts) this.line(line.endsWith("\r") ? line.slice(0, -1) : line, tUs);
  }

  private line(raw: string, tUs: number): void {
    // a record can follow the prompt on one line after a boot ("> B,…")
    const line = raw.startsWith("> ") ? raw.slice(2) : raw;
    if (line.charCodeAt(0) === 83 /* S */ && line.length > 20 && line.length < 60) {
      const o = openLine(line);
      if (o.error !== "") {
        this.stats.corrupt++;
        return;
      }
      const f = decodeSample(o.body);
      if (f.seq < 0) {
        this.stats.corrupt++;
        return;
      }
      if (this.stats.lastSeq >= 0) this.stats.gaps += seqDistance(this.stats.lastSeq, f.seq) - 1;
      this.stats.lastSeq = f.seq;
      this.stats.frames++;
      this.stats.sBytes += line.length + 1;
      if (this.keepFrames) this.frames.push({ frame: f, tUs });
      this.onFrame?.(f, tUs);
      return;
    }
    const o = openLine(line);
    this.text.push(o.error === "" ? o.body : raw);
  }

  /** Records (opened bodies) starting with `prefix`. */
  records(prefix: string): string[] {
    return this.text.filter((l) => l.startsWith(prefix));
  }

  /** The last heartbeat as key → value. */
  lastHeartbeat(): Record<string, string> | undefined {
    const h = this.records("H,").pop();
    if (h === undefined) return undefined;
    const out: Record<string, string> = {};
    for (const kv of splitFields(h).slice(1)) {
      const eq = kv.indexOf("=");
      out[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    return out;
  }

  /**
   * Advances virtual time in steps of at most STEP_MS. The emulated board's link (emulator side,
   * host/emulator/board/link.ts) queues each separate TX chunk, one per frame, in its Lua heap
   * until the end of a run, where it counts as the firmware's heap: one long advance() shows the
   * firmware's free heap falling by ~3 KB per virtual second and ends in E:M. Short runs keep
   * that queue, and the error in node.heap(), small.
   */
  async advance(ms: number): Promise<void> {
    for (let done = 0; done < ms; done += STEP_MS) await this.board.advance(Math.min(STEP_MS, ms - done));
  }

  /** Advances in steps until `pred` holds (true) or maxMs of virtual time passed (false). */
  async until(pred: () => boolean, maxMs: number, stepMs = 20): Promise<boolean> {
    for (let t = 0; t <= maxMs; t += stepMs) {
      if (pred()) return true;
      await this.advance(stepMs);
    }
    return pred();
  }

  /** Sends raw bytes (a line needs its own "\n"). */
  send(raw: string): void {
    this.board.write(raw);
  }

  /** Sends a command and waits for its R reply; returns the reply's fields (["R", id, "ok"|"err", …]). */
  async command(name: string, args: string[] = [], maxMs = 5000): Promise<string[]> {
    const id = this.nextId++;
    const prefix = `R,${id},`;
    const before = this.text.length;
    this.board.write(`${encodeCommand(id, name, args)}\n`);
    const ok = await this.until(() => this.text.slice(before).some((l) => l.startsWith(prefix)), maxMs);
    if (!ok) throw new Error(`no reply to ${name}(${args.join(",")}) within ${maxMs} ms; last lines: ${this.text.slice(-5).join(" | ")}`);
    return splitFields(this.text.slice(before).find((l) => l.startsWith(prefix)) as string);
  }

  close(): Promise<void> {
    return this.board.close().finally(() => fs.rmSync(this.flashDir, { recursive: true, force: true }));
  }
}

/** Value of `key=` in a reply's fields ("" when absent). */
export function field(fields: string[], key: string): string {
  return fieldValue(fields, key);
}

/** The build hash the firmware was built with (build/manifest.json). */
export function manifestBuildHash(): string {
  return (JSON.parse(fs.readFileSync(path.join(repoRoot(), "build", "manifest.json"), "utf8")) as { buildHash: string }).buildHash;
}

/** cal.txt for ideal cells of `board` (N/count from the rated output, zero = the ideal zero) under the given id and date. */
export function nominalCalFile(board: BoardDefinition, id: string, date: string): string {
  const chans = board.channels.map((ch) => {
    const zero = idealCounts(ch.cell, 0, ch.hx711Mode);
    const span = idealCounts(ch.cell, ch.cell.capacityN, ch.hx711Mode) - zero;
    return { ...emptyCalChannel(), nPerCount: ch.cell.capacityN / span, zeroCounts: zero, fitZeroCounts: zero };
  });
  return encodeCalFile(id, date, chans);
}

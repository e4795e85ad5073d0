import { encodeSample, SEQ_MODULUS } from "../../../shared/protocol/frame.ts";
import { decodeCommand, encodeRecord, encodeReplyError, encodeReplyOk } from "../../../shared/protocol/messages.ts";
import { createMedian3, median3Step } from "../../../shared/filters/median3.ts";
import { DEFAULT_BOARD } from "../../paths.ts";

/**
 * The scripted board for host unit tests: a two-channel rackcell board in plain TypeScript
 * (no Lua, no firmware) that answers `info` and `tare` as firmware/commands.ts does, streams
 * frames and heartbeats built with shared/protocol's encoders for a load profile you give, and
 * lets a test replace how commands are answered. It only makes the text; how that text reaches
 * the host is an attachment: `mock-binding.ts` (@serialport/binding-mock, transport and session
 * tests) or `pty.ts` (a socat pseudo-terminal, CLI tests). The emulator runs the real firmware.
 */

/** What the board says about itself in its info reply. */
export interface ScriptedBoardSetup {
  build: string;
  boot: number;
  sps: number;
  calid: string;
  nPerCount: [number, number];
  zeroCounts: [number, number];
}

export const DEFAULT_SETUP: ScriptedBoardSetup = { build: "abc123", boot: 3, sps: 80, calid: "c1", nPerCount: [0.01, 0.02], zeroCounts: [1000, -500] };

/** Answers one decoded command with a whole reply (several lines allowed, no final "\n"), or null for silence. */
export type CommandHandler = (name: string, args: string[], id: number) => string | null;

export interface ScriptedBoard {
  readonly setup: ScriptedBoardSetup;
  /** Lines the host wrote, in order. */
  written: string[];
  /** Frames streamed so far. */
  frames: number;
  /** Replace how commands are answered (the default answers info and tare like the firmware). */
  onCommand(handler: CommandHandler): void;
  /** Takes bytes the host wrote; returns the text to send back, "" when there is none. */
  receive(chunk: string): string;
  /** Text due by now since the board was made: frames at `sps` of the load profile, a heartbeat each second. */
  streamDue(): string;
}

/** The info reply's fields as firmware/commands.ts writes them. */
export function scriptedBoardInfo(s: ScriptedBoardSetup): string[] {
  return ["fw", "0.1.0", "build", s.build, "board", DEFAULT_BOARD, "ch", "2", "sps", String(s.sps), "cal", "ok", "calid", s.calid, "caldate", "2026-11-22",
    "stream", "1", "boot", String(s.boot), "k0", s.nPerCount[0].toFixed(9), "z0", s.zeroCounts[0].toFixed(1), "k1", s.nPerCount[1].toFixed(9), "z1", s.zeroCounts[1].toFixed(1)];
}

/** A heartbeat record as the board sends it, newline included. */
export function heartbeatLine(pairs: string[]): string {
  return `${encodeRecord("H", pairs)}\n`;
}

export function createScriptedBoard(o: { setup?: ScriptedBoardSetup; loadN?: (tS: number) => number } = {}): ScriptedBoard {
  const setup = o.setup ?? DEFAULT_SETUP;
  const loadN = o.loadN ?? (() => 0);
  const k = setup.nPerCount;
  const offset = setup.zeroCounts;
  // The zero a tare sets; the offsets the cells really have stay in `offset`.
  const zero = [...offset];
  const med = [createMedian3(), createMedian3()];
  const t0 = Date.now();
  const rawAt = (tS: number) => [0, 1].map((c) => Math.round(loadN(tS) / 2 / k[c] + offset[c]));
  let seq = 0;
  let partial = "";
  let handler: CommandHandler = (name, _args, id) => {
    if (name === "info") return encodeReplyOk(id, scriptedBoardInfo({ ...setup, zeroCounts: [zero[0], zero[1]] }));
    if (name === "tare") {
      [zero[0], zero[1]] = rawAt((Date.now() - t0) / 1000);
      return encodeReplyOk(id, ["z0", zero[0].toFixed(1), "sd0", "2.0", "z1", zero[1].toFixed(1), "sd1", "2.1", "saved", "1"]);
    }
    return encodeReplyError(id, `unknown command ${name}`);
  };
  const board: ScriptedBoard = {
    setup,
    written: [],
    frames: 0,
    onCommand(h) {
      handler = h;
    },
    receive(chunk) {
      partial += chunk;
      let out = "";
      let nl: number;
      while ((nl = partial.indexOf("\n")) >= 0) {
        const line = partial.slice(0, nl).replace(/\r$/, "");
        partial = partial.slice(nl + 1);
        board.written.push(line);
        const cmd = decodeCommand(line);
        if (cmd.error !== "") continue;
        const reply = handler(cmd.name, cmd.args, cmd.id);
        if (reply !== null) out += `${reply}\n`;
      }
      return out;
    },
    streamDue() {
      const due = Math.floor(((Date.now() - t0) / 1000) * setup.sps);
      let out = "";
      while (seq < due) {
        const raw = rawAt(seq / setup.sps);
        const force = raw.map((r, c) => k[c] * (median3Step(med[c], r) - zero[c]));
        out += `${encodeSample(seq % SEQ_MODULUS, raw, [0, 0], force)}\n`;
        seq++;
        board.frames++;
        if (seq % setup.sps === 0) {
          out += heartbeatLine(["up", String(seq / setup.sps), "boot", String(setup.boot), "seq", String((seq - 1) % SEQ_MODULUS), "ms", String(Math.round((seq * 1000) / setup.sps))]);
        }
      }
      return out;
    },
  };
  return board;
}

// The application, started by init.lua from a one-shot timer (nothing happens when this module
// is merely loaded). Resident: this module, sampler, sink, the protocol in use, and the functions
// they import from framer, the detector, median filter and clock unwrapping (those modules' tables
// are released at start, see framer.ts TRANSIENT). Everything used only now and then (command
// handling, calibration file, lift log, the shared protocol codec) is loaded when needed and
// released afterwards, so the streaming heap stays small. Of board.lua only ctx.board is kept.
//
// Nothing imports this module back: protocols reach rate, stop and counters through ctx
// (ctx.control, ctx.counters). The wire protocol is ctx.proto; every line leaves through sink.ts.
//
// The detector keeps no window times on the board (detectorCreate(cfg, false)): quietStartMs is
// not part of the E record, and the array would cost ~1.3 KB.
import type { AppCtx, BoardDefinition, BoardKept, Protocol } from "./types/rackcell.d.ts";
import { defaultDetectorConfig, detectorCreate } from "../shared/analysis/detector.ts";
import { createMedian3 } from "../shared/filters/median3.ts";
import { fmtInt, loaded, requireData, unloadTransient } from "./framer.ts";
import { NetFile } from "../shared/board/netcfg.ts";
import * as sampler from "./sampler.ts";
// Constants as const enums: inlined as literals (a module-level local would be an upvalue: heap).
const enum F { STRIKES = "strikes", BOOTID = "bootid" }
const enum K { CLEAN_RUN_MS = 30000, MAX_LINE = 256 }

let ctx: AppCtx;
let lineBuf = "";
let overflow = false;
let hbTimer: NodeMcuTimer | undefined;
let cleanTimer: NodeMcuTimer | undefined;

// uart "data" callback: pieces of at most 255 bytes, a line ends with "\n".
function onData(data: string): void {
  const n = data.length;
  if (n === 0) return;
  if (string.byte(data, n) !== 10) {
    if (!overflow) {
      lineBuf = lineBuf + data;
      if (lineBuf.length > K.MAX_LINE) {
        lineBuf = "";
        overflow = true;
      }
    }
    return;
  }
  let line = lineBuf + string.sub(data, 1, n - 1);
  lineBuf = "";
  if (overflow) {
    overflow = false;
    ctx.proto.tooLong();
    return;
  }
  if (string.byte(line, line.length) === 13) line = string.sub(line, 1, line.length - 1);
  if (line.length === 0) return;
  if (line.length > K.MAX_LINE) {
    ctx.proto.tooLong();
    return;
  }
  ctx.proto.line(line);
}

// Recreates the detector and restarts the readers at a new rate (rackcell `rate`).
function setRate(sps: number): void {
  sampler.stop();
  ctx.run.sps = sps;
  ctx.run.det = detectorCreate(defaultDetectorConfig(sps), false);
  sampler.start(ctx);
}

// Stops sampling, timers and the command channel: the UART belongs to the interpreter again.
function stop(): void {
  sampler.stop();
  ctx.run.streaming = false;
  if (hbTimer !== undefined) hbTimer.unregister();
  if (cleanTimer !== undefined) cleanTimer.unregister();
  hbTimer = undefined;
  file.remove(F.STRIKES);
  uart.on("data");
}

// The protocol module for a mode, bound to ctx (two literal requires: the build resolves each).
function protocolFor(mode: string): Protocol {
  const p = mode === "chronojump"
    ? require("proto-chronojump") as typeof import("./proto-chronojump.ts")
    : require("proto-rackcell") as typeof import("./proto-rackcell.ts");
  p.bind(ctx);
  return p;
}

// Switches the wire protocol and keeps it on flash; "" or why not. Chronojump streams only while capturing.
function setMode(mode: string): string {
  if (mode !== "rackcell" && mode !== "chronojump") return "mode must be rackcell or chronojump";
  const store = require("mode") as typeof import("./mode.ts");
  const saved = store.saveMode(mode);
  unloadTransient();
  if (!saved) return "flash write failed";
  // the other protocol's module goes (the sampler reaches the protocol through ctx.proto only)
  loaded()[mode === "chronojump" ? "proto_rackcell" : "proto_chronojump"] = undefined;
  ctx.proto = protocolFor(mode);
  ctx.run.streaming = mode === "rackcell";
  return "";
}

// Restarts the board after a moment (the reply gets out first); not a crash: the strikes go.
function restart(): void {
  file.remove(F.STRIKES);
  tmr.create().alarm(100, tmr.ALARM_SINGLE, () => node.restart());
}

export function start(): void {
  const board = requireData("board") as BoardDefinition;
  const nch = board.channels.length;
  const last = tonumber(file.getcontents(F.BOOTID) ?? "0");
  const bootId = (last === undefined || last !== last ? 0 : Math.floor(last)) + 1;
  file.putcontents(F.BOOTID, fmtInt(bootId));
  const [, reason] = node.bootreason();
  // what is kept of the board definition (its own table goes with package.loaded.board: TRANSIENT)
  const kept: BoardKept = { name: board.name, nch, channels: [] };
  for (let ch = 0; ch < nch; ch++) {
    const d = board.channels[ch];
    kept.channels[ch] = { name: d.name, clkPin: d.clkPin, dataPin: d.dataPin, hx711Mode: d.hx711Mode, reader: d.reader, capacityN: d.cell.capacityN };
  }
  ctx = {
    board: kept, bootId,
    cal: { state: "none", id: "", date: "", ch: [], points: undefined, collector: undefined },
    run: { sps: board.sampleRateSps, streaming: true, det: detectorCreate(defaultDetectorConfig(board.sampleRateSps), false), med: [] },
    counters: { seq: 0, sent: 0, frames: 0, lastMs: 0, lost: [], unpaired: [], conversionUs: [] },
    lifts: { lastId: 0, fileLines: 0 },
    control: { setRate, stop, restart, setMode },
    proto: undefined as unknown as Protocol,
  };
  for (let ch = 0; ch < nch; ch++) {
    ctx.run.med[ch] = createMedian3();
    ctx.counters.lost[ch] = 0;
    ctx.counters.unpaired[ch] = 0;
    ctx.counters.conversionUs[ch] = 0;
  }
  const cal = require("calstore") as typeof import("./calstore.ts");
  const calNote = cal.load(ctx);
  unloadTransient();
  const log = require("liftlog") as typeof import("./liftlog.ts");
  log.init(ctx);
  unloadTransient();
  const store = require("mode") as typeof import("./mode.ts");
  const mode = store.readMode();
  unloadTransient();
  ctx.proto = protocolFor(mode);
  ctx.run.streaming = mode === "rackcell";

  uart.setup(0, board.uartBaud, 8, uart.PARITY_NONE, uart.STOPBITS_1, 1);
  ctx.proto.started(calNote, reason);
  sampler.start(ctx);
  // Only now is the UART input taken from the interpreter: a board whose app did not start
  // still answers at the prompt (deploy, safe mode).
  uart.on("data", "\n", onData, 0);
  // WiFi and MQTT beside USB, only when net.cfg (or an interrupted save of it) is on flash: with no
  // network nothing of it is loaded (firmware/net-link.ts). Inline, not a function: a closure is heap.
  if (file.exists(NetFile.CFG) || file.exists(NetFile.TMP)) {
    const link = require("net-link") as typeof import("./net-link.ts");
    link.start(ctx);
    unloadTransient();
  }
  const hb = tmr.create();
  hb.alarm(1000, tmr.ALARM_AUTO, () => {
    sampler.watchdog();
    ctx.proto.heartbeat();
  });
  hbTimer = hb;
  const clean = tmr.create();
  clean.alarm(K.CLEAN_RUN_MS, tmr.ALARM_SINGLE, () => {
    // a clean run: init.lua's crash-loop counter starts again from zero
    file.remove(F.STRIKES);
    cleanTimer = undefined;
  });
  cleanTimer = clean;
}


import type { AppCtx, BoardDef, BoardKept, BuildInfo } from "./types/rackcell.d.ts";
import { defaultDetectorConfig, detectorCreate } from "../shared/analysis/detector.ts";
import { createMedian3 } from "../shared/filters/median3.ts";
import { unwrapCreate, unwrapStep } from "../shared/board/unwrap.ts";
import { fmtInt, requireData, seal, unloadTransient } from "./framer.ts";
import * as sampler from "./sampler.ts";

/**
 * The application, started by init.lua from a one-shot timer (nothing happens when this module
 * is merely loaded). Resident: this module, sampler, and the functions they import from framer,
 * the detector, median filter and clock unwrapping (those modules' tables are released at start,
 * see framer.ts TRANSIENT). Everything used only now and then (command handling, calibration file,
 * lift log, the shared protocol codec) is loaded when needed and released afterwards, so the
 * streaming heap stays small (see commands.ts `unload`). Of board.lua only ctx.board is kept.
 *
 * The detector keeps no window times on the board (detectorCreate(cfg, false)): quietStartMs is
 * not part of the E record, and the array would cost ~1.3 KB.
 *
 * Records written here (sealed lines, see shared/protocol/messages.ts):
 *   B,fw=<version>,build=<hash>,board=<name>,boot=<id>,cal=<ok|none|corrupt>,reason=<0..6>,ch=<n>,sps=<10|80>
 *   M,<notice>
 *   H,up=<s>,heap=<bytes>,drop=<n>,lost0=<n>,unp0=<n>[,lost1=<n>,unp1=<n>…],boot=<id>,sent=<frames>,seq=<last seq>,ms=<board ms>
 */
export const STRIKES_FILE = "strikes";
export const BOOTID_FILE = "bootid";
const CLEAN_RUN_MS = 30000;
const MAX_LINE = 256;

let ctx: AppCtx;
let lineBuf = "";
let overflow = false;
let hbTimer: NodeMcuTimer | undefined;
let outTimer: NodeMcuTimer | undefined;
let cleanTimer: NodeMcuTimer | undefined;
const uClock = unwrapCreate();

function send(body: string): void {
  uart.write(0, seal(body), "\n");
}

function handleLine(line: string): void {
  const cmds = require("commands") as typeof import("./commands.ts");
  const [ok] = pcall(cmds.handleLine, ctx, line);
  cmds.unload();
  if (!ok) send("R,0,err,internal error");
}

/** uart "data" callback: pieces of at most 255 bytes, a line ends with "\n". */
function onData(data: string): void {
  const n = data.length;
  if (n === 0) return;
  if (string.byte(data, n) !== 10) {
    if (!overflow) {
      lineBuf = lineBuf + data;
      if (lineBuf.length > MAX_LINE) {
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
    send("R,0,err,line too long");
    return;
  }
  if (string.byte(line, line.length) === 13) line = string.sub(line, 1, line.length - 1);
  if (line.length === 0) return;
  if (line.length > MAX_LINE) {
    send("R,0,err,line too long");
    return;
  }
  handleLine(line);
}

function nowMs(): number {
  return unwrapStep(uClock, tmr.now()) / 1000;
}

function heartbeat(): void {
  let drops = "";
  for (let ch = 0; ch < ctx.nch; ch++) {
    drops = `${drops},lost${ch}=${fmtInt(sampler.lost[ch])},unp${ch}=${fmtInt(sampler.unpaired[ch])}`;
  }
  const c = sampler.counters;
  const last = c.frames === 0 ? "" : fmtInt(c.seq === 0 ? 262143 : c.seq - 1);
  send(`H,up=${fmtInt(tmr.time())},heap=${fmtInt(node.heap())},drop=${fmtInt(sampler.totalDropped())}${drops},` +
    `boot=${fmtInt(ctx.bootId)},sent=${fmtInt(c.sent)},seq=${last},ms=${fmtInt(nowMs())}`);
}

/**
 * Writes queued lines one per tick so the UART never blocks the sampler. An item is a line, or
 * a source (the lifts replay) called once per tick until it has nothing more.
 */
function kick(): void {
  if (outTimer !== undefined) return;
  const t = tmr.create();
  outTimer = t;
  t.alarm(20, tmr.ALARM_AUTO, () => {
    const box = ctx.outbox;
    let line: string | undefined = undefined;
    while (line === undefined && box.length > 0) {
      const head = box[0];
      if (type(head) === "string") line = table.remove(box, 1) as string;
      else {
        line = (head as (this: void) => string | undefined)();
        if (line === undefined) table.remove(box, 1);
      }
    }
    if (line === undefined) {
      t.unregister();
      outTimer = undefined;
      return;
    }
    uart.write(0, line, "\n");
  });
}

function readInt(name: string): number {
  const text = file.getcontents(name);
  if (text === undefined) return 0;
  const v = tonumber(text);
  return v === undefined || v !== v ? 0 : Math.floor(v);
}

/** Recreates the detector and restarts the readers at a new rate (commands `rate`). */
export function setRate(sps: number): void {
  sampler.stop();
  ctx.sps = sps;
  ctx.det = detectorCreate(defaultDetectorConfig(sps), false);
  sampler.start(ctx);
}

/** Stops sampling, timers and the command channel: the UART belongs to the interpreter again. */
export function stopApp(): void {
  sampler.stop();
  ctx.running = false;
  ctx.streaming = false;
  if (hbTimer !== undefined) hbTimer.unregister();
  if (cleanTimer !== undefined) cleanTimer.unregister();
  hbTimer = undefined;
  uart.on("data");
}

export function start(): void {
  const board = requireData("board") as BoardDef;
  const build = requireData("buildinfo") as BuildInfo | undefined;
  const nch = board.channels.length;
  const bootId = readInt(BOOTID_FILE) + 1;
  file.putcontents(BOOTID_FILE, fmtInt(bootId));
  const [, reason] = node.bootreason();
  // what is kept of the board definition (its own table goes with package.loaded.board: TRANSIENT)
  const kept: BoardKept = { name: board.name, channels: [] };
  for (let ch = 0; ch < nch; ch++) {
    const d = board.channels[ch];
    kept.channels[ch] = { name: d.name, clkPin: d.clkPin, dataPin: d.dataPin, hx711Mode: d.hx711Mode, reader: d.reader };
  }
  ctx = {
    board: kept, build: build ?? { version: "?", hash: "?" },
    nch, sps: board.sampleRateSps, bootId, bootReason: reason,
    calState: "none", calId: "", calDate: "",
    nPerCount: [], zeroCounts: [], fitZeroCounts: [], maxResidualN: [], residualSdN: [],
    calCounts: [], calForceN: [], calResidualN: [], unsaved: false,
    capacityN: [], points: undefined, collector: undefined, collecting: false,
    streaming: true, running: true,
    lastLiftId: 0, liftFileLines: 0,
    det: detectorCreate(defaultDetectorConfig(board.sampleRateSps), false),
    med: [], outbox: [], send, kick,
  };
  for (let ch = 0; ch < nch; ch++) {
    ctx.nPerCount[ch] = 0;
    ctx.zeroCounts[ch] = 0;
    ctx.fitZeroCounts[ch] = 0;
    ctx.maxResidualN[ch] = 0;
    ctx.residualSdN[ch] = 0;
    ctx.calCounts[ch] = [];
    ctx.calForceN[ch] = [];
    ctx.calResidualN[ch] = [];
    ctx.capacityN[ch] = board.channels[ch].cell.capacityN;
    ctx.med[ch] = createMedian3();
  }
  const cal = require("calstore") as typeof import("./calstore.ts");
  const calNote = cal.load(ctx);
  unloadTransient();
  const log = require("liftlog") as typeof import("./liftlog.ts");
  log.init(ctx);
  unloadTransient();

  uart.setup(0, board.uartBaud, 8, uart.PARITY_NONE, uart.STOPBITS_1, 1);
  send(`B,fw=${ctx.build.version},build=${ctx.build.hash},board=${board.name},boot=${fmtInt(bootId)},cal=${ctx.calState},` +
    `reason=${fmtInt(reason)},ch=${fmtInt(nch)},sps=${fmtInt(ctx.sps)}`);
  if (calNote !== "") send(`M,${calNote}`);
  nowMs();
  sampler.start(ctx);
  // Only now is the UART input taken from the interpreter: a board whose app did not start
  // still answers at the prompt (deploy, safe mode).
  uart.on("data", "\n", onData, 0);
  const hb = tmr.create();
  hb.alarm(1000, tmr.ALARM_AUTO, () => {
    sampler.watchdog();
    heartbeat();
  });
  hbTimer = hb;
  const clean = tmr.create();
  clean.alarm(CLEAN_RUN_MS, tmr.ALARM_SINGLE, () => {
    // a clean run: init.lua's crash-loop counter starts again from zero
    file.remove(STRIKES_FILE);
    cleanTimer = undefined;
  });
  cleanTimer = clean;
}

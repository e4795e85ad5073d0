import type { AppCtx, BoardKept, Collector, Counters, RunState } from "./types/rackcell.d.ts";
import type { CalChannel } from "../shared/board/calfile.ts";
import { unloadTransient } from "./framer.ts";
import { EV_ISO_DONE, EV_PULL_FAILED, EV_REWEIGH, detectorStep } from "../shared/analysis/detector.ts";
import { median3Step } from "../shared/filters/median3.ts";
import { unwrapCreate, unwrapStep, type Unwrapper } from "../shared/board/unwrap.ts";
import { SEQ_MODULUS } from "../shared/protocol/frame.ts";

// Sampling both pins and turning each pair of conversions into one frame.
//
// Readers (boards/*.json `reader`):
//  - "hx711-module": NodeMCU's C hx711 module, `hx711.start(mode, batch, cb)`, reads in the
//    data-ready interrupt into double buffers and hands Lua `batch` samples at a time (8 at 80 SPS,
//    1 at 10 SPS) as packed 3-byte little-endian signed integers, the raw 32-bit µs time of the
//    last one and the count it dropped. NodeMCU's hx711 module drives ONE HX711 only (one
//    clk/data pair per firmware image), so at most one channel can use it.
//  - "gpio-bitbang": every other HX711 is read in Lua: gpio.trig(data, "down") fires when the chip
//    pulls DOUT low (conversion ready); the callback clocks 24 data bits plus 1–3 gain-select
//    pulses (25 = A/128, 26 = B/32, 27 = A/64) with gpio.write/gpio.read. Each bit is read after
//    its pulse (it stays valid until the next rising edge), so PD_SCK is high only between two
//    back-to-back gpio.write calls (≈4 VM instructions ≈ 4 µs, far under the 60 µs that powers
//    the chip down); the loop uses only upvalues and locals.
//
// Pairing: the chips run on their own clocks, so samples queue per channel (ring of 16: the module
// hands over 8 at a time, the bit-banged reader one per period) and the
// heads are paired in arrival order; when one head is older than another by more than 3/4 of a
// period its partner never came (clock drift, a lost conversion): it is dropped and counted as
// unpaired. A channel with no conversion for more than 3 periods (plus its delivery latency, a
// whole batch for the module) is stale: frames go on with its last raw value and the stale flag.
// A reading stuck at one value for 16 samples is flagged stale too. Frames are written at most a
// few per callback so uart.write never blocks long enough to miss a bit-banged conversion.
//
// Frames go to the protocol in use (ctx.proto.frame); counters are ctx.counters. The measured
// conversion interval (counters.conversionUs, `cvus<i>`): the hx711 module's from its batch
// times, a bit-banged channel's from the ring's last 16 arrival times (once a second).
// Constants as a const enum: inlined as literals (a module-level local is an upvalue: heap).
const enum K {
  FIFO = 16,
  SAT_HI = 8388607,
  SAT_LO = -8388608,
  STUCK_SAMPLES = 16,
  F_SAT = 1,
  F_OVER = 2,
  F_STALE = 4,
  F_UNCAL = 8,
  // an HX711's first conversions after power-up are still settling (datasheet: 4 at either rate; the median adds 2)
  SETTLE_FRAMES = 8,
}

let ctx: AppCtx;
// ctx's parts, fixed for the app's life (their fields change)
let run: RunState;
let cal: CalChannel[];
let counters: Counters;
let chans: BoardKept["channels"];
let nch = 0;
let periodUs = 12500;
let moduleBatch = 8;
// the board clock: tmr.now unwrapped (it wraps every 2^31 µs); read at least once a second (watchdog)
const uNow: Unwrapper = unwrapCreate();
const uCh: Unwrapper[] = [];
const fT: number[][] = [];
const fR: number[][] = [];
const fHead: number[] = [];
const fCnt: number[] = [];
const staleUs: number[] = [];
const lastArrival: number[] = [];
const lastSampleUs: number[] = [];
const lastRaw: number[] = [];
const sameCount: number[] = [];
// the bit-banged readers per channel (undefined for the hx711 module's)
const bbRead: (((this: void, level: number, when: number, count: number) => void) | undefined)[] = [];
const RW: number[] = [];
const FL: number[] = [];
const FN: number[] = [];
const MED: number[] = [];
const STALE: boolean[] = [];
let lastModuleBatchUs = -1;
// set while readWaiting reads: samples are queued, frames wait for the next callback
let holdFrames = false;
// filter delay of the detector's input (ms): 2 periods (HX711 filter) + 1 (median of 3)
let delayMs = 37.5;

function push(ch: number, tUs: number, raw: number): void {
  let cnt = fCnt[ch];
  if (cnt >= K.FIFO) {
    // the other channel has been silent for a whole ring: the oldest goes, counted
    fHead[ch] = (fHead[ch] + 1) % K.FIFO;
    cnt = cnt - 1;
    counters.unpaired[ch] = counters.unpaired[ch] + 1;
  }
  const slot = (fHead[ch] + cnt) % K.FIFO;
  fT[ch][slot] = tUs;
  fR[ch][slot] = raw;
  fCnt[ch] = cnt + 1;
  lastSampleUs[ch] = tUs;
}

function liftEnded(): void {
  const log = require("liftlog") as typeof import("./liftlog.ts");
  const line = log.record(ctx);
  unloadTransient();
  ctx.proto.lift(line);
}



function feedCollector(c: Collector): void {
  // An HX711's first conversions after power-up are still settling (datasheet: 4 at either rate;
  // the median filter adds 2): a tare or capture asked for right after boot starts after them.
  if (counters.frames < K.SETTLE_FRAMES) return;
  for (let ch = 0; ch < nch; ch++) {
    if (STALE[ch]) c.stale = true;
    const med = MED[ch];
    if (c.n === 0) {
      c.ref[ch] = med;
      c.prev[ch] = med;
    }
    const d = med - c.ref[ch];
    c.sum[ch] = c.sum[ch] + d;
    c.sumSq[ch] = c.sumSq[ch] + d * d;
    const dd = med - c.prev[ch];
    c.sumD2[ch] = c.sumD2[ch] + dd * dd;
    c.prev[ch] = med;
  }
  c.n = c.n + 1;
  if (c.n >= c.want) {
    c.active = false;
    node.task.post(node.task.LOW_PRIORITY, ctx.proto.collected);
  }
}

// One frame from RW/STALE (filled by pump).
function emit(tUs: number): void {
  let total = 0;
  let usable = true;
  for (let ch = 0; ch < nch; ch++) {
    const raw = RW[ch];
    let fl = 0;
    if (STALE[ch]) {
      fl = K.F_STALE;
    } else if (raw === lastRaw[ch] && raw < K.SAT_HI && raw > K.SAT_LO) {
      const same = sameCount[ch] + 1;
      sameCount[ch] = same;
      if (same >= K.STUCK_SAMPLES) fl = K.F_STALE;
    } else {
      sameCount[ch] = 0;
    }
    lastRaw[ch] = raw;
    if (raw >= K.SAT_HI || raw <= K.SAT_LO) fl = fl + K.F_SAT;
    const med = median3Step(run.med[ch], raw);
    MED[ch] = med;
    const cc = cal[ch];
    const k = cc.nPerCount;
    let force = 0 / 0;
    if (k === 0) {
      fl = fl + K.F_UNCAL;
      usable = false;
    } else if (fl >= K.F_STALE) {
      usable = false;
    } else {
      force = k * (med - cc.zeroCounts);
      const capN = chans[ch].capacityN;
      if (force > capN || force < -capN) fl = fl + K.F_OVER;
      total = total + force;
    }
    FL[ch] = fl;
    FN[ch] = force;
  }
  const tMs = tUs / 1000;
  counters.lastMs = tMs;
  if (usable) {
    // The detector's time is when the force it gets was on the pins: an HX711 output is a
    // symmetric (sinc⁴) average over the last four conversion periods, centred two periods
    // before DOUT falls, and the 3-sample median is centred on the previous sample: 3 periods.
    const ev = detectorStep(run.det, tMs - delayMs, total);
    if (ev === EV_REWEIGH || ev === EV_ISO_DONE || ev === EV_PULL_FAILED) node.task.post(node.task.LOW_PRIORITY, liftEnded);
  }
  const c = ctx.cal.collector;
  if (c !== undefined && c.active) feedCollector(c);
  const seq = counters.seq;
  if (run.streaming) {
    ctx.proto.frame(seq, tUs, RW, FL, FN, nch);
    counters.sent = counters.sent + 1;
  }
  counters.frames = counters.frames + 1;
  counters.seq = seq + 1 === SEQ_MODULUS ? 0 : seq + 1;
}

// Pairs queued samples into frames, at most `limit` of them.
function pump(limit: number): void {
  let now = -1;
  const tol = periodUs * 0.75;
  let made = 0;
  while (made < limit) {
    let oldest = -1;
    let oldestT = 0;
    let newestT = 0;
    let waiting = false;
    let live = 0;
    for (let ch = 0; ch < nch; ch++) {
      if (fCnt[ch] > 0) {
        const t = fT[ch][fHead[ch]];
        if (live === 0 || t < oldestT) {
          oldestT = t;
          oldest = ch;
        }
        if (live === 0 || t > newestT) newestT = t;
        live = live + 1;
      } else {
        if (now < 0) now = unwrapStep(uNow, tmr.now());
        if (now - lastArrival[ch] <= staleUs[ch]) waiting = true;
      }
    }
    if (live === 0 || waiting) return;
    if (newestT - oldestT > tol) {
      fHead[oldest] = (fHead[oldest] + 1) % K.FIFO;
      fCnt[oldest] = fCnt[oldest] - 1;
      counters.unpaired[oldest] = counters.unpaired[oldest] + 1;
    } else {
      let tSum = 0;
      for (let ch = 0; ch < nch; ch++) {
        if (fCnt[ch] > 0) {
          const h = fHead[ch];
          tSum = tSum + fT[ch][h];
          RW[ch] = fR[ch][h];
          STALE[ch] = false;
          fHead[ch] = (h + 1) % K.FIFO;
          fCnt[ch] = fCnt[ch] - 1;
        } else {
          STALE[ch] = true;
        }
      }
      // the frame's time: the mean of its samples' times (the oldest alone would jump by up to
      // a period whenever the two chips' phases cross)
      emit(tSum / live);
      made = made + 1;
    }
  }
}

function frameLimit(): number {
  let most = 0;
  for (let ch = 0; ch < nch; ch++) if (fCnt[ch] > most) most = fCnt[ch];
  return most > 6 ? most - 4 : 2;
}

function moduleCallback(ch: number): (packed: string, timeUs: number, dropped: number) => void {
  const sbyte = string.byte;
  return (packed: string, timeUs: number, dropped: number) => {
    const n = packed.length / 3;
    const tLast = unwrapStep(uCh[ch], timeUs);
    let p = periodUs;
    if (lastModuleBatchUs >= 0 && dropped === 0) {
      const est = (tLast - lastModuleBatchUs) / n;
      counters.conversionUs[ch] = est;
      if (est > periodUs * 0.8 && est < periodUs * 1.25) p = est;
    }
    lastModuleBatchUs = tLast;
    if (dropped > 0) counters.lost[ch] = counters.lost[ch] + dropped;
    let pos = 1;
    for (let i = n - 1; i >= 0; i--) {
      const [b0, b1, b2] = sbyte(packed, pos, pos + 2);
      let v = b0 + b1 * 256 + b2 * 65536;
      if (v >= 8388608) v = v - 16777216;
      push(ch, tLast - i * p, v);
      pos = pos + 3;
    }
    lastArrival[ch] = unwrapStep(uNow, tmr.now());
    pump(frameLimit());
  };
}

function bitbangCallback(ch: number, clk: number, dp: number, extra: number): (level: number, when: number, count: number) => void {
  const gwrite = gpio.write;
  const gread = gpio.read;
  return (_level: number, when: number) => {
    if (gread(dp) !== 0) return; // a spurious edge: no conversion waiting
    let v = 0;
    for (const _ of $range(1, 24)) {
      gwrite(clk, 1);
      gwrite(clk, 0);
      v = v + v + gread(dp);
    }
    for (const _ of $range(1, extra)) {
      gwrite(clk, 1);
      gwrite(clk, 0);
    }
    if (v >= 8388608) v = v - 16777216;
    let t = unwrapStep(uCh[ch], when);
    let gap = t - lastSampleUs[ch];
    if (gap + gap < periodUs) {
      // sooner than half a period after the last: the edge time of a conversion readWaiting
      // already took (its task ran after the next conversion); this one is newer
      t = edgeEstimateUs(ch);
      gap = t - lastSampleUs[ch];
    }
    if (lastSampleUs[ch] > 0 && gap > periodUs * 1.5) counters.lost[ch] = counters.lost[ch] + Math.floor(gap / periodUs + 0.5) - 1;
    push(ch, t, v);
    lastArrival[ch] = t;
    if (!holdFrames) pump(frameLimit());
  };
}

// Starts both readers at ctx.sps; resets the queues (not the counters).
export function start(app: AppCtx): void {
  ctx = app;
  run = app.run;
  cal = app.cal.ch;
  counters = app.counters;
  chans = app.board.channels;
  nch = app.board.nch;
  periodUs = 1000000 / run.sps;
  delayMs = (3 * periodUs) / 1000;
  moduleBatch = run.sps >= 80 ? 8 : 1;
  const now = unwrapStep(uNow, tmr.now());
  lastModuleBatchUs = -1;
  for (let ch = 0; ch < nch; ch++) {
    const def = chans[ch];
    uCh[ch] = unwrapCreate();
    fT[ch] = [];
    fR[ch] = [];
    for (let i = 0; i < K.FIFO; i++) {
      fT[ch][i] = 0;
      fR[ch][i] = 0;
    }
    fHead[ch] = 0;
    fCnt[ch] = 0;
    lastArrival[ch] = now;
    lastSampleUs[ch] = 0;
    if (lastRaw[ch] === undefined) {
      lastRaw[ch] = 0;
      RW[ch] = 0;
      FL[ch] = 0;
      FN[ch] = 0;
      MED[ch] = 0;
      STALE[ch] = false;
    }
    sameCount[ch] = 0;
    counters.conversionUs[ch] = 0;
    if (def.reader === "hx711-module") {
      staleUs[ch] = (moduleBatch + 3) * periodUs + periodUs / 2;
      hx711.init(def.clkPin, def.dataPin);
      hx711.start(def.hx711Mode, moduleBatch, moduleCallback(ch));
    } else {
      staleUs[ch] = 3 * periodUs + periodUs / 2;
      gpio.mode(def.clkPin, gpio.OUTPUT);
      gpio.write(def.clkPin, 0);
      gpio.mode(def.dataPin, gpio.INT);
      const cb = bitbangCallback(ch, def.clkPin, def.dataPin, def.hx711Mode + 1);
      bbRead[ch] = cb;
      gpio.trig(def.dataPin, "down", cb);
      // The trigger is edge-triggered: a conversion that was already waiting (DOUT low since before
      // it was armed) makes no falling edge until it is read, so read it now.
      if (gpio.read(def.dataPin) === 0) cb(0, tmr.now(), 1);
    }
  }
}

// Reads every bit-banged conversion waiting now (DOUT low) and writes no frame: the sink calls it
// between the pieces of a long line (firmware/sink.ts), so a line that waits on the UART does not
// keep a conversion unread past the next one.
export function readWaiting(): void {
  holdFrames = true;
  for (let ch = 0; ch < nch; ch++) {
    const cb = bbRead[ch];
    if (cb !== undefined && gpio.read(chans[ch].dataPin) === 0) cb(0, edgeEstimateUs(ch) % 2147483648, 1);
  }
  holdFrames = false;
}

// When the DOUT edge of a conversion read now fell, its interrupt's time not being known: one
// period after the last sample when that is between one and two periods ago (it may have waited
// since, behind a callback that waited on the UART), else now (a faster chip, or a conversion lost).
function edgeEstimateUs(ch: number): number {
  const now = unwrapStep(uNow, tmr.now());
  const next = lastSampleUs[ch] + periodUs;
  return next <= now && now - next < periodUs ? next : now;
}

// Once a second (heartbeat): a bit-banged channel silent for more than its stale time while its
// DOUT is low has missed its edge (the chip holds DOUT low until read): read it, so it resumes.
export function watchdog(): void {
  if (ctx === undefined) return;
  const now = unwrapStep(uNow, tmr.now());
  for (let ch = 0; ch < nch; ch++) {
    const cb = bbRead[ch];
    if (cb !== undefined && now - lastArrival[ch] > staleUs[ch] && gpio.read(chans[ch].dataPin) === 0) cb(0, tmr.now(), 1);
    if (cb !== undefined) {
      // the ring holds the last FIFO arrival times whatever was consumed: newest and oldest of them
      const newest = (fHead[ch] + fCnt[ch] + K.FIFO - 1) % K.FIFO;
      const oldestT = fT[ch][(newest + 1) % K.FIFO];
      if (oldestT > 0) counters.conversionUs[ch] = (fT[ch][newest] - oldestT) / (K.FIFO - 1);
    }
  }
}

export function stop(): void {
  if (ctx === undefined) return;
  for (let ch = 0; ch < nch; ch++) {
    const def = chans[ch];
    if (def.reader === "hx711-module") hx711.stop();
    else gpio.trig(def.dataPin, "none");
  }
}

// Board time, µs since power-up (never wraps).
export function nowUs(): number {
  return unwrapStep(uNow, tmr.now());
}

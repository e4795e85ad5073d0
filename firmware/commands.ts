import type { AppCtx, CapturedPoints, Collector } from "./types/rackcell.d.ts";
import { seal, unloadTransient } from "./framer.ts";
import { decodeCommand, encodeReplyError, encodeReplyOk } from "../shared/protocol/messages.ts";
import { formatFixed, formatInt, parseDecimal } from "../shared/protocol/wire-number.ts";
import { fitCalibration } from "../shared/calibration/fit.ts";
import { isSafeText, MAX_CAL_POINTS } from "../shared/board/calfile.ts";
import * as app from "./app.ts";
import * as sampler from "./sampler.ts";
import { STRIKES_FILE } from "./app.ts";

/**
 * Command handling (transient: app.ts loads it for each received line and releases it, with the
 * protocol codec it uses, right after; see `unload`). Every line gets exactly one reply:
 *   R,<id>,ok[,key=value…]  or  R,<id>,err,<reason>;  a line that is not a valid command
 *   (no/bad checksum, too long, not C,…) gets R,0,err,<reason> and nothing is done.
 * Commands (args after the name, comma separated):
 *   ping                          ok,ms=<board ms>
 *   info                          ok,fw,build,board,ch,sps,cal,calid,caldate,stream,boot,name<i>,k<i>,z<i> (N/count, counts)
 *   tare[,samples]                average 8..1024 samples (default 64) per channel (deferred reply):
 *                                 ok,z<i>=<counts>,sd<i>=<counts>…,saved=<0|1>; err unstable ch<i>… | busy | stale
 *   capture,<ch|all>,<forceN>[,samples]   ch = index, channel name or all (the same force on every pin);
 *                                 deferred: ok,ch=<ch>,n<i>=<points>,c<i>=<mean counts>,sd<i>=<counts>…
 *   fit                           least squares per channel with points (≥ 2 each, span ≥ 2 % of capacity):
 *                                 ok,k<i>,z<i>,max<i>,sd<i>,n<i> per fitted channel; applied at once, saved by save
 *   save,<calId>,<date>           write cal.txt atomically: ok,cal=<id>,bytes=<n>
 *   clearpoints                   ok,cleared=<n>
 *   rate,<10|80>                  ok,sps=<n>: the HX711 RATE pin is wired on the board; this tells the
 *                                 firmware (and the emulated board) which rate to expect: period, batch, detector
 *   stream,<0|1>                  ok,stream=<0|1>
 *   lifts,<sinceId>               E lines with id > sinceId (paced), then ok,count=<n>
 *   reboot                        ok, then node.restart()
 *   prompt                        ok, then sampling stops and the UART goes back to the Lua prompt
 *   keys                          ok,pub=<hex>,n=<signed lifts>,prev=<hex>,queue=<n>; err no key (firmware/signer.ts)
 *   keys,init[,force]             new device key from node.random (deferred: ok,pub=<hex>); err key exists
 */
const DEFAULT_SAMPLES = 64;
/** a run is unstable when its SD exceeds this many times the noise seen between successive samples */
const STABLE_RATIO = 2.5;
/** …and exceeds this many counts (a quantised, nearly silent input has tiny successive differences) */
const STABLE_FLOOR_COUNTS = 40;
const MIN_SPAN_FRACTION = 0.02;

export function unload(): void {
  unloadTransient();
}

function reply(id: number, pairs: string[]): void {
  uart.write(0, encodeReplyOk(id, pairs), "\n");
}

function refuse(id: number, reason: string): void {
  uart.write(0, encodeReplyError(id, reason), "\n");
}

/** A whole number within [lo, hi] or NaN. */
function intArg(text: string | undefined, lo: number, hi: number): number {
  if (text === undefined) return 0 / 0;
  const v = parseDecimal(text);
  if (v !== v || v !== Math.floor(v) || v < lo || v > hi) return 0 / 0;
  return v;
}

function channelArg(ctx: AppCtx, text: string): number {
  if (text === "all") return -1;
  const v = intArg(text, 0, ctx.nch - 1);
  if (v === v) return v;
  for (let ch = 0; ch < ctx.nch; ch++) if (ctx.board.channels[ch].name === text) return ch;
  return -2;
}

/** The collector exists only while a tare/capture runs (finishCollect drops it). */
function startCollect(ctx: AppCtx, kind: string, id: number, channel: number, forceN: number, want: number): void {
  const c: Collector = { active: true, kind, cmdId: id, want, n: 0, channel, forceN, stale: false, ref: [], sum: [], sumSq: [], sumD2: [], prev: [] };
  for (let ch = 0; ch < ctx.nch; ch++) {
    c.ref[ch] = 0;
    c.sum[ch] = 0;
    c.sumSq[ch] = 0;
    c.sumD2[ch] = 0;
    c.prev[ch] = 0;
  }
  ctx.collector = c;
  ctx.collecting = true;
}

/** The captured points per channel, made on first use. */
function points(ctx: AppCtx): CapturedPoints[] {
  let p = ctx.points;
  if (p === undefined) {
    p = [];
    for (let ch = 0; ch < ctx.nch; ch++) p[ch] = { counts: [], forceN: [] };
    ctx.points = p;
  }
  return p;
}

/** `keys…`: handed to the signer, which is loaded for it and released unless it has work. */
function keysCommand(ctx: AppCtx, id: number, a: string[]): void {
  const signer = require("signer") as typeof import("./signer.ts");
  if (a[0] === "init") {
    const why = a.length > 2 || (a.length === 2 && a[1] !== "force") ? "usage keys init [force]" : signer.keysInit(ctx, id, a[1] === "force");
    if (why !== "") refuse(id, why);
  } else if (a.length > 0) refuse(id, "usage keys [init [force]]");
  else {
    const info = signer.publicInfo();
    if (info === "") refuse(id, "no key: keys init makes one");
    else uart.write(0, seal(`R,${formatInt(id)},ok,${info}`), "\n");
  }
  signer.releaseIfIdle();
}

export function handleLine(ctx: AppCtx, line: string): void {
  const cmd = decodeCommand(line);
  if (cmd.error !== "") {
    refuse(0, cmd.error);
    return;
  }
  const id = cmd.id;
  const a = cmd.args;
  const name = cmd.name;
  const busy = ctx.collecting;
  if (name === "ping") {
    reply(id, ["ms", formatInt(sampler.counters.lastMs)]);
  } else if (name === "info") {
    const pairs = [
      "fw", ctx.build.version, "build", ctx.build.hash, "board", ctx.board.name, "ch", formatInt(ctx.nch),
      "sps", formatInt(ctx.sps), "cal", ctx.unsaved ? "unsaved" : ctx.calState, "calid", ctx.calId, "caldate", ctx.calDate,
      "stream", ctx.streaming ? "1" : "0", "boot", formatInt(ctx.bootId),
    ];
    // the board definition's channel names ("left", "right"; "total" on a one-pin board)
    for (let ch = 0; ch < ctx.nch; ch++) {
      pairs[pairs.length] = `name${ch}`;
      pairs[pairs.length] = ctx.board.channels[ch].name;
    }
    for (let ch = 0; ch < ctx.nch; ch++) {
      pairs[pairs.length] = `k${ch}`;
      pairs[pairs.length] = formatFixed(ctx.nPerCount[ch], 9);
      pairs[pairs.length] = `z${ch}`;
      pairs[pairs.length] = formatFixed(ctx.zeroCounts[ch], 1);
    }
    reply(id, pairs);
  } else if (name === "tare") {
    const n = a.length > 0 ? intArg(a[0], 8, 1024) : DEFAULT_SAMPLES;
    if (busy) refuse(id, "busy");
    else if (n !== n) refuse(id, "samples must be a whole number 8..1024");
    else startCollect(ctx, "tare", id, -1, 0, n);
  } else if (name === "capture") {
    if (a.length < 2) {
      refuse(id, "usage capture,<channel|all>,<forceN>[,samples]");
      return;
    }
    const ch = channelArg(ctx, a[0]);
    const f = parseDecimal(a[1]);
    const n = a.length > 2 ? intArg(a[2], 8, 1024) : DEFAULT_SAMPLES;
    let cap = 0;
    for (let i = 0; i < ctx.nch; i++) if (ctx.capacityN[i] > cap) cap = ctx.capacityN[i];
    let full = false;
    for (let i = 0; i < ctx.nch; i++) if ((ch === -1 || ch === i) && points(ctx)[i].counts.length >= MAX_CAL_POINTS) full = true;
    if (busy) refuse(id, "busy");
    else if (ch === -2) refuse(id, "unknown channel");
    else if (f !== f || f < -1.5 * cap || f > 1.5 * cap) refuse(id, "force must be a number of N within 1.5 x capacity");
    else if (n !== n) refuse(id, "samples must be a whole number 8..1024");
    else if (full) refuse(id, "too many points (clearpoints)");
    else startCollect(ctx, "capture", id, ch, f, n);
  } else if (name === "fit") {
    if (busy) refuse(id, "busy");
    else fitCommand(ctx, id);
  } else if (name === "save") {
    if (busy) refuse(id, "busy");
    else if (a.length < 2 || !isSafeText(a[0]) || !isSafeText(a[1])) refuse(id, "usage save,<calId>,<date> (1-24 letters digits space - _ . : / +)");
    else saveCommand(ctx, id, a[0], a[1]);
  } else if (name === "clearpoints") {
    let n = 0;
    const p = ctx.points;
    if (p !== undefined) for (let ch = 0; ch < ctx.nch; ch++) n = n + p[ch].counts.length;
    ctx.points = undefined;
    reply(id, ["cleared", formatInt(n)]);
  } else if (name === "rate") {
    const sps = intArg(a[0], 10, 80);
    if (busy) refuse(id, "busy");
    else if (sps !== 10 && sps !== 80) refuse(id, "rate must be 10 or 80");
    else {
      app.setRate(sps);
      reply(id, ["sps", formatInt(sps)]);
    }
  } else if (name === "stream") {
    const on = intArg(a[0], 0, 1);
    if (on !== on) refuse(id, "stream must be 0 or 1");
    else {
      ctx.streaming = on === 1;
      reply(id, ["stream", formatInt(on)]);
    }
  } else if (name === "lifts") {
    const since = intArg(a[0], 0, 999999999);
    if (since !== since) refuse(id, "usage lifts,<sinceId>");
    else {
      let replaying = false;
      for (let i = 0; i < ctx.outbox.length; i++) if (type(ctx.outbox[i]) === "function") replaying = true;
      if (replaying) refuse(id, "busy: a lifts replay is running");
      else {
        const log = require("liftlog") as typeof import("./liftlog.ts");
        ctx.outbox[ctx.outbox.length] = log.replay(ctx, since, (count) => encodeReplyOk(id, ["count", formatInt(count)]));
        ctx.kick();
      }
    }
  } else if (name === "reboot") {
    reply(id, ["restart", "1"]);
    file.remove(STRIKES_FILE);
    tmr.create().alarm(100, tmr.ALARM_SINGLE, () => node.restart());
  } else if (name === "keys") {
    keysCommand(ctx, id, a);
  } else if (name === "prompt") {
    reply(id, ["prompt", "1"]);
    file.remove(STRIKES_FILE);
    app.stopApp();
  } else {
    refuse(id, "unknown command");
  }
}

function fitCommand(ctx: AppCtx, id: number): void {
  let fitted = 0;
  for (let ch = 0; ch < ctx.nch; ch++) {
    const p = points(ctx)[ch];
    if (p.counts.length === 1) {
      refuse(id, `ch${ch} has 1 point: need at least 2`);
      return;
    }
    if (p.counts.length >= 2) {
      let lo = p.forceN[0];
      let hi = lo;
      for (let i = 1; i < p.forceN.length; i++) {
        if (p.forceN[i] < lo) lo = p.forceN[i];
        if (p.forceN[i] > hi) hi = p.forceN[i];
      }
      if (hi - lo < MIN_SPAN_FRACTION * ctx.capacityN[ch]) {
        refuse(id, `span too small on ch${ch}: ${formatFixed(hi - lo, 1)} N < ${formatFixed(MIN_SPAN_FRACTION * ctx.capacityN[ch], 1)} N`);
        return;
      }
      fitted = fitted + 1;
    }
  }
  if (fitted === 0) {
    refuse(id, "need at least 2 points");
    return;
  }
  const pairs: string[] = [];
  const fits = [];
  for (let ch = 0; ch < ctx.nch; ch++) {
    const p = points(ctx)[ch];
    if (p.counts.length < 2) continue;
    const fit = fitCalibration(p.counts, p.forceN);
    if (fit.error !== "") {
      refuse(id, `ch${ch}: ${fit.error}`);
      return;
    }
    fits[ch] = fit;
  }
  for (let ch = 0; ch < ctx.nch; ch++) {
    const fit = fits[ch];
    if (fit === undefined) continue;
    const p = points(ctx)[ch];
    ctx.nPerCount[ch] = fit.nPerCount;
    ctx.zeroCounts[ch] = fit.zeroCounts;
    ctx.fitZeroCounts[ch] = fit.zeroCounts;
    ctx.maxResidualN[ch] = fit.maxAbsResidualN;
    ctx.residualSdN[ch] = fit.residualSdN;
    ctx.calCounts[ch] = p.counts;
    ctx.calForceN[ch] = p.forceN;
    ctx.calResidualN[ch] = fit.residualsN;
    pairs[pairs.length] = `k${ch}`;
    pairs[pairs.length] = formatFixed(fit.nPerCount, 9);
    pairs[pairs.length] = `z${ch}`;
    pairs[pairs.length] = formatFixed(fit.zeroCounts, 1);
    pairs[pairs.length] = `max${ch}`;
    pairs[pairs.length] = formatFixed(fit.maxAbsResidualN, 3);
    pairs[pairs.length] = `sd${ch}`;
    pairs[pairs.length] = formatFixed(fit.residualSdN, 3);
    pairs[pairs.length] = `n${ch}`;
    pairs[pairs.length] = formatInt(fit.points);
  }
  ctx.unsaved = true;
  reply(id, pairs);
}

function saveCommand(ctx: AppCtx, id: number, calId: string, date: string): void {
  let any = false;
  for (let ch = 0; ch < ctx.nch; ch++) if (ctx.nPerCount[ch] !== 0) any = true;
  if (!any) {
    refuse(id, "nothing to save: capture and fit first");
    return;
  }
  const oldId = ctx.calId;
  const oldDate = ctx.calDate;
  ctx.calId = calId;
  ctx.calDate = date;
  const store = require("calstore") as typeof import("./calstore.ts");
  const text = store.fileText(ctx);
  const error = store.save(ctx);
  if (error !== "") {
    ctx.calId = oldId;
    ctx.calDate = oldDate;
    refuse(id, `save failed: ${error}`);
    return;
  }
  reply(id, ["cal", calId, "bytes", formatInt(text.length)]);
}

/** The collector finished (called from a task after the last sample): reply to tare/capture. */
export function finishCollect(ctx: AppCtx): void {
  const c = ctx.collector;
  if (c === undefined) return;
  ctx.collector = undefined;
  const n = c.n;
  if (c.stale) {
    refuse(c.cmdId, "a channel is stale (no conversions): check the wiring");
    return;
  }
  const means: number[] = [];
  const sds: number[] = [];
  for (let ch = 0; ch < ctx.nch; ch++) {
    const m = c.sum[ch] / n;
    let v = (c.sumSq[ch] / n - m * m) * n / (n - 1);
    if (v < 0) v = 0;
    const sd = Math.sqrt(v);
    const noise = Math.sqrt(c.sumD2[ch] / (2 * (n - 1)));
    means[ch] = c.ref[ch] + m;
    sds[ch] = sd;
    const counts = c.kind === "tare" || c.channel < 0 || c.channel === ch;
    if (counts && sd > STABLE_RATIO * noise && sd > STABLE_FLOOR_COUNTS) {
      refuse(c.cmdId, `unstable ch${ch}: sd ${formatFixed(sd, 1)} counts vs noise ${formatFixed(noise, 1)}: wait for the load to settle`);
      return;
    }
  }
  const pairs: string[] = [];
  if (c.kind === "tare") {
    for (let ch = 0; ch < ctx.nch; ch++) {
      ctx.zeroCounts[ch] = means[ch];
      pairs[pairs.length] = `z${ch}`;
      pairs[pairs.length] = formatFixed(means[ch], 1);
      pairs[pairs.length] = `sd${ch}`;
      pairs[pairs.length] = formatFixed(sds[ch], 1);
    }
    const store = require("calstore") as typeof import("./calstore.ts");
    const error = ctx.unsaved ? "calibration not saved yet" : store.save(ctx);
    pairs[pairs.length] = "saved";
    pairs[pairs.length] = error === "" ? "1" : "0";
    reply(c.cmdId, pairs);
    return;
  }
  pairs[0] = "ch";
  pairs[1] = c.channel < 0 ? "all" : formatInt(c.channel);
  for (let ch = 0; ch < ctx.nch; ch++) {
    if (c.channel >= 0 && c.channel !== ch) continue;
    const p = points(ctx)[ch];
    p.counts[p.counts.length] = means[ch];
    p.forceN[p.forceN.length] = c.forceN;
    pairs[pairs.length] = `n${ch}`;
    pairs[pairs.length] = formatInt(p.counts.length);
    pairs[pairs.length] = `c${ch}`;
    pairs[pairs.length] = formatFixed(means[ch], 1);
    pairs[pairs.length] = `sd${ch}`;
    pairs[pairs.length] = formatFixed(sds[ch], 1);
  }
  reply(c.cmdId, pairs);
}

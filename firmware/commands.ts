// The rackcell protocol's command handling (transient: proto-rackcell.ts loads it for each received
// line and releases it, with the protocol codec it uses, right after). Every line gets exactly one reply:
//   R,<id>,ok[,key=value…]  or  R,<id>,err,<reason>;  a line that is not a valid command
//   (no/bad checksum, too long, not C,…) gets R,0,err,<reason> and nothing is done.
// Commands (args after the name, comma separated):
//   ping                          ok,ms=<board ms>
//   info                          ok,fw,build,board,ch,sps,cal,calid,caldate,stream,boot,mode,cvus<i>,name<i>,k<i>,z<i>
//                                 (measured conversion interval µs, channel name, N/count, counts)
//   tare[,samples]                average 8..1024 samples (default 64) per channel (deferred reply):
//                                 ok,z<i>=<counts>,sd<i>=<counts>…,saved=<0|1>; err unstable ch<i>… | busy | stale
//   capture,<ch|all>,<forceN>[,samples]   ch = index, channel name or all (the same force on every pin);
//                                 deferred: ok,ch=<ch>,n<i>=<points>,c<i>=<mean counts>,sd<i>=<counts>…
//   fit                           least squares per channel with points (≥ 2 each, span ≥ 2 % of capacity):
//                                 ok,k<i>,z<i>,max<i>,sd<i>,n<i> per fitted channel; applied at once, saved by save
//   save,<calId>,<date>           write cal.txt atomically: ok,cal=<id>,bytes=<n>
//   clearpoints                   ok,cleared=<n>
//   rate,<10|80>                  ok,sps=<n>: the HX711 RATE pin is wired on the board; this tells the
//                                 firmware (and the emulated board) which rate to expect: period, batch, detector
//   stream,<0|1>                  ok,stream=<0|1>
//   lifts,<sinceId>               E lines with id > sinceId (paced), then ok,count=<n>
//   mode,<rackcell|chronojump>    ok,mode=<mode>: the wire protocol from now on, kept on flash (info shows it); in
//                                 Chronojump mode the board still answers sealed rackcell command lines
//   reboot                        ok, then node.restart()
//   prompt                        ok, then sampling stops and the UART goes back to the Lua prompt
//   keys                          ok,scheme=ed25519,pub=<hex>,board=<chip id>,n=<signed lifts>,prev=<hex>,queue=<n> (hmac-sha256: keyid=<hex>, never the key); err no key (firmware/signer.ts)
//   keys,init[,force]             new device key from node.random (deferred: ok,pub=<hex>,board=<chip id>); err key exists
//   vcert,<id>                    ok,cert=<id>,cal=<cal id>: the verification certificate signed lifts name while this calibration lasts
//   keys,init,hmac[,force]        an HMAC-SHA256 key instead: ok,scheme=hmac-sha256,key=<hex>,keyid=<hex>,board=<chip id> (the one time the key is sent)
//   net[,…]                       the network settings (firmware/netcmd.ts): status, net,<key>,<hex>, net,save, net,off
// info ends with the network's status pairs (net=<0|1>, ssidhex, broker, rack, gym, netstate…: netcmd.ts).
// Over MQTT only the allow-list is taken (shared/protocol/gym-topics.ts REMOTE_COMMANDS; net-link.ts).
import type { AppCtx, CapturedPoints } from "./types/rackcell.d.ts";
import { decodeCommand, encodeReplyError, encodeReplyOk } from "../shared/protocol/messages.ts";
import { formatFixed, formatInt, parseDecimal } from "../shared/protocol/wire-number.ts";
import { fitCalibration } from "../shared/calibration/fit.ts";
import { isSafeText, MAX_CAL_POINTS } from "../shared/board/calfile.ts";
import { buildInfo, sealSuffix } from "./framer.ts";
import { writeLine, paced, pacedSourceBusy } from "./sink.ts";
const DEFAULT_SAMPLES = 64;
const MIN_SPAN_FRACTION = 0.02;

function reply(id: number, pairs: string[]): void {
  writeLine(encodeReplyOk(id, pairs), "", "\n");
}

function refuse(id: number, reason: string): void {
  writeLine(encodeReplyError(id, reason), "", "\n");
}

// A whole number within [lo, hi] or NaN.
function intArg(text: string | undefined, lo: number, hi: number): number {
  if (text === undefined) return 0 / 0;
  const v = parseDecimal(text);
  if (v !== v || v !== Math.floor(v) || v < lo || v > hi) return 0 / 0;
  return v;
}

function channelArg(ctx: AppCtx, text: string): number {
  if (text === "all") return -1;
  const v = intArg(text, 0, ctx.board.nch - 1);
  if (v === v) return v;
  for (let ch = 0; ch < ctx.board.nch; ch++) if (ctx.board.channels[ch].name === text) return ch;
  return -2;
}

function modeOnFlash(): string {
  const store = require("mode") as typeof import("./mode.ts");
  return store.readMode();
}

function startCollect(ctx: AppCtx, kind: string, id: number, channel: number, forceN: number, want: number): void {
  const collect = require("collect") as typeof import("./collect.ts");
  collect.startCollect(ctx, kind, id, channel, forceN, want);
}

// The captured points per channel, made on first use.
function points(ctx: AppCtx): CapturedPoints[] {
  let p = ctx.cal.points;
  if (p === undefined) {
    p = [];
    for (let ch = 0; ch < ctx.board.nch; ch++) p[ch] = { counts: [], forceN: [] };
    ctx.cal.points = p;
  }
  return p;
}

/** A sealed line through the output seam (the signer's deferred reply and records). */
function sendSealed(body: string): void {
  writeLine(body, sealSuffix(body), "\n");
}

/** `keys…`: handed to the signer, which is loaded for it and released unless it has work. */
function keysCommand(ctx: AppCtx, id: number, a: string[]): void {
  const signer = require("signer") as typeof import("./signer.ts");
  if (a[0] === "init") {
    // keys,init[,hmac][,force]: Ed25519 unless hmac is asked for
    const hmac = a[1] === "hmac";
    const force = a[hmac ? 2 : 1] === "force";
    const why = a.length !== 1 + (hmac ? 1 : 0) + (force ? 1 : 0) ? "usage keys init [hmac] [force]" : signer.keysInit(ctx, sendSealed, id, force, hmac);
    if (why !== "") refuse(id, why);
  } else if (a.length > 0) refuse(id, "usage keys [init [hmac] [force]]");
  else {
    const info = signer.publicInfo();
    if (info.length === 0) refuse(id, "no key: keys init makes one");
    else reply(id, info);
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
  const busy = ctx.cal.collector !== undefined;
  const cal = ctx.cal;
  if (name === "ping") {
    reply(id, ["ms", formatInt(ctx.counters.lastMs)]);
  } else if (name === "info") {
    const build = buildInfo();
    const pairs = [
      "fw", build.version, "build", build.hash, "board", ctx.board.name, "ch", formatInt(ctx.board.nch),
      "sps", formatInt(ctx.run.sps), "cal", cal.state, "calid", cal.id, "caldate", cal.date,
      "stream", ctx.run.streaming ? "1" : "0", "boot", formatInt(ctx.bootId), "mode", modeOnFlash(),
    ];
    for (let ch = 0; ch < ctx.board.nch; ch++) {
      pairs[pairs.length] = `cvus${ch}`;
      pairs[pairs.length] = formatInt(ctx.counters.conversionUs[ch]);
    }
    // the board definition's channel names ("left", "right"; "total" on a one-pin board)
    for (let ch = 0; ch < ctx.board.nch; ch++) {
      pairs[pairs.length] = `name${ch}`;
      pairs[pairs.length] = ctx.board.channels[ch].name;
    }
    for (let ch = 0; ch < ctx.board.nch; ch++) {
      pairs[pairs.length] = `k${ch}`;
      pairs[pairs.length] = formatFixed(cal.ch[ch].nPerCount, 9);
      pairs[pairs.length] = `z${ch}`;
      pairs[pairs.length] = formatFixed(cal.ch[ch].zeroCounts, 1);
    }
    // the network: configured or not, ssid, broker, rack, gym, state; never a password
    (require("netcmd") as typeof import("./netcmd.ts")).statusPairs(pairs);
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
    for (let i = 0; i < ctx.board.nch; i++) if (ctx.board.channels[i].capacityN > cap) cap = ctx.board.channels[i].capacityN;
    let full = false;
    for (let i = 0; i < ctx.board.nch; i++) if ((ch === -1 || ch === i) && points(ctx)[i].counts.length >= MAX_CAL_POINTS) full = true;
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
    const p = ctx.cal.points;
    if (p !== undefined) for (let ch = 0; ch < ctx.board.nch; ch++) n = n + p[ch].counts.length;
    ctx.cal.points = undefined;
    reply(id, ["cleared", formatInt(n)]);
  } else if (name === "rate") {
    const sps = intArg(a[0], 10, 80);
    if (busy) refuse(id, "busy");
    else if (sps !== 10 && sps !== 80) refuse(id, "rate must be 10 or 80");
    else {
      ctx.control.setRate(sps);
      reply(id, ["sps", formatInt(sps)]);
    }
  } else if (name === "stream") {
    const on = intArg(a[0], 0, 1);
    if (on !== on) refuse(id, "stream must be 0 or 1");
    else {
      ctx.run.streaming = on === 1;
      reply(id, ["stream", formatInt(on)]);
    }
  } else if (name === "lifts") {
    const since = intArg(a[0], 0, 999999999);
    if (since !== since) refuse(id, "usage lifts,<sinceId>");
    else {
      if (pacedSourceBusy()) refuse(id, "busy: a lifts replay is running");
      else {
        const log = require("liftlog") as typeof import("./liftlog.ts");
        paced(log.replay(ctx, since, (count) => encodeReplyOk(id, ["count", formatInt(count)])));
      }
    }
  } else if (name === "mode") {
    const why = busy ? "busy" : a.length !== 1 ? "usage mode,<rackcell|chronojump>" : ctx.control.setMode(a[0]);
    if (why !== "") refuse(id, why);
    else reply(id, ["mode", a[0]]);
  } else if (name === "reboot") {
    reply(id, ["restart", "1"]);
    ctx.control.restart();
  } else if (name === "keys") {
    keysCommand(ctx, id, a);
  } else if (name === "vcert") {
    const signer = require("signer") as typeof import("./signer.ts");
    const why = a.length !== 1 ? "usage vcert,<verification certificate id>" : signer.setVerificationCert(ctx.cal.id, a[0]);
    if (why !== "") refuse(id, why);
    else reply(id, ["cert", a[0], "cal", ctx.cal.id]);
    signer.releaseIfIdle();
  } else if (name === "net") {
    const net = require("netcmd") as typeof import("./netcmd.ts");
    const [why, pairs] = net.handleNet(ctx, a);
    if (why !== "") refuse(id, why);
    else reply(id, pairs);
  } else if (name === "prompt") {
    reply(id, ["prompt", "1"]);
    ctx.control.stop();
  } else {
    refuse(id, "unknown command");
  }
}

function fitCommand(ctx: AppCtx, id: number): void {
  let fitted = 0;
  for (let ch = 0; ch < ctx.board.nch; ch++) {
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
      const minSpanN = MIN_SPAN_FRACTION * ctx.board.channels[ch].capacityN;
      if (hi - lo < minSpanN) {
        refuse(id, `span too small on ch${ch}: ${formatFixed(hi - lo, 1)} N < ${formatFixed(minSpanN, 1)} N`);
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
  for (let ch = 0; ch < ctx.board.nch; ch++) {
    const p = points(ctx)[ch];
    if (p.counts.length < 2) continue;
    const fit = fitCalibration(p.counts, p.forceN);
    if (fit.error !== "") {
      refuse(id, `ch${ch}: ${fit.error}`);
      return;
    }
    fits[ch] = fit;
  }
  for (let ch = 0; ch < ctx.board.nch; ch++) {
    const fit = fits[ch];
    if (fit === undefined) continue;
    const p = points(ctx)[ch];
    ctx.cal.ch[ch] = {
      nPerCount: fit.nPerCount, zeroCounts: fit.zeroCounts, fitZeroCounts: fit.zeroCounts, maxAbsResidualN: fit.maxAbsResidualN,
      residualSdN: fit.residualSdN, counts: p.counts, forceN: p.forceN, residualsN: fit.residualsN,
    };
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
  ctx.cal.state = "unsaved";
  reply(id, pairs);
}

function saveCommand(ctx: AppCtx, id: number, calId: string, date: string): void {
  let any = false;
  for (let ch = 0; ch < ctx.board.nch; ch++) if (ctx.cal.ch[ch].nPerCount !== 0) any = true;
  if (!any) {
    refuse(id, "nothing to save: capture and fit first");
    return;
  }
  const oldId = ctx.cal.id;
  const oldDate = ctx.cal.date;
  ctx.cal.id = calId;
  ctx.cal.date = date;
  const store = require("calstore") as typeof import("./calstore.ts");
  const text = store.fileText(ctx);
  const error = store.save(ctx);
  if (error !== "") {
    ctx.cal.id = oldId;
    ctx.cal.date = oldDate;
    refuse(id, `save failed: ${error}`);
    return;
  }
  reply(id, ["cal", calId, "bytes", formatInt(text.length)]);
}

// The tare/capture run finished (a task after its last sample): applies it and replies.
export function finishRun(ctx: AppCtx): void {
  const collect = require("collect") as typeof import("./collect.ts");
  const [c, r] = collect.finishCollect(ctx);
  if (c === undefined) return;
  if (r.error !== "") {
    refuse(c.cmdId, r.error);
    return;
  }
  const means = r.means;
  const sds = r.sds;
  const pairs: string[] = [];
  if (c.kind === "tare") {
    for (let ch = 0; ch < ctx.board.nch; ch++) {
      ctx.cal.ch[ch].zeroCounts = means[ch];
      pairs[pairs.length] = `z${ch}`;
      pairs[pairs.length] = formatFixed(means[ch], 1);
      pairs[pairs.length] = `sd${ch}`;
      pairs[pairs.length] = formatFixed(sds[ch], 1);
    }
    const store = require("calstore") as typeof import("./calstore.ts");
    const error = ctx.cal.state === "unsaved" ? "calibration not saved yet" : store.save(ctx);
    pairs[pairs.length] = "saved";
    pairs[pairs.length] = error === "" ? "1" : "0";
    reply(c.cmdId, pairs);
    return;
  }
  pairs[0] = "ch";
  pairs[1] = c.channel < 0 ? "all" : formatInt(c.channel);
  for (let ch = 0; ch < ctx.board.nch; ch++) {
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

// The rackcell line protocol (README "Wire protocol"), one implementation of Protocol
// (types/rackcell.d.ts; this module's table is the Protocol): sealed lines ended by "\n". Resident: frames, heartbeats and the boot
// record are written here; commands are handled by commands.ts, loaded for each line and released.
// Records written here:
//   B,fw=<version>,build=<hash>,board=<name>,boot=<id>,cal=<ok|none|corrupt>,reason=<0..6>,ch=<n>,sps=<10|80>
//   M,<notice>
//   H,up=<s>,heap=<bytes>,drop=<n>,lost0=<n>,unp0=<n>[,lost1…],boot=<id>,sent=<frames>,seq=<last seq>,ms=<board ms>,cvus0=<µs>[,cvus1…]
import type { AppCtx } from "./types/rackcell.d.ts";
import { writeLine } from "./sink.ts";
import { buildInfo, fmtInt, sampleBody, sealSuffix, unloadTransient } from "./framer.ts";
import { nowUs } from "./sampler.ts";
let ctx: AppCtx;

function send(body: string): void {
  writeLine(body, sealSuffix(body), "\n");
}

export function started(calNote: string, bootReason: number): void {
  const build = buildInfo();
  send(`B,fw=${build.version},build=${build.hash},board=${ctx.board.name},boot=${fmtInt(ctx.bootId)},cal=${ctx.cal.state},` +
    `reason=${fmtInt(bootReason)},ch=${fmtInt(ctx.board.nch)},sps=${fmtInt(ctx.run.sps)}`);
  if (calNote !== "") send(`M,${calNote}`);
}

export function line(text: string): void {
  const cmds = require("commands") as typeof import("./commands.ts");
  const [ok] = pcall(cmds.handleLine, ctx, text);
  unloadTransient();
  if (!ok) send("R,0,err,internal error");
}

export function tooLong(): void {
  send("R,0,err,line too long");
}

export function frame(seq: number, _tUs: number, raws: number[], flags: number[], forces: number[], nch: number): void {
  const body = sampleBody(seq, raws, flags, forces, nch);
  writeLine(body, sealSuffix(body), "\n");
}

export function heartbeat(): void {
  const c = ctx.counters;
  let drops = "";
  let dropped = 0;
  let cv = "";
  for (let ch = 0; ch < ctx.board.nch; ch++) {
    drops = `${drops},lost${ch}=${fmtInt(c.lost[ch])},unp${ch}=${fmtInt(c.unpaired[ch])}`;
    dropped = dropped + c.lost[ch] + c.unpaired[ch];
    cv = `${cv},cvus${ch}=${fmtInt(c.conversionUs[ch])}`;
  }
  const last = c.frames === 0 ? "" : fmtInt(c.seq === 0 ? 262143 : c.seq - 1);
  send(`H,up=${fmtInt(tmr.time())},heap=${fmtInt(node.heap())},drop=${fmtInt(dropped)}${drops},` +
    `boot=${fmtInt(ctx.bootId)},sent=${fmtInt(c.sent)},seq=${last},ms=${fmtInt(nowUs() / 1000)}${cv}`);
}

export function collected(): void {
  const cmds = require("commands") as typeof import("./commands.ts");
  cmds.finishRun(ctx);
  unloadTransient();
}

export function lift(sealedLine: string): void {
  writeLine(sealedLine, "", "\n");
  // signed in time slices when the board has a key (firmware/signer.ts; it drops itself at once
  // otherwise), from a task of its own: this callback already wrote the E line and the flash
  const body = string.sub(sealedLine, 1, sealedLine.length - 5);
  node.task.post(0, () => (require("signer") as typeof import("./signer.ts")).enqueue(ctx, send, body));
}

// Binds the protocol to the app's context; the module itself is the Protocol (its table is the one the app keeps).
export function bind(app: AppCtx): void {
  ctx = app;
}

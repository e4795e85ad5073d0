/**
 * Chronojump's force-sensor protocol (GNOME/chronojump's ForceSensor firmware as its desktop
 * program expects it), the second implementation of Protocol (this module's table is it): replies
 * end "\r\n"; while capturing, one line per frame `<µs since start_capture>;<N, 2 decimals>`, the
 * force being the sum of the pins. Frame times are the sampler's unwrapped board times, so sample
 * times never wrap (tmr.now wraps every 2^31 µs ≈ 35.8 min). Commands other than start/end of
 * capture are handled by cj-commands.ts (transient). A sealed rackcell command line (C,…*cccc)
 * goes to rackcell's commands, so the host can always switch back (`mode,rackcell`).
 * Nothing is written at boot, no heartbeats and no lift records (lifts still go to flash).
 */
import type { AppCtx } from "./types/rackcell.d.ts";
import { writeLine } from "./sink.ts";
import { unloadTransient } from "./framer.ts";
import { nowUs } from "./sampler.ts";

let ctx: AppCtx;
/** board time of start_capture: frames measured before it are not sent */
let fromUs = 0;

function reply(text: string): void {
  writeLine(text, "", "\r\n");
}

/** The command: the text before the last ":" ("" when there is none), as Chronojump's firmware reads it. */
function commandName(text: string): string {
  let last = 0;
  let [at] = string.find(text, ":", 1, true);
  while (at !== undefined) {
    last = at;
    [at] = string.find(text, ":", at + 1, true);
  }
  return last === 0 ? "" : string.sub(text, 1, last - 1);
}

export function started(_calNote: string, _bootReason: number): void {
  // Chronojump expects nothing until it asks
}

export function line(text: string): void {
  if (string.sub(text, 1, 2) === "C,") {
    const rackcell = require("commands") as typeof import("./commands.ts");
    pcall(rackcell.handleLine, ctx, text);
    unloadTransient();
    return;
  }
  const name = commandName(text);
  if (name === "start_capture") {
    fromUs = nowUs();
    reply("Starting capture...");
    ctx.run.streaming = true;
  } else if (name === "end_capture") {
    ctx.run.streaming = false;
    reply("Capture ended:");
  } else {
    const cmds = require("cj-commands") as typeof import("./cj-commands.ts");
    const [ok] = pcall(cmds.handle, ctx, name, text);
    unloadTransient();
    if (!ok) reply("Not a valid command");
  }
}

export function tooLong(): void {
  reply("Not a valid command");
}

export function frame(_seq: number, tUs: number, _raws: number[], _flags: number[], forces: number[], nch: number): void {
  if (tUs < fromUs) return;
  let total = 0;
  for (let ch = 0; ch < nch; ch++) {
    const f = forces[ch];
    if (f !== f) return; // uncalibrated or stale: no force to send
    total = total + f;
  }
  if (total > -0.005 && total < 0.005) total = 0; // no "-0.00"
  writeLine(string.format("%d;%.2f", Math.floor(tUs - fromUs), total), "", "\r\n");
}

export function heartbeat(): void {
  // none in this protocol
}

export function collected(): void {
  const cmds = require("cj-commands") as typeof import("./cj-commands.ts");
  pcall(cmds.finishRun, ctx);
  unloadTransient();
}

export function lift(_sealedLine: string): void {
  // on flash already; Chronojump has no lift records
}

/** Binds the protocol to the app's context; capture is off until start_capture. */
export function bind(app: AppCtx): void {
  ctx = app;
  ctx.run.streaming = false;
}

import type { AppCtx } from "./types/rackcell.d.ts";
import type { SignState } from "../shared/crypto/ed25519.ts";

type Ed25519 = typeof import("../shared/crypto/ed25519.ts");

/**
 * A signature computed while the signer itself is not loaded. The signer (firmware/signer.ts: key
 * and chain files, records, commands, ≈ 2 KB of closures in the heap) parks its job here for the
 * ≈ 1,100 slices of curve arithmetic; this module's timer runs them and loads the signer again when
 * the signature is ready. A lift or a command meanwhile loads the signer, which takes the job back
 * first (`take`), so there is one owner at a time.
 */

/** What the signer needs back. Eight fields: the table's hash part has eight slots. */
export interface ParkedJob {
  signing: SignState;
  /** E bodies waiting, oldest first (appended to by the signer only) */
  queue: string[];
  message: string;
  ctx: AppCtx;
  send: (this: void, body: string) => void;
  /** the signature's cost so far, for its M notice */
  startedUs: number;
  slices: number;
  longestSliceUs: number;
}

let job: ParkedJob | undefined;
let timer: NodeMcuTimer | undefined;
/** the signature is ready: the next tick hands it back (loading the signer is a slice of its own) */
let ready = false;

/** µs since t0 on tmr.now()'s 31-bit clock (one wrap at most: a signature takes seconds). */
export function elapsedUs(t0: number): number {
  const d = tmr.now() - t0;
  return d < 0 ? d + 2147483648 : d;
}

/** One slice: one signing step (the curve code stays loaded: crypto_ed25519 in package.loaded). */
function tick(): void {
  const j = job;
  if (j === undefined) return;
  // the signer takes the job back (take) and finishes: records, chain, notice
  if (ready) {
    const t0 = tmr.now();
    (require("signer") as { resume: (this: void, t0: number) => void }).resume(t0);
    return;
  }
  const t0 = tmr.now();
  ready = (require("../shared/crypto/ed25519") as Ed25519).signStep(j.signing);
  const dt = elapsedUs(t0);
  j.slices = j.slices + 1;
  if (dt > j.longestSliceUs) j.longestSliceUs = dt;
}

/** Runs the job from a timer every `sliceMs` until the signature is ready or the signer takes it. */
export function park(j: ParkedJob, sliceMs: number): void {
  job = j;
  const t = tmr.create();
  t.alarm(sliceMs, tmr.ALARM_AUTO, tick);
  timer = t;
}

/** The parked job, if any; its timer stops and the caller owns it from now on. */
export function take(): ParkedJob | undefined {
  if (timer !== undefined) timer.unregister();
  timer = undefined;
  const j = job;
  job = undefined;
  ready = false;
  return j;
}

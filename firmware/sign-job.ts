import type { AppCtx } from "./types/rackcell.d.ts";
import type { SignState } from "../shared/crypto/ed25519.ts";

type Ed25519 = typeof import("../shared/crypto/ed25519.ts");
type Edwards25519 = typeof import("../shared/crypto/edwards25519.ts");

/**
 * A signature computed while the signer itself is not loaded. The signer (firmware/signer.ts: key
 * and chain files, records, commands, ≈ 2 KB of closures in the heap) parks its job here for the
 * ≈ 1,100 slices of curve arithmetic; this module's timer runs them and loads the job's owner again
 * when the signature is ready (by its module name: a function of the owner's would keep it in the
 * heap, and this module needs nothing else of it). A lift or a command meanwhile loads the signer, which takes the job back
 * first (`take`), so there is one owner at a time. During the point multiplication (the state's
 * `mult`) only edwards25519 and the field arithmetic are needed: ed25519 and scalar25519 leave
 * package.loaded (≈ 0.8 KB) and ed25519 is loaded again, in a slice of its own, for the rest.
 */

/** What the signer needs back. Eight fields: the table's hash part has eight slots. */
export interface ParkedJob {
  signing: SignState;
  /** E bodies waiting, oldest first (appended to by the signer only) */
  queue: string[];
  /** Lua module name of the owner, whose `resume(t0)` takes the finished job back */
  owner: string;
  ctx: AppCtx;
  send: (this: void, body: string) => void;
  /** the signature's cost so far, for its M notice */
  startedUs: number;
  slices: number;
  longestSliceUs: number;
}

const CURVE_MODULES = "crypto_ed25519 crypto_edwards25519 crypto_field25519 crypto_scalar25519 lualib_bundle";

let job: ParkedJob | undefined;
let timer: NodeMcuTimer | undefined;
/** the signature is ready: the next tick hands it back (loading the signer is a slice of its own) */
let ready = false;
/** the point is encoded: the next tick hands it to ed25519 (loading it again is a slice of its own) */
let pointReady = false;

/** µs since t0 on tmr.now()'s 31-bit clock (one wrap at most: a signature takes seconds). */
export function elapsedUs(t0: number): number {
  const d = tmr.now() - t0;
  return d < 0 ? d + 2147483648 : d;
}

/** One slice: one signing step. */
function tick(): void {
  const j = job;
  if (j === undefined) return;
  // the signer takes the job back (take) and finishes: records, chain, notice
  const loaded = (_G as unknown as { package: { loaded: Record<string, unknown> } }).package.loaded;
  if (ready) {
    // the curve code is done with: out of the heap before the signer comes back
    const t0 = tmr.now();
    for (const [name] of string.gmatch(CURVE_MODULES, "%S+")) loaded[name] = undefined;
    (require(j.owner) as { resume: (this: void, t0: number) => void }).resume(t0);
    return;
  }
  const t0 = tmr.now();
  const m = j.signing.mult;
  if (m !== undefined && !pointReady) {
    loaded.crypto_ed25519 = undefined;
    loaded.crypto_scalar25519 = undefined;
    const edw = require("../shared/crypto/edwards25519") as Edwards25519;
    pointReady = edw.baseMultStep(m, edw.SLICE_UNITS);
  } else {
    // ed25519 (loaded again after the multiplication) takes the encoded point and goes on
    pointReady = false;
    ready = (require("../shared/crypto/ed25519") as Ed25519).signStep(j.signing);
  }
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
  pointReady = false;
  return j;
}

/**
 * The emulated ESP8266's CPU and clock. Virtual time (`K.now`, µs since power-on) moves only
 * here: with the FIRMWARE's Lua VM instructions executed inside callbacks (~1 µs each), with
 * fixed costs charged by the NodeMCU stand-ins (C code on the board), and by the event loop
 * jumping to the next event. NodeMCU has no pre-emption, so a callback runs to its end; what
 * happens meanwhile (UART bytes arriving, HX711 conversions) is an event stamped with its own
 * time and processed after it, which is what the firmware would observe.
 *
 * How instructions are counted (the CPU core below, plain Lua for exact control):
 * - A coarse count hook (every HOOK_EVERY instructions) on the firmware's thread drives virtual
 *   time, the watchdog and the heap cap. Stand-ins run in a separate coroutine without a hook,
 *   so their own Lua instructions are never counted (Lua 5.1 keeps the hook count per thread).
 * - Where a stand-in needs the exact time (a PD_SCK edge, tmr.now, a UART write…) the wrapper
 *   first "settles": a spin loop runs until the hook fires, and the loop index at that moment says
 *   exactly how many instructions the firmware had executed. After a settle the hook runs with
 *   the short HOOK_FINE period until it next fires (bit-banging settles every few instructions).
 * - The few instructions of the emulator's glue on the firmware's thread (wrappers, the callback
 *   prologue and epilogue, the spin) are known constants and are subtracted, so
 *   `firmware instructions` are the firmware's own VM instructions and nothing else.
 */

import { flush as flushLink } from "./link.ts";
import * as cpuCore from "./cpu";
import { packn } from "./varargs";

/** Instructions between two calls of the coarse count hook (time, watchdog, heap cap). */
export const HOOK_EVERY = 128;
/** The hook's period right after a settle (so the next settle spins only a few instructions). */
export const HOOK_FINE = 64;

export const K = {
  now: 0,
  /** Virtual time of the current boot (tmr.now and system time count from here). */
  bootAt: 0,
  gen: 0,
  instrUs: 1,
  inCallback: false,
  /** Why the running callback must stop ("wdt" | "oom" | "power"); the hook re-raises it. */
  abort: undefined as string | undefined,
  wdtFedAt: 0,
  /** Soft watchdog: a callback may hold the CPU this long (virtual µs) without feeding it. */
  wdtUs: 3_200_000,
  /** Firmware instructions of the running (or last) callback. */
  cbInstr: 0,
  /** All instructions counted on the firmware's thread: the firmware's + the emulator's glue. */
  instrTotal: 0,
  /** The firmware's own instructions (what a board would execute). */
  fwInstrTotal: 0,
  callbacks: 0,
  maxCbInstr: 0,
  lastCbInstr: 0,
  /** Stand-in calls from callbacks, and how many of them settled the instruction count. */
  apiCalls: 0,
  settles: 0,
  /** Heap cap in KB of collectgarbage("count"): baseline + the board's heapBytes. */
  capKb: math.huge,
  baselineKb: 0,
  /**
   * KB the emulator itself keeps on the Lua heap beyond the baseline (a scenario loaded later,
   * cached struct formats, more pending events than ever before): taken off before the firmware
   * is charged, as are the bytes waiting on the RX wire (hooks.transientEmuKb).
   */
  emuKb: 0,
  heapBytes: 44000,
  /**
   * Bytes the board's C code holds for the firmware (WiFi, lwIP, the MQTT client: see
   * nodemcu/c-heap.ts): charged to node.heap() and the heap cap like the firmware's Lua heap.
   */
  cBytes: 0,
  /** Board bytes per host byte of Lua heap (64-bit host objects are bigger than the ESP8266's). */
  heapScale: 1,
  gcOnCap: 0,
  powered: true,
};

/** Board-level reactions, installed by board.ts (kept out of here to avoid require cycles). */
export const hooks = {
  onAbort: (_reason: string) => {},
  onCallbackError: (_msg: string) => {},
  /** KB the emulator holds right now in buffers that come and go (the UART's RX wire). */
  transientEmuKb: (): number => 0,
  /** Called now and then while events run (main.ts: exit when the parent process is gone). */
  poll: () => {},
};

const ABORT_TEXT: Record<string, string> = { wdt: "emu: soft watchdog", oom: "not enough memory", power: "emu: power lost" };

// ---- the CPU: callbacks with a count hook -----------------------------------------------------
export function abortNow(reason: string): never {
  K.abort = reason;
  return error(ABORT_TEXT[reason] ?? reason, 0);
}

/**
 * The hook also fires in the emulator's own code around a callback (the glue before and after
 * the firmware's function, the traceback handler): an abort must never be raised there, only
 * recorded (the next hook call in firmware code raises it, or runFirmware reports it).
 */
const hookRef = { fn: undefined as unknown, co: undefined as unknown };

function inFirmware(): boolean {
  let level = 2;
  for (;;) {
    const f = debug.getinfo(level, "f");
    if (f === undefined) return false;
    if (f.func === hookRef.fn || f.func === hookRef.co) break;
    level += 1;
  }
  const info = debug.getinfo(level + 1, "S");
  if (info === undefined) return false;
  const src = info.source ?? "";
  return string.find(src, "emu_", 1, true)[0] === undefined && string.find(src, "lualib_bundle", 1, true)[0] === undefined;
}

function abortFromHook(reason: string): void {
  K.abort = reason;
  if (inFirmware()) error(ABORT_TEXT[reason] ?? reason, 0);
}

/**
 * The heap as far as the board is concerned (KB of Lua heap): the count less the emulator's
 * ledger, plus what the board's C code holds for the firmware (K.cBytes, board bytes).
 */
export function heapKb(): number {
  return collectgarbage("count") - K.emuKb - hooks.transientEmuKb() + K.cBytes / 1024 / K.heapScale;
}

/**
 * A measurement of what is live: the link's buffers (bytes on their way to Node) written out
 * first, then two full collects. Returns heapKb(). Two: every io.open of the file stand-ins
 * (file.exists of a missing name included) leaves a host file handle, a userdata with a
 * finalizer, which one collect only finalizes and the next frees (≈ 24 B each); on the board
 * file.* is C and leaves nothing in the Lua heap. A signature's first second reads its key,
 * chain and certificate files, and allocates almost nothing after, so the incremental collector
 * left ≈ 0.8 KB of them counted as the signer's.
 */
export function settleHeap(): number {
  flushLink();
  collectgarbage("collect");
  collectgarbage("collect");
  return heapKb();
}

/**
 * Runs `fn` (emulator work that keeps memory beyond the baseline, e.g. loading a scenario) and
 * adds what it kept to the ledger (and returns it): a full collect before and after (for rare operations).
 */
export function ledgerCollected(fn: (this: void) => void): number {
  collectgarbage("collect");
  const k0 = collectgarbage("count");
  fn();
  collectgarbage("collect");
  const kb = collectgarbage("count") - k0;
  K.emuKb += kb;
  return kb;
}

/**
 * Runs `fn` with the collector stopped and returns the KB it allocated (exact: nothing is freed
 * meanwhile), which the caller adds to the ledger (and takes off again when it lets go).
 */
export function ledgerAllocated(fn: (this: void) => void): number {
  collectgarbage("stop");
  const k0 = collectgarbage("count");
  fn();
  const kb = collectgarbage("count") - k0;
  collectgarbage("restart");
  return kb;
}

let lastCapGc = -1e18;
/** Floating garbage (KB) tolerated above the cap before a full collect (learnt, ≤ the max). */
let capAllowKb = 64;
const CAP_ALLOW_MAX_KB = 512;
/** Over the cap, a full collect at least this often (virtual µs) even within the allowance. */
const CAP_RECHECK_US = 2_000_000;

/**
 * Full collect when over the cap; still over → the board is out of memory. The count includes
 * garbage not yet collected (the emulator's and the firmware's), so a full collect (≈1 ms) runs
 * only when the count is over the cap by more than the garbage the last full collect found
 * (× 1.5, at most CAP_ALLOW_MAX_KB), or every CAP_RECHECK_US of virtual time while over it: an
 * over-allocating firmware is caught at once when it allocates fast, within 2 s when slowly.
 */
export function checkHeap(): void {
  const kb = heapKb();
  if (kb <= K.capKb) return;
  if (kb < K.capKb + capAllowKb && K.now - lastCapGc < CAP_RECHECK_US) return;
  lastCapGc = K.now;
  K.gcOnCap += 1;
  const live = settleHeap();
  capAllowKb = Math.min(CAP_ALLOW_MAX_KB, Math.max(64, (kb - live) * 1.5));
  if (live > K.capKb && K.inCallback) abortFromHook("oom");
}

/** The hook's rare paths: an abort to (re-)raise, the watchdog, the heap cap. */
function hookSlow(this: void): void {
  if (K.abort !== undefined) abortFromHook(K.abort);
  else if (K.now - K.wdtFedAt > K.wdtUs) abortFromHook("wdt");
  else checkHeap();
}

/**
 * The CPU core, in plain Lua: instruction counts depend on the exact bytecode of this glue (Lua
 * 5.1's compiler is deterministic), and the constants below are its instruction counts (checked
 * by the tests in board.test.ts: "instruction attribution").
 *
 * Counting. Lua 5.1 decrements a thread's hook count before each VM instruction and calls the
 * hook when it reaches 0; the hook's own instructions decrement it too, so the hook re-arms
 * itself last (`return sethook(...)`: one RETURN executes after the re-arm). `raw` is every
 * instruction of the firmware's thread outside the hook; `ovh` the emulator's glue among them.
 * Glue is committed in advance (never later than it runs), so raw − ovh never overestimates the
 * firmware's instructions and virtual time never runs ahead; at a settle it is exact.
 *
 * Settle. `settle()` sets `settling` and spins `for i = 1, spinLimit do end` (one FORLOOP per
 * iteration). The hook, finding `settling`, knows exactly which instruction of settle() it
 * interrupted — from the loop index (a local it reads with debug.getlocal, no allocation) or, in
 * the rare prefix cases, from the line (each prefix instruction is on its own line) — stops the
 * loop (limit := −1) and so knows the firmware's exact count at the moment settle() was called.
 *
 * Stand-ins. Each NodeMCU function is a tiny wrapper on the firmware's thread that resumes the
 * stand-in coroutine `srv` (no hook: its instructions are free) with the stand-in's server-side
 * function (commits the wrapper's glue, charges the call's fixed cost, runs the implementation).
 * An error kills `srv`: a new one is made and the error re-raised on the firmware's thread.
 */

/**
 * Glue instruction counts of the core above (see its luac listing): PRE = what is committed
 * in advance for the next stand-in call (the longest head); HEAD_T = a timed wrapper's
 * instructions before settle() starts (GETUPVAL busy, TEST, GETUPVAL settle, CALL: a TEST and
 * its JMP are one instruction), which the epilogue matches (TAILCALL finish, its padding,
 * GETUPVAL settle, CALL); REST_T = a timed wrapper's instructions after settle() (4 GETUPVAL,
 * VARARG, CALL resume, TAILCALL after, and after()'s LOADBOOL SETUPVAL TEST VARARG RETURN);
 * PLAIN = all of a plain wrapper's (8 up to resume + 6); PRO = the prologue's after sethook (5 in run, 14 in tramp up
 * to its TAILCALL into the firmware's function).
 */
const GLUE = { PRE: 8, HEAD_T: 4, REST_T: 12, PLAIN: 14, PRO: 19 };

type Fn = (this: void, ...a: unknown[]) => unknown;
if (cpuCore.SPIN_LIMIT !== HOOK_EVERY + 64) error(`emu: CPU core: cpu.lua's spin limit ${cpuCore.SPIN_LIMIT} is not HOOK_EVERY + 64`, 0);
const [cpuHook, cpuCoHook, mkPlain, mkTimed, mkServerSide, cpuRun, cpuCounts, setLines, setHandler, cpuAttach, setInstrUs] =
  (cpuCore.create as unknown as (this: void, ...a: unknown[]) => LuaMultiReturn<[Fn, Fn, Fn, Fn, Fn, Fn, () => LuaMultiReturn<[number, number]>, Fn, Fn, Fn, Fn]>)(
    K, collectgarbage, debug.sethook, debug.getlocal, debug.setlocal, debug.getinfo, coroutine.resume, coroutine.yield, coroutine.create,
    error, xpcall, hookSlow, HOOK_EVERY, HOOK_FINE, GLUE);
hookRef.fn = cpuHook;
const runHooked = cpuRun as unknown as (this: void, f: unknown, a: unknown, b: unknown, c: unknown) => LuaMultiReturn<unknown[]>;
hookRef.co = cpuCoHook;
{
  const marks = cpuCore.markedLines();
  for (const m of ["loop", "init", "limit", "step", "prep"] as const) if (marks[m] === undefined) error(`emu: CPU core: no --@${m} in cpu.lua`, 0);
  setLines(marks.loop, marks.init, marks.limit, marks.step, marks.prep);
}

export function setInstructionUs(us: number): void {
  K.instrUs = us;
  setInstrUs(us);
}

export function feedWatchdog(): void {
  K.wdtFedAt = K.now;
}

/** Charge a NodeMCU call's fixed cost (C code time) to the running callback. */
export function cost(us: number): void {
  K.now += us;
}

/** Wait (busy) inside a callback: time passes, the watchdog keeps counting. */
export function busyUntil(t: number): void {
  if (t > K.now) K.now = t;
  if (K.inCallback && K.now - K.wdtFedAt > K.wdtUs) abortNow("wdt");
}

/** Firmware coroutines get the count hook too (hooks are per thread in Lua 5.1). */
export function attachHook(co: LuaThread): void {
  cpuAttach(co);
}

/** Only frames of the firmware, as the board's traceback would show them. */
export function firmwareTraceback(msg: unknown, level: number): string {
  const tb = debug.traceback(tostring(msg), level + 1);
  const out: string[] = [];
  // Innermost frames first: everything from the first emulator frame on is the emulator's.
  for (const [line] of string.gmatch(tb, "([^\n]*)")) {
    if (line === "") continue;
    if (string.find(line, "emu_", 1, true)[0] !== undefined) break;
    if (string.find(line, "lualib_bundle", 1, true)[0] !== undefined) break;
    if (string.find(line, "in function 'xpcall'", 1, true)[0] !== undefined) break;
    out.push(line);
  }
  // The firmware function was entered by a tail call from the emulator (so it has no name).
  if (out.length > 0 && string.find(out[out.length - 1], "(tail call)", 1, true)[0] !== undefined) out.length = out.length - 1;
  return out.join("\n");
}

setHandler((msg: unknown) => firmwareTraceback(msg, 3));

export type CallbackOutcome = "ok" | "error" | "abort";

/**
 * Runs firmware code the way NodeMCU's luaL_pcallx does: protected, with a traceback; the count
 * hook charges its instructions and enforces the watchdog and the heap cap. `mode` "callback"
 * reports errors to the board (node.onerror / restart); "interactive" returns them.
 */
export function runFirmware(fn: (this: void, ...args: unknown[]) => unknown, mode: "callback" | "interactive",
  a?: unknown, b?: unknown, c?: unknown): LuaMultiReturn<[CallbackOutcome, unknown[]]> {
  if (!K.powered) return $multi("abort", []);
  const nested = K.inCallback;
  if (!nested) {
    K.inCallback = true;
    K.wdtFedAt = K.now;
  }
  if (mode === "callback") {
    // No tables: a callback's results are dropped (every allocation here counts as heap).
    const [ok, e] = runHooked(fn, a, b, c);
    if (!nested) endCallback();
    if (K.abort !== undefined) return aborted(nested);
    if (ok !== true) {
      hooks.onCallbackError(tostring(e));
      return $multi("error", NONE);
    }
    return $multi("ok", NONE);
  }
  const res = packn(...runHooked(fn, a, b, c)) as unknown as { n: number } & Record<number, unknown>;
  if (!nested) endCallback();
  if (K.abort !== undefined) return aborted(nested);
  if (res[1] !== true) return $multi("error", [res[2]]);
  // Results as {n = count, ...} (Lua indices): trailing nils are kept.
  const results = { n: res.n - 1 } as { n: number } & Record<number, unknown>;
  for (let i = 2; i <= res.n; i++) results[i - 1] = res[i];
  return $multi("ok", results as unknown as unknown[]);
}

const NONE: unknown[] = [];

function endCallback(): void {
  K.inCallback = false;
  const [raw, fw] = cpuCounts();
  K.callbacks += 1;
  K.instrTotal += raw;
  K.fwInstrTotal += fw;
  K.cbInstr = fw;
  K.lastCbInstr = fw;
  if (fw > K.maxCbInstr) K.maxCbInstr = fw;
}

function aborted(nested: boolean): LuaMultiReturn<[CallbackOutcome, unknown[]]> {
  if (nested) return error(ABORT_TEXT[K.abort as string] ?? K.abort, 0);
  const reason = K.abort as string;
  K.abort = undefined;
  hooks.onAbort(reason);
  return $multi("abort", NONE);
}



/**
 * A NodeMCU function (C on the board): its own Lua instructions are not the firmware's and cost
 * nothing; `costUs` of virtual time is charged instead. `timed` (the default) settles the
 * instruction count first, so the stand-in sees the exact virtual time (needed wherever time
 * matters: GPIO edges, tmr, UART); pure computations (bit, struct, encoder…) pass false.
 * Stand-ins must not call each other through these wrappers (a nested call runs directly).
 */
export function api<F>(impl: F, costUs = 2, timed = true): F {
  const server = mkServerSide(impl, costUs, timed);
  return (timed ? mkTimed(server, impl) : mkPlain(server, impl)) as F;
}

/**
 * Raise an error from inside a stand-in (NodeMCU's C functions raise with luaL_error, whose
 * position of a C frame is empty: level 0). The wrapper re-raises it on the firmware's thread.
 */
export function apiError(msg: string, level = 0): never {
  return error(msg, level);
}

/** A stand-in whose result does not depend on time (bit, struct, encoder, crypto): no settle. */
export function apiPure<F>(impl: F, costUs = 2): F {
  return api(impl, costUs, false);
}

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

/** Event handler: `arg` and `arg2` as given to schedule(), `t` the event's time. */
export type EvFn = (this: void, arg: any, t: number, arg2: any) => void;

/**
 * A scheduled event. `gen` ties board events to one boot; -1 = survives resets (the wire).
 * Event objects are reused (a free list): the queue makes no garbage on the Lua heap, whose
 * count is the board's heap measurement.
 */
interface Ev {
  t: number;
  p: number;
  s: number;
  gen: number;
  fn: EvFn | undefined;
  arg: unknown;
  arg2: unknown;
}

export const PRIO_HIGH = 0;
export const PRIO_MED = 1;
export const PRIO_LOW = 2;
/** Interrupts (UART RX, GPIO edges) run before tasks due at the same time. */
export const PRIO_ISR = -1;

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

// ---- event queues: binary heaps keyed (t, priority, sequence) -------------------------------
// Interrupts and tasks are kept apart: an interrupt that fell due while a callback held the CPU
// really ran during it (interrupts pre-empt Lua), so once the callback ends every such interrupt
// runs before any task, even a task posted earlier.
type Heap = Ev[];
const isrQ: Heap = [];
const taskQ: Heap = [];
const evFree: Ev[] = [];
let seq = 0;
// Allocated once, before any heap baseline: the queues' slots and a pool of event objects.
for (let i = 0; i < 128; i++) {
  const ev: Ev = { t: 0, p: 0, s: 0, gen: 0, fn: undefined, arg: undefined, arg2: undefined };
  evFree.push(ev);
  isrQ.push(ev);
  taskQ.push(ev);
}
isrQ.length = 0; // (the array part keeps its slots)
taskQ.length = 0;

function less(a: Ev, b: Ev): boolean {
  if (a.t !== b.t) return a.t < b.t;
  if (a.p !== b.p) return a.p < b.p;
  return a.s < b.s;
}

function push(q: Heap, ev: Ev): void {
  q.push(ev);
  let i = q.length - 1;
  while (i > 0) {
    const parent = Math.floor((i - 1) / 2);
    if (!less(q[i], q[parent])) break;
    const tmp = q[i];
    q[i] = q[parent];
    q[parent] = tmp;
    i = parent;
  }
}

function pop(q: Heap): Ev | undefined {
  const n = q.length;
  if (n === 0) return undefined;
  const top = q[0];
  const last = q[n - 1];
  q.length = n - 1;
  if (n > 1) {
    q[0] = last;
    let i = 0;
    const m = n - 1;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < m && less(q[l], q[best])) best = l;
      if (r < m && less(q[r], q[best])) best = r;
      if (best === i) break;
      const tmp = q[i];
      q[i] = q[best];
      q[best] = tmp;
      i = best;
    }
  }
  return top;
}

export function schedule(t: number, p: number, fn: EvFn, arg?: unknown, gen = K.gen, arg2?: unknown): void {
  seq += 1;
  let ev = evFree.pop();
  if (ev === undefined) {
    // More events pending than ever before: the new one stays in the pool (the emulator's memory).
    let made: Ev | undefined;
    K.emuKb += ledgerAllocated(() => { made = { t, p, s: seq, gen, fn, arg, arg2 }; });
    ev = made as Ev;
  } else {
    ev.t = t;
    ev.p = p;
    ev.s = seq;
    ev.gen = gen;
    ev.fn = fn;
    ev.arg = arg;
    ev.arg2 = arg2;
  }
  push(p === PRIO_ISR ? isrQ : taskQ, ev);
}

/** schedule() for this boot with two payloads (no table needed to pass them). */
export function schedule2(t: number, p: number, fn: EvFn, arg: unknown, arg2: unknown): void {
  schedule(t, p, fn, arg, K.gen, arg2);
}

/** A task posted now (NodeMCU's task queue, three priorities). */
export function post(p: number, fn: EvFn, arg?: unknown, arg2?: unknown): void {
  schedule(K.now, p, fn, arg, K.gen, arg2);
}

/** Drops every event of the current boot (a reset): the wire's events (gen -1) stay. */
export function newGeneration(): void {
  K.gen += 1;
  for (const q of [isrQ, taskQ]) {
    const keep = q.filter((e) => e.gen === -1);
    q.length = 0;
    for (const e of keep) push(q, e);
  }
}

let pollEvents = 0;

/** Runs every event due up to `target`; virtual time ends at max(target, where a callback overran to). */
export function runUntil(target: number): void {
  for (;;) {
    pollEvents += 1;
    if (pollEvents >= 512) {
      pollEvents = 0;
      hooks.poll();
    }
    let i: Ev | undefined = isrQ[0];
    let tk: Ev | undefined = taskQ[0];
    if (i !== undefined && i.t > target) i = undefined;
    if (tk !== undefined && tk.t > target) tk = undefined;
    let q: Heap;
    if (i !== undefined && (i.t <= K.now || tk === undefined || !less(tk, i))) q = isrQ;
    else if (tk !== undefined) q = taskQ;
    else break;
    const top = pop(q) as Ev;
    const fn = top.fn as EvFn;
    const arg = top.arg;
    const arg2 = top.arg2;
    const t = top.t;
    const live = top.gen === -1 || top.gen === K.gen;
    top.fn = undefined;
    top.arg = undefined;
    top.arg2 = undefined;
    evFree.push(top);
    if (!live) continue;
    if (t > K.now) K.now = t;
    fn(arg, t, arg2);
  }
  if (K.now < target) K.now = target;
}


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

/** The Lua heap as far as the board is concerned (KB): the count less the emulator's ledger. */
export function heapKb(): number {
  return collectgarbage("count") - K.emuKb - hooks.transientEmuKb();
}

/**
 * A measurement of what is live: the link's buffers (bytes on their way to Node) written out
 * first, then a full collect. Returns heapKb().
 */
export function settleHeap(): number {
  flushLink();
  collectgarbage("collect");
  return heapKb();
}

/**
 * Runs `fn` (emulator work that keeps memory beyond the baseline, e.g. loading a scenario) and
 * adds what it kept to the ledger: a full collect before and after (for rare operations).
 */
export function ledgerCollected(fn: (this: void) => void): void {
  collectgarbage("collect");
  const k0 = collectgarbage("count");
  fn();
  collectgarbage("collect");
  K.emuKb += collectgarbage("count") - k0;
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
const CPU_LUA = [
  "local K, cg, sethook, getlocal, setlocal, getinfo, resume, yield, cocreate, err, xpcall, slow, P, PF, L = ...",
  "local cur, hpost = P, 0",
  "local armed, settling, busy = false, false, false",
  `local spinLimit = ${HOOK_EVERY + 64}`,
  "local raw, ovh, fwSeen, settlePost = 0, 0, 0, 0",
  "local srv, hook, coHook, handlerImpl",
  "local instrUs, heapEvery = 1, 0",
  "local PRE, HEAD_T, REST_T, PLAIN, PRO = L.PRE, L.HEAD_T, L.REST_T, L.PLAIN, L.PRO",
  "local L_INIT, L_LIMIT, L_STEP, L_PREP, L_LOOP = 0, 0, 0, 0, 0",
  "local function settle()",
  "  if not armed then return end",
  "  settling = true",
  "  for i = --@loop",
  "    1 --@init",
  "    ,",
  "    spinLimit --@limit",
  "    ,",
  "    1 --@step",
  "  do end --@prep",
  "  settling = false",
  `  spinLimit = ${HOOK_EVERY + 64}`,
  "end",
  "hook = function()",
  "  local n = cur - hpost",
  "  local nxt = P",
  "  if settling then",
  "    settling = false",
  "    spinLimit = -1",
  "    local name, idx = getlocal(2, 1)",
  "    setlocal(2, 2, -1)",
  "    local s",
  // settle()'s executed instructions, in order (a TEST and its JMP are one instruction in 5.1):
  // GETUPVAL TEST LOADBOOL SETUPVAL (4), LOADK init (5), GETUPVAL limit (6), LOADK step (7),
  // FORPREP (8), FORLOOP #m (8 + m), then LOADBOOL SETUPVAL LOADK SETUPVAL RETURN (5). The loop
  // index is 0 after FORPREP, +1 per FORLOOP; FORPREP sees the init value 1, as does FORLOOP #2.
  "    if name == '(for index)' and idx ~= 1 then",
  "      s = 9 + idx",
  "      settlePost = 5",
  "    else",
  "      local line = getinfo(2, 'l').currentline",
  "      if line == L_LOOP then s = 10 settlePost = 5",
  "      else",
  "        if line == L_PREP then s = 8 elseif line == L_STEP then s = 7 elseif line == L_LIMIT then s = 6 else s = 5 end",
  "        settlePost = 14 - s",
  "      end",
  "    end",
  "    ovh = ovh - PRE + HEAD_T + s",
  "    nxt = PF",
  "    K.settles = K.settles + 1",
  "  end",
  "  raw = raw + n",
  "  local fw = raw - ovh",
  "  if fw > fwSeen then",
  "    local now = K.now + (fw - fwSeen) * instrUs",
  "    K.now = now",
  "    fwSeen = fw",
  "    if now - K.wdtFedAt > K.wdtUs then slow() end",
  "  end",
  // The heap at every coarse period, and every 16th settle (bit-banging settles very often).
  "  heapEvery = heapEvery + 1",
  "  if nxt == P or heapEvery >= 16 then",
  "    heapEvery = 0",
  "    if K.abort ~= nil or cg('count') - K.emuKb > K.capKb then slow() end",
  "  end",
  "  cur = nxt",
  "  hpost = 1",
  "  return sethook(hook, '', nxt)",
  "end",
  // Firmware coroutines (rare): counted in whole periods, no settling of their own.
  "coHook = function()",
  "  if settling then settling = false spinLimit = -1 setlocal(2, 2, -1) end",
  "  raw = raw + P - 1",
  "  K.now = K.now + (P - 1) * instrUs",
  "  fwSeen = fwSeen + P - 1",
  "  if K.abort ~= nil or K.now - K.wdtFedAt > K.wdtUs then slow() end",
  "  return sethook(coHook, '', P)",
  "end",
  "local function serve(f, ...)",
  "  return serve(yield(f(...)))",
  "end",
  "local function newServer()",
  "  srv = cocreate(serve)",
  "  sethook(srv)", // a new thread inherits its creator's hook
  "end",
  "newServer()",
  "local function raise(e)",
  "  busy = false",
  "  newServer()",
  "  return err(e, 0)",
  "end",
  "local function after(ok, ...)",
  "  busy = false",
  "  if ok then return ... end",
  "  return raise(...)",
  "end",
  "local function mkPlain(f, impl)",
  "  return function(...)",
  "    if busy then return impl(...) end",
  "    return after(resume(srv, f, ...))",
  "  end",
  "end",
  "local function mkTimed(f, impl)",
  "  return function(...)",
  "    if busy then return impl(...) end",
  "    settle()",
  "    return after(resume(srv, f, ...))",
  "  end",
  "end",
  "local function mkServerSide(impl, costUs, timed)",
  "  if timed then",
  "    return function(...)",
  "      busy = true",
  "      if armed then",
  "        ovh = ovh + settlePost + REST_T + PRE",
  "        settlePost = 0",
  "        K.apiCalls = K.apiCalls + 1",
  "      end",
  "      K.now = K.now + costUs",
  "      return impl(...)",
  "    end",
  "  end",
  "  return function(...)",
  "    busy = true",
  "    if armed then",
  "      ovh = ovh + PLAIN",
  "      K.apiCalls = K.apiCalls + 1",
  "    end",
  "    K.now = K.now + costUs",
  "    return impl(...)",
  "  end",
  "end",
  "local F, A1, A2, A3",
  "local function tramp()",
  "  local f, a, b, c = F, A1, A2, A3",
  "  F, A1, A2, A3 = nil, nil, nil, nil",
  "  return f(a, b, c)",
  "end",
  "local function handler(e)",
  "  if armed then",
  "    if K.abort == nil then settle() end",
  "    sethook()",
  "    armed = false",
  "  end",
  "  local tb = handlerImpl(e)",
  "  return tb",
  "end",
  "local function finish(...)",
  "  local _ = busy", // padding: TAILCALL finish + GETUPVAL + GETUPVAL settle + CALL = HEAD_T
  "  settle()",
  "  sethook()",
  "  armed = false",
  "  return ...",
  "end",
  "local function run(f, a, b, c)",
  "  if armed then return xpcall(function() return f(a, b, c) end, handlerImpl) end", // nested: already counted
  "  F, A1, A2, A3 = f, a, b, c",
  "  raw, fwSeen, settlePost, ovh = 0, 0, 0, PRO + PRE",
  "  cur, hpost = P, 0",
  "  armed = true",
  "  sethook(hook, '', P)",
  "  return finish(xpcall(tramp, handler))",
  "end",
  "local function counts() return raw, raw - ovh end",
  "local function setLines(a, b, c, d, e) L_LOOP, L_INIT, L_LIMIT, L_STEP, L_PREP = a, b, c, d, e end",
  "local function setHandler(h) handlerImpl = h end",
  "local function attach(co) sethook(co, coHook, '', P) end",
  "local function setInstrUs(us) instrUs = us end",
  "return hook, coHook, mkPlain, mkTimed, mkServerSide, run, counts, setLines, setHandler, attach, setInstrUs",
];

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
const [cpuChunk, cpuErr] = loadstring(CPU_LUA.join("\n"), "=emu_kernel_cpu");
if (cpuChunk === undefined) error(`emu: CPU core: ${cpuErr}`, 0);
const [cpuHook, cpuCoHook, mkPlain, mkTimed, mkServerSide, cpuRun, cpuCounts, setLines, setHandler, cpuAttach, setInstrUs] =
  (cpuChunk as unknown as (this: void, ...a: unknown[]) => LuaMultiReturn<[Fn, Fn, Fn, Fn, Fn, Fn, () => LuaMultiReturn<[number, number]>, Fn, Fn, Fn, Fn]>)(
    K, collectgarbage, debug.sethook, debug.getlocal, debug.setlocal, debug.getinfo, coroutine.resume, coroutine.yield, coroutine.create,
    error, xpcall, hookSlow, HOOK_EVERY, HOOK_FINE, GLUE);
hookRef.fn = cpuHook;
const runHooked = cpuRun as unknown as (this: void, f: unknown, a: unknown, b: unknown, c: unknown) => LuaMultiReturn<unknown[]>;
hookRef.co = cpuCoHook;
{
  const line = (mark: string): number => {
    for (let i = 0; i < CPU_LUA.length; i++) if (string.find(CPU_LUA[i], mark, 1, true)[0] !== undefined) return i + 1;
    return error(`emu: CPU core: no ${mark}`, 0);
  };
  setLines(line("--@loop"), line("--@init"), line("--@limit"), line("--@step"), line("--@prep"));
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

const [helperChunk] = loadstring(`
local select, unpack, tostring, type, concat, char, floor, error = select, unpack, tostring, type, table.concat, string.char, math.floor, error
-- {n = count, ...}: keeps trailing nils (a chunk returning nil prints "nil" at the prompt).
local function packn(...) return { n = select("#", ...), ... } end
local function calln(f, t, n) return f(unpack(t, 1, n)) end
-- tostring of every argument joined by sep: no table for up to three (print's usual case).
local function joinArgs(sep, ...)
  local n = select("#", ...)
  if n == 1 then return tostring((...)) end
  if n == 2 then local a, b = ... return tostring(a) .. sep .. tostring(b) end
  if n == 3 then local a, b, c = ... return tostring(a) .. sep .. tostring(b) .. sep .. tostring(c) end
  if n == 0 then return "" end
  local t = { ... }
  for i = 1, n do t[i] = tostring(t[i]) end
  return concat(t, sep, 1, n)
end
-- uart.write's items: strings, or numbers 0..255 as bytes.
local function item(v)
  if type(v) == "string" then return v end
  if type(v) == "number" then
    local b = floor(v)
    if b < 0 or b > 255 then return error("invalid number", 0) end
    return char(b)
  end
  return error("bad argument to 'write' (string expected)", 0)
end
local function uartBytes(...)
  local n = select("#", ...)
  if n == 1 then return item((...)) end
  if n == 2 then local a, b = ... return item(a) .. item(b) end
  if n == 3 then local a, b, c = ... return item(a) .. item(b) .. item(c) end
  if n == 0 then return "" end
  local t = { ... }
  for i = 1, n do t[i] = item(t[i]) end
  return concat(t, "", 1, n)
end
return packn, calln, joinArgs, uartBytes`, "=emu_kernel_helpers");
const [packn, calln_, joinArgs_, uartBytes_] = (helperChunk as unknown as (this: void) => LuaMultiReturn<[
  (this: void, ...a: unknown[]) => unknown, (this: void, f: unknown, t: unknown, n: number) => unknown,
  (this: void, sep: string, ...a: unknown[]) => string, (this: void, ...a: unknown[]) => string]>)();

/** f(t[1], ..., t[n]), nils included. */
export const calln = calln_;
/** tostring() of each argument, joined by `sep` (print's line), without a table for ≤ 3. */
export const joinArgs = joinArgs_;
/** uart.write's items as one string (numbers are bytes), without a table for ≤ 3. */
export const uartBytes = uartBytes_;

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

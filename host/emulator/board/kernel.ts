/**
 * The emulated ESP8266's CPU and clock. Virtual time (`K.now`, µs since power-on) moves only
 * here: with Lua VM instructions executed inside firmware callbacks (a count hook, ~1 µs per
 * instruction), with fixed costs charged by the NodeMCU stand-ins, and by the event loop
 * jumping to the next event. NodeMCU has no pre-emption, so a callback runs to its end; what
 * happens meanwhile (UART bytes arriving, HX711 conversions) is an event stamped with its own
 * time and processed after it, which is what the firmware would observe.
 */

/** A scheduled event. `gen` ties board events to one boot; -1 = survives resets (the wire). */
interface Ev {
  t: number;
  p: number;
  s: number;
  gen: number;
  fn: (this: void, arg: unknown, t: number) => void;
  arg: unknown;
}

export const PRIO_HIGH = 0;
export const PRIO_MED = 1;
export const PRIO_LOW = 2;
/** Interrupts (UART RX, GPIO edges) run before tasks due at the same time. */
export const PRIO_ISR = -1;

/** Instructions between two calls of the count hook (the brief asks for ≤ 16). */
export const HOOK_EVERY = 16;

export const K = {
  now: 0,
  /** Virtual time of the current boot (tmr.now and system time count from here). */
  bootAt: 0,
  gen: 0,
  instrUs: 1,
  /** Set while a NodeMCU stand-in runs: C code on the board, so its Lua instructions are free. */
  inApi: false,
  inCallback: false,
  /** Why the running callback must stop ("wdt" | "oom" | "power"); the hook re-raises it. */
  abort: undefined as string | undefined,
  wdtFedAt: 0,
  /** Soft watchdog: a callback may hold the CPU this long (virtual µs) without feeding it. */
  wdtUs: 3_200_000,
  cbInstr: 0,
  instrTotal: 0,
  callbacks: 0,
  maxCbInstr: 0,
  lastCbInstr: 0,
  /** Heap cap in KB of collectgarbage("count"): baseline + the board's heapBytes. */
  capKb: math.huge,
  baselineKb: 0,
  heapBytes: 44000,
  /** Board bytes per host byte of Lua heap (64-bit host objects are bigger than the ESP8266's). */
  heapScale: 1,
  gcOnCap: 0,
  powered: true,
  /** Virtual µs charged per hook call (HOOK_EVERY instructions). */
  hookStepUs: HOOK_EVERY,
};

/** Board-level reactions, installed by board.ts (kept out of here to avoid require cycles). */
export const hooks = {
  onAbort: (_reason: string) => {},
  onCallbackError: (_msg: string) => {},
};

const ABORT_TEXT: Record<string, string> = { wdt: "emu: soft watchdog", oom: "not enough memory", power: "emu: power lost" };

// ---- event queues: binary heaps keyed (t, priority, sequence) -------------------------------
// Interrupts and tasks are kept apart: an interrupt that fell due while a callback held the CPU
// really ran during it (interrupts pre-empt Lua), so once the callback ends every such interrupt
// runs before any task, even a task posted earlier.
type Heap = Ev[];
const isrQ: Heap = [];
const taskQ: Heap = [];
let seq = 0;

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

export function schedule(t: number, p: number, fn: (this: void, arg: unknown, t: number) => void, arg?: unknown, gen = K.gen): void {
  seq += 1;
  push(p === PRIO_ISR ? isrQ : taskQ, { t, p, s: seq, gen, fn, arg });
}

/** A task posted now (NodeMCU's task queue, three priorities). */
export function post(p: number, fn: (this: void, arg: unknown, t: number) => void, arg?: unknown): void {
  schedule(K.now, p, fn, arg);
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

/** Runs every event due up to `target`; virtual time ends at max(target, where a callback overran to). */
export function runUntil(target: number): void {
  for (;;) {
    let i: Ev | undefined = isrQ[0];
    let tk: Ev | undefined = taskQ[0];
    if (i !== undefined && i.t > target) i = undefined;
    if (tk !== undefined && tk.t > target) tk = undefined;
    let q: Heap;
    if (i !== undefined && (i.t <= K.now || tk === undefined || !less(tk, i))) q = isrQ;
    else if (tk !== undefined) q = taskQ;
    else break;
    const top = pop(q) as Ev;
    if (top.gen !== -1 && top.gen !== K.gen) continue;
    if (top.t > K.now) K.now = top.t;
    top.fn(top.arg, top.t);
  }
  if (K.now < target) K.now = target;
}

// ---- the CPU: callbacks with a count hook -----------------------------------------------------
export function setInstructionUs(us: number): void {
  K.instrUs = us;
  K.hookStepUs = HOOK_EVERY * us;
}

export function abortNow(reason: string): never {
  K.abort = reason;
  K.inApi = false;
  return error(ABORT_TEXT[reason] ?? reason, 0);
}

/**
 * The hook also fires in the emulator's own code around a callback (runFirmware after xpcall
 * returned, the traceback handler): an abort must never be raised there, only recorded.
 */
const hookRef = { fn: undefined as unknown };

function inFirmware(): boolean {
  let level = 2;
  for (;;) {
    const f = debug.getinfo(level, "f");
    if (f === undefined) return false;
    if (f.func === hookRef.fn) break;
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

let lastCapGc = -1e18;
/** Floating garbage (KB) tolerated above the cap between two full collects. */
const CAP_SLACK_KB = 512;

/**
 * Full collect when over the cap; still over → the board is out of memory. The count includes
 * the emulator's floating garbage (its live heap is large next to the board's), so over the cap
 * by less than CAP_SLACK_KB a full collect runs at most every 200 ms of virtual time: an
 * over-allocating firmware is still caught, just up to that much later.
 */
export function checkHeap(): void {
  const kb = collectgarbage("count");
  if (kb <= K.capKb) return;
  if (kb < K.capKb + CAP_SLACK_KB && K.now - lastCapGc < 200_000) return;
  lastCapGc = K.now;
  K.gcOnCap += 1;
  collectgarbage("collect");
  if (collectgarbage("count") > K.capKb && K.inCallback) abortFromHook("oom");
}

/** The hook's rare paths: an abort to (re-)raise, the watchdog, the heap cap. */
function hookSlow(this: void): void {
  if (K.abort !== undefined) abortFromHook(K.abort);
  else if (K.now - K.wdtFedAt > K.wdtUs) abortFromHook("wdt");
  else checkHeap();
}

/**
 * The count hook, called every HOOK_EVERY VM instructions of a callback: it is most of the
 * emulator's cost, hence plain Lua with locals. The heap is looked at every 8th call (128
 * instructions). `hookSlow()` is not a tail call, so inFirmware() finds this frame.
 * Lua 5.1 also counts the hook's own instructions (the hook is just not re-entered), which
 * would leave the firmware only a few instructions per period: the hook re-arms itself last,
 * so every period is HOOK_EVERY instructions of the code being measured.
 */
const [hookChunk] = loadstring(`
local K, slow, cg, sethook = ...
local n = 0
local hook
hook = function()
  if K.inApi then return end
  local now = K.now + K.hookStepUs
  K.now = now
  K.cbInstr = K.cbInstr + ${HOOK_EVERY}
  if K.abort ~= nil or now - K.wdtFedAt > K.wdtUs then slow() end
  n = n + 1
  if n >= 8 then
    n = 0
    if cg("count") > K.capKb then slow() end
  end
  sethook(hook, "", ${HOOK_EVERY})
end
return hook`, "=emu_kernel_hook");
const hook = (hookChunk as unknown as (this: void, k: typeof K, slow: () => void, cg: typeof collectgarbage, sethook: unknown) => (this: void) => void)(K, hookSlow, collectgarbage, debug.sethook);
hookRef.fn = hook;

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

export function attachHook(co?: LuaThread): void {
  if (co === undefined) debug.sethook(hook, "", HOOK_EVERY);
  else debug.sethook(co, hook, "", HOOK_EVERY);
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

function tracebackHandler(this: void, msg: unknown): string {
  return firmwareTraceback(msg, 2);
}

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
    K.cbInstr = 0;
    K.wdtFedAt = K.now;
    K.inApi = false;
    attachHook();
  }
  // A tail call, so the firmware's function shows in tracebacks as on the board (no local name).
  const res = packn(...xpcall(() => fn(a, b, c), tracebackHandler)) as unknown as { n: number } & Record<number, unknown>;
  if (!nested) {
    debug.sethook();
    K.inCallback = false;
    K.inApi = false;
    K.callbacks += 1;
    K.instrTotal += K.cbInstr;
    K.lastCbInstr = K.cbInstr;
    if (K.cbInstr > K.maxCbInstr) K.maxCbInstr = K.cbInstr;
  }
  if (K.abort !== undefined) {
    if (nested) error(ABORT_TEXT[K.abort] ?? K.abort, 0);
    const reason = K.abort;
    K.abort = undefined;
    hooks.onAbort(reason);
    return $multi("abort", []);
  }
  if (res[1] !== true) {
    if (mode === "callback") hooks.onCallbackError(tostring(res[2]));
    return $multi("error", [res[2]]);
  }
  // Results as {n = count, ...} (Lua indices): trailing nils are kept.
  const results = { n: res.n - 1 } as { n: number } & Record<number, unknown>;
  for (let i = 2; i <= res.n; i++) results[i - 1] = res[i];
  return $multi("ok", results as unknown as unknown[]);
}

/**
 * Wraps a stand-in so its own Lua instructions are not charged (it is C on the board) and a
 * fixed cost is. Written in Lua to pass varargs and multiple results through without tables.
 */
const [wrapperChunk] = loadstring(`
local K = ...
local function leave(...) K.inApi = false return ... end
local select = select
-- {n = count, ...}: keeps trailing nils (a chunk returning nil prints "nil" at the prompt).
K.packn = function(...) return { n = select("#", ...), ... } end
K.calln = function(f, t, n) return f(unpack(t, 1, n)) end
-- As few instructions as possible outside inApi: they are charged to the firmware.
-- (Stand-ins never call each other through these wrappers, so there is no nesting.)
return function(impl, costUs)
  return function(...)
    K.inApi = true
    K.now = K.now + costUs
    return leave(impl(...))
  end
end`, "=emu_kernel_wrappers"); // the name marks these frames as the emulator's (inFirmware, tracebacks)
const makeWrapper = (wrapperChunk as unknown as (this: void, k: typeof K) => (this: void, impl: unknown, costUs: number) => unknown)(K);

const packn = (K as unknown as { packn: (this: void, ...a: unknown[]) => unknown }).packn;

/** f(t[1], ..., t[n]), nils included. */
export const calln = (K as unknown as { calln: (this: void, f: unknown, t: unknown, n: number) => unknown }).calln;

export function api<F>(impl: F, costUs = 2): F {
  return makeWrapper(impl, costUs) as F;
}

/**
 * Raise an error from inside a stand-in: leave "C" first so the firmware's pcall sees Lua again.
 * Level 0: NodeMCU's C functions raise with luaL_error, whose position of a C frame is empty.
 */
export function apiError(msg: string, level = 0): never {
  K.inApi = false;
  return error(msg, level);
}

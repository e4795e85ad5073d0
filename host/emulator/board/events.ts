/**
 * The emulated board's event queue: NodeMCU's task queue (three priorities) and the interrupts
 * (UART RX, GPIO edges, HX711 conversions), each event stamped with its virtual time. runUntil()
 * is the board's event loop; the CPU and the clock are in kernel.ts.
 */
import { K, hooks, ledgerAllocated } from "./kernel.ts";

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

/**
 * Set by a stand-in that handed Node work whose answer the board should see promptly (a TCP
 * connect, bytes a broker answers): runUntil() returns after the running event, before its
 * target, so Node can let the real network answer before virtual time moves on (see net-world.ts).
 */
export const yieldToNode = { wanted: false };

/**
 * Runs every event due up to `target`; virtual time ends at max(target, where a callback overran
 * to), or earlier when a stand-in asked to yield to Node (yieldToNode).
 */
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
    if (yieldToNode.wanted) {
      yieldToNode.wanted = false;
      return;
    }
  }
  if (K.now < target) K.now = target;
}

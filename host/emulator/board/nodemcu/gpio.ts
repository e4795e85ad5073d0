/**
 * gpio: pins wired per boards/*.json — each channel's PD_SCK (clkPin, an output into the HX711)
 * and DOUT (dataPin, an input from it), and the safe-mode pin (pulled up; tests can hold it low).
 * trig() on a DOUT pin raises the interrupt at the chip's next falling edge; like NodeMCU the
 * callback runs as a task with the interrupt's time (31-bit µs) and how many edges it stands for.
 */
import { K, api, apiError, runFirmware } from "../kernel.ts";
import { PRIO_HIGH, PRIO_ISR, post, schedule2 } from "../events.ts";
import { CH } from "../chips.ts";
import { B } from "../state.ts";
import { systemTimeUs } from "./tmr.ts";

export const SAFE_PIN = { pin: 3 };

interface PinState {
  n: number;
  mode: number;
  level: 0 | 1;
  trig: string;
  cb: ((this: void, level: number, when: number, count: number) => void) | undefined;
  armed: number;
  pendingCount: number;
  /** DOUT as last seen (edges are level changes from this). */
  seen: 0 | 1;
}

const pins: PinState[] = [];
// The pins' state (C arrays on the board) exists from the start: not the firmware's heap.
for (let i = 0; i <= 12; i++) pins.push({ n: i, mode: 1, level: 1, trig: "none", cb: undefined, armed: 0, pendingCount: 0, seen: 1 });

function pin(n: unknown): PinState {
  if (type(n) !== "number" || (n as number) < 0 || (n as number) > 12) return apiError("bad argument #1 (pin out of range)");
  const i = n as number;
  let p = pins[i];
  if (p === undefined) {
    p = { n: i, mode: 1, level: 1, trig: "none", cb: undefined, armed: 0, pendingCount: 0, seen: 1 };
    pins[i] = p;
  }
  return p;
}

/** Pin → channel index (+1; 0 = none) for PD_SCK and DOUT lines, built once from the wiring. */
const clkOf: number[] = [];
const dataOf: number[] = [];
let mapped = -1;

/** Builds the pin → channel maps (at start: their slots are not the firmware's heap). */
export function mapPins(): void {
  if (mapped === CH.channels.length) return;
  mapped = CH.channels.length;
  for (let i = 0; i <= 12; i++) { clkOf[i] = 0; dataOf[i] = 0; }
  for (let i = 0; i < CH.channels.length; i++) {
    clkOf[CH.channels[i].clkPin] = i + 1;
    dataOf[CH.channels[i].dataPin] = i + 1;
  }
}

function chipOnData(n: number): number {
  mapPins();
  return (dataOf[n] ?? 0) - 1;
}

/** What the pin reads now (the wiring, or the last level written to an output). */
export function readPin(n: number): 0 | 1 {
  if (n === SAFE_PIN.pin) return B.safeLow ? 0 : 1;
  const c = chipOnData(n);
  if (c >= 0) return CH.chips[c].dout(K.now);
  return pin(n).level;
}

export function writePin(n: number, level: 0 | 1): void {
  const p = (type(n) === "number" ? pins[n] : undefined) ?? pin(n);
  p.level = level;
  if (mapped !== CH.channels.length) mapPins();
  const c = (clkOf[n] ?? 0) - 1;
  if (c >= 0) {
    const chip = CH.chips[c];
    chip.clock(level, K.now);
    // The 25th rising edge of a read raises DOUT: remember it, so the next conversion is a
    // falling edge again (only a rising edge can raise DOUT, so rises are enough to look at).
    if (level === 1) {
      const data = pins[CH.channels[c].dataPin];
      if (data !== undefined && data.trig !== "none" && data.seen === 0 && chip.dout(K.now) === 1) data.seen = 1;
    }
  }
}

export function resetGpio(): void {
  for (const p of pins) {
    if (p === undefined) continue;
    p.armed += 1;
    p.cb = undefined;
    p.trig = "none";
    p.pendingCount = 0;
    p.level = 1;
  }
}

/** DOUT changes on its own at conversion ends; while it stays low (unread), look again each ms. */
function armEdge(n: number, p: PinState, after: number): void {
  const c = chipOnData(n);
  if (c < 0) return; // only the HX711 DOUT lines move on their own
  let t = CH.chips[c].nextReadyUs(after);
  if (t === math.huge || t !== t) {
    if (p.seen === 0) t = after + 1000; // stuck/disconnected: keep watching
    else return;
  }
  if (t <= after) t = after + 1000;
  schedule2(t, PRIO_ISR, onEdge, p, p.armed);
}

/** The interrupt's task: the callback with the interrupt's time and the edges it stands for. */
function gpioTask(this: void, pp: PinState, _t: number, w: number): void {
  const count = pp.pendingCount;
  pp.pendingCount = 0;
  if (pp.cb !== undefined) runFirmware(pp.cb as (this: void, ...a: unknown[]) => unknown, "callback", 0, w, count);
}

function onEdge(this: void, p: PinState, t: number, armed: number): void {
  const n = p.n;
  if (p.armed !== armed || p.cb === undefined) return;
  const c = chipOnData(n);
  const level = CH.chips[c].dout(t);
  const fell = level === 0 && p.seen === 1;
  p.seen = level;
  if (fell && (p.trig === "down" || p.trig === "both" || p.trig === "low")) {
    p.pendingCount += 1;
    if (p.pendingCount === 1) {
      const when = systemTimeUs() % 2147483648 - Math.floor(K.now - t);
      post(PRIO_HIGH, gpioTask, p, when < 0 ? when + 2147483648 : when);
    }
  }
  armEdge(n, p, t + 1);
}

export function createGpioModule(): Record<string, unknown> {
  return {
    OUTPUT: 1, INPUT: 0, INT: 2, OPENDRAIN: 3, HIGH: 1, LOW: 0, PULLUP: 1, FLOAT: 0,
    mode: api((n: unknown, mode: unknown) => {
      const p = pin(n);
      p.mode = (mode as number) ?? 0;
    }, 3),
    // Not settled (see api()): DOUT changes with conversions (ms apart), a read within a few
    // µs of the exact instant sees the same level; writes are settled (PD_SCK edges are timed).
    read: api((n: unknown) => {
      pin(n);
      return readPin(n as number);
    }, 2, false),
    write: api((n: unknown, level: unknown) => writePin(n as number, level === 0 ? 0 : 1), 2),
    trig: api((n: unknown, kind?: unknown, cb?: unknown) => {
      const p = pin(n);
      p.armed += 1;
      p.pendingCount = 0;
      if (kind === undefined || kind === "none" || type(cb) !== "function") {
        p.trig = "none";
        if (type(cb) === "function") p.cb = cb as PinState["cb"];
        if (kind === "none") p.cb = undefined;
        return;
      }
      if (kind !== "up" && kind !== "down" && kind !== "both" && kind !== "low" && kind !== "high") {
        return apiError("bad argument #2 to 'trig' (invalid trigger type)");
      }
      p.trig = kind as string;
      p.cb = cb as PinState["cb"];
      const c = chipOnData(n as number);
      p.seen = c >= 0 ? CH.chips[c].dout(K.now) : 1;
      armEdge(n as number, p, K.now);
    }, 5),
  };
}

/**
 * tmr: timer objects (register/alarm/start/stop/unregister/interval/state) with the three modes
 * of app/modules/tmr.c — SINGLE unregisters before its callback, SEMI goes idle until start(),
 * AUTO re-arms from its own expiry (not from the callback's end, like the SDK's os_timer).
 * tmr.now() is system time in µs masked to 31 bits (wraps every 2^31 µs); delay() busy-waits.
 */
import { K, api, apiError, busyUntil, feedWatchdog, runFirmware } from "../kernel.ts";
import { PRIO_MED, schedule2 } from "../events.ts";

const SINGLE = 0;
const AUTO = 1;
const SEMI = 2;
const OFF = 3;
const MAX_TIMEOUT = 0x68d7a3;

interface Timer {
  mode: number;
  idle: boolean;
  interval: number;
  cb: ((this: void, t: unknown) => void) | undefined;
  /** Bumped at each arm/disarm: an expiry event of an older arming is ignored. */
  armed: number;
  obj: unknown;
}

export const timerStats = { fired: 0 };

/** System time (µs since this boot) as the SDK's uint32 system_get_time(). */
export function systemTimeUs(): number {
  return Math.floor(K.now - K.bootAt) % 4294967296;
}

function arm(tm: Timer, at: number): void {
  tm.armed += 1;
  schedule2(at, PRIO_MED, expire, tm, tm.armed);
}

function expire(this: void, tm: Timer, at: number, armed: number): void {
  if (tm.armed !== armed || tm.idle || tm.mode === OFF || tm.cb === undefined) return;
  const cb = tm.cb;
  if (tm.mode === SINGLE) {
    tm.mode = OFF;
    tm.cb = undefined;
    tm.idle = true;
  } else if (tm.mode === SEMI) {
    tm.idle = true;
  } else {
    arm(tm, at + tm.interval * 1000);
  }
  timerStats.fired += 1;
  runFirmware(cb as (this: void, ...a: unknown[]) => unknown, "callback", tm.obj);
}

function getTimer(self: unknown): Timer {
  const tm = (self as { __tm?: Timer } | undefined)?.__tm;
  if (tm === undefined) return apiError("bad argument #1 (tmr.timer expected)");
  return tm;
}

function checkInterval(ms: unknown, argn: number): number {
  const n = type(ms) === "number" ? Math.floor(ms as number) : -1;
  if (n <= 0 || n > MAX_TIMEOUT) return apiError(`bad argument #${argn} to 'register' (Range: 1-${MAX_TIMEOUT})`);
  return n;
}

function register(self: unknown, ms: unknown, mode: unknown, cb: unknown): void {
  const tm = getTimer(self);
  const interval = checkInterval(ms, 2);
  if (mode !== SINGLE && mode !== SEMI && mode !== AUTO) return apiError("bad argument #3 to 'register' (Invalid mode)");
  if (type(cb) !== "function") return apiError("bad argument #4 to 'register' (Must be function)");
  tm.armed += 1;
  tm.cb = cb as (this: void, t: unknown) => void;
  tm.mode = mode as number;
  tm.idle = true;
  tm.interval = interval;
}

function start(self: unknown, restart?: unknown): boolean {
  const tm = getTimer(self);
  if (tm.mode === OFF) return false;
  if (!tm.idle && restart !== true) return false;
  tm.idle = false;
  arm(tm, K.now + tm.interval * 1000);
  return true;
}

const methods = {
  register: api(register, 3),
  alarm: api((self: unknown, ms: unknown, mode: unknown, cb: unknown) => {
    register(self, ms, mode, cb);
    return start(self);
  }, 4),
  start: api(start, 3),
  stop: api((self: unknown) => {
    const tm = getTimer(self);
    const wasIdle = tm.mode === OFF || tm.idle;
    tm.armed += 1;
    tm.idle = true;
    return !wasIdle;
  }, 3),
  unregister: api((self: unknown) => {
    const tm = getTimer(self);
    tm.armed += 1;
    tm.mode = OFF;
    tm.idle = true;
    tm.cb = undefined;
  }, 3),
  interval: api((self: unknown, ms: unknown) => {
    const tm = getTimer(self);
    const interval = checkInterval(ms, 2);
    if (tm.mode === OFF) return;
    tm.interval = interval;
    if (!tm.idle) arm(tm, K.now + interval * 1000);
  }, 3),
  state: api((self: unknown) => {
    const tm = getTimer(self);
    if (tm.mode === OFF) return undefined;
    return $multi(!tm.idle, tm.mode);
  }, 3),
};
const timerMeta = { __index: methods, __tostring: () => "tmr.timer" };

export function createTmrModule(): Record<string, unknown> {
  return {
    create: api(() => {
      const tm: Timer = { mode: OFF, idle: true, interval: 0, cb: undefined, armed: 0, obj: undefined };
      const obj = setmetatable({ __tm: tm }, timerMeta);
      tm.obj = obj;
      return obj;
    }, 5),
    now: api(() => systemTimeUs() % 2147483648, 1),
    time: api(() => Math.floor((K.now - K.bootAt) / 1_000_000), 2),
    ccount: api(() => Math.floor((K.now - K.bootAt) * 80) % 4294967296, 1),
    delay: api((us: unknown) => {
      const n = type(us) === "number" ? Math.floor(us as number) : 0;
      if (n <= 0) return apiError("bad argument #1 to 'delay' (wrong arg range)");
      // tmr.c waits in slices of at most 1 s and feeds the watchdog after each.
      let left = n;
      while (left > 0) {
        const slice = Math.min(left, 1_000_000);
        busyUntil(K.now + slice);
        feedWatchdog();
        left -= slice;
      }
    }, 1),
    wdclr: api(() => feedWatchdog(), 1),
    softwd: api(() => {}, 1),
    ALARM_SINGLE: SINGLE,
    ALARM_SEMI: SEMI,
    ALARM_AUTO: AUTO,
  };
}

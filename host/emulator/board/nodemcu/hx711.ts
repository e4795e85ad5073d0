/**
 * hx711 (app/modules/hx711.c): init(clk, data); read(mode) busy-waits for DOUT low (≈1 s, then
 * "ADC timeout!"), reads, and leaves PD_SCK high (the chip powers down); start(mode, samples, cb)
 * reads in the DOUT falling-edge interrupt into two buffers and posts cb(packed 3-byte LE
 * samples, raw uint32 system time of the last sample as a signed 32-bit integer — negative after
 * 2^31 µs — , samples dropped while Lua still held the other buffer); stop().
 */
import { K, api, apiError, busyUntil, cost, feedWatchdog, runFirmware } from "../kernel.ts";
import { PRIO_ISR, PRIO_MED, post, schedule2 } from "../events.ts";
import { CH, type Hx711Chip } from "../chips.ts";
import { writePin } from "./gpio.ts";

const MAX_WAIT_US = 1_000_000;

interface Control {
  mode: 0 | 1 | 2;
  samples: number;
  cb: (this: void, s: string, t: number, dropped: number) => void;
  buf: string[][];
  timestamp: number[];
  dropped: number[];
  active: number;
  freed: number;
  dropping: boolean;
  nobuffer: number;
  token: number;
}

const H = { clk: -1, data: -1, control: undefined as Control | undefined, token: 0, droppedTotal: 0, samples: 0 };

export function hx711Stats(): { dropped: number; samples: number } {
  return { dropped: H.droppedTotal, samples: H.samples };
}

export function resetHx711(): void {
  H.control = undefined;
  H.token += 1;
  H.clk = -1;
  H.data = -1;
}

function channelOf(): number {
  for (let i = 0; i < CH.channels.length; i++) {
    if (CH.channels[i].clkPin === H.clk && CH.channels[i].dataPin === H.data) return i;
  }
  return -1;
}

/** uint32 → Lua integer on the board (lua_pushinteger of a 32-bit int). */
function asInt32(u: number): number {
  return u >= 2147483648 ? u - 4294967296 : u;
}

/** Edge spacing of read_sample(): GPIO register writes at C speed. */
const EDGE_US = 0.2;

/**
 * read_sample() of hx711.c, edge by edge at C speed: 24 pulses reading DOUT after each rising
 * edge (sign-extending the first bit), then 1 + mode pulses selecting the next gain. Done with
 * the chip's own edges (not a shortcut), so a chip left mid-read resynchronises as on hardware.
 */
function readSample(chip: Hx711Chip, t: number, mode: number): number {
  // The common case at C speed: DOUT is low (a fresh word, no read in progress) and the next
  // conversion ends well after these ~10 µs, so the chip's own readout gives exactly what the
  // edges would (the word, the gain for the next conversion); otherwise go edge by edge.
  if (chip.dout(t) === 0 && chip.nextReadyUs(t) > t + (25 + mode) * 2 * EDGE_US + 1) {
    const w = chip.readWord(t, mode as 0 | 1 | 2);
    return w;
  }
  let data = 0;
  let tt = t;
  for (let i = 0; i < 24; i++) {
    chip.clock(1, tt);
    tt += EDGE_US;
    chip.clock(0, tt);
    tt += EDGE_US;
    data = data * 2 + chip.dout(tt);
  }
  for (let i = 0; i <= mode; i++) {
    chip.clock(1, tt);
    tt += EDGE_US;
    chip.clock(0, tt);
    tt += EDGE_US;
  }
  return data >= 8388608 ? data - 16777216 : data;
}

function pack3(v: number): string {
  const u = v < 0 ? v + 16777216 : v;
  return string.char(u % 256, Math.floor(u / 256) % 256, Math.floor(u / 65536) % 256);
}

function armIsr(c: Control, after: number): void {
  const ch = channelOf();
  if (ch < 0) return;
  const t = CH.chips[ch].nextReadyUs(after);
  if (t === math.huge || t !== t) return;
  schedule2(Math.max(t, after), PRIO_ISR, isr, c, c.token);
}

/** hx711_data_available(): runs at the DOUT falling edge, at C speed. */
function isr(this: void, c: Control, t: number, token: number): void {
  if (H.control !== c || c.token !== token) return;
  const ch = channelOf();
  const chip = CH.chips[ch];
  if (chip.dout(t) !== 0) { armIsr(c, t + 1); return; }
  const data = readSample(chip, t, c.mode);
  H.samples += 1;
  let store = true;
  if (c.dropping) {
    if (c.active === c.freed) {
      c.nobuffer += 1;
      H.droppedTotal += 1;
      store = false;
    } else {
      c.active = (c.active + 1) % 2;
      c.dropping = false;
    }
  }
  if (store) {
    const b = c.buf[c.active];
    b.push(pack3(data));
    if (b.length === c.samples) {
      const slot = c.active;
      const sys = Math.floor(t - K.bootAt) % 4294967296;
      c.timestamp[slot] = asInt32(sys);
      c.dropped[slot] = c.nobuffer;
      c.nobuffer = 0;
      post(PRIO_MED, task, c, c.token * 2 + slot);
      if (c.active === c.freed) c.dropping = true;
      else c.active = (c.active + 1) % 2;
    }
  }
  armIsr(c, t + 1);
}

/** hx711_task(): hands a full buffer to Lua. */
function task(this: void, c: Control, _t: number, tokenSlot: number): void {
  const slot = tokenSlot % 2;
  const token = (tokenSlot - slot) / 2;
  if (H.control !== c || c.token !== token) return;
  const b = c.buf[slot];
  const s = table.concat(b);
  for (let i = b.length; i >= 1; i--) b[i - 1] = undefined as unknown as string;
  c.freed = slot;
  runFirmware(c.cb as (this: void, ...a: unknown[]) => unknown, "callback", s, c.timestamp[slot], c.dropped[slot]);
}

function stop(): void {
  if (H.control !== undefined) {
    H.control.token = -1;
    H.control = undefined;
  }
}

export function createHx711Module(): Record<string, unknown> {
  return {
    init: api((clk: unknown, data: unknown) => {
      if (type(clk) !== "number" || type(data) !== "number") return apiError("bad argument #1 to 'init' (number expected)");
      H.clk = clk as number;
      H.data = data as number;
      writePin(H.clk, 1); // put the chip to sleep
    }, 10),
    start: api((mode: unknown, samples: unknown, cb: unknown) => {
      const m = type(mode) === "number" ? Math.floor(mode as number) : -1;
      const n = type(samples) === "number" ? Math.floor(samples as number) : 0;
      if (m < 0 || m > 2) return apiError("bad argument #1 to 'start' (Mode value out of range)");
      if (n < 1 || n > 400) return apiError("bad argument #2 to 'start' (Samples value out of range (1-400))");
      if (H.control !== undefined) return apiError("Already running");
      if (type(cb) !== "function") return apiError("bad argument #3 to 'start' (Not a callback function)");
      H.token += 1;
      const c: Control = {
        mode: m as 0 | 1 | 2, samples: n, cb: cb as Control["cb"], buf: [[], []], timestamp: [0, 0], dropped: [0, 0],
        active: 0, freed: 1, dropping: false, nobuffer: 0, token: H.token,
      };
      H.control = c;
      // Before it wakes the chip, hx711_start() allocates its buffers (NodeMCU's default EGC mode
      // collects on allocation), takes a registry ref and sets up the GPIO interrupt: ~100 µs, so
      // PD_SCK, high since init(), has powered the chip down and the wake-up is a clean reset.
      cost(100);
      writePin(H.clk, 0); // wake the chip
      armIsr(c, K.now);
    }, 20),
    stop: api(() => stop(), 5),
    read: api((mode?: unknown) => {
      const m = mode === undefined ? 0 : type(mode) === "number" ? Math.floor(mode as number) : -1;
      if (m < 0 || m > 2) return apiError("bad argument #1 to 'read' (Mode value out of range)");
      stop();
      writePin(H.clk, 0);
      const ch = channelOf();
      let data = 0;
      for (let j = m !== 0 ? 1 : 0; j >= 0; j--) {
        feedWatchdog();
        if (ch < 0) { busyUntil(K.now + MAX_WAIT_US); return apiError("ADC timeout!"); }
        const chip = CH.chips[ch];
        if (chip.dout(K.now) !== 0) {
          const t = chip.nextReadyUs(K.now);
          if (t === math.huge || t !== t || t - K.now >= MAX_WAIT_US) {
            busyUntil(K.now + MAX_WAIT_US);
            return apiError("ADC timeout!");
          }
          busyUntil(t);
        }
        data = readSample(chip, K.now, m);
        busyUntil(K.now + (25 + m) * 2 * EDGE_US);
      }
      writePin(H.clk, 1); // sleep (this also resets the gain to A/128)
      return data;
    }, 10),
  };
}


/**
 * Board clocks that wrap, made continuous. NodeMCU's tmr.now() is µs masked to 31 bits (wraps
 * every 2^31 µs ≈ 35.8 min); the hx711 module's callback time is the raw 32-bit µs counter as a
 * signed integer (negative after ≈35.8 min); gpio.trig's time is µs too. All three are the same
 * system counter, so each is reduced modulo 2^31 and unwrapped by the nearest-step rule: a step of
 * less than half the modulus in either direction is taken as it is (small backward jitter
 * between sources stays small), anything else crossed the wrap. Feed each source at least every
 * ~17 min. The first value is taken as-is: the firmware starts its clocks seconds after boot,
 * inside the first epoch, so all sources agree on one continuous µs time base.
 *
 * The sample frame's sequence number (3 base64 digits, modulo SEQ_MODULUS of frame.ts) is unwrapped the same way
 * by the host (seqUnwrapStep): a forward distance modulo the sequence space.
 */
import { SEQ_MODULUS } from "../protocol/frame.ts";

// Module-local constants: on the board, unwrapStep then reads no module table, so the table can be
// released at start while the firmware keeps its unwrapStep (see firmware/framer.ts unloadTransient).
// 2^31 itself is a float on a VM with 32-bit integers (NodeMCU's Lua 5.3): steps add and
// subtract it as MAX_INT + 1, which keeps the arithmetic in integers there (same values in doubles).
const MODULUS = 2147483648;
const MAX_INT = 2147483647;
const CLOCK_HALF = 1073741824;
export const CLOCK_MODULUS = MODULUS;

export interface Unwrapper {
  started: boolean;
  /** last raw value, reduced to [0, modulus) */
  last: number;
  /** continuous value of the last step */
  total: number;
}

export function unwrapCreate(): Unwrapper {
  return { started: false, last: 0, total: 0 };
}

/** raw modulo 2^31; a signed 32-bit raw time stays an exact integer on a 32-bit-integer VM. */
function reduce31(raw: number): number {
  if (raw >= 0 && raw <= MAX_INT) return raw;
  if (raw < 0 && raw >= -MODULUS) return raw + MAX_INT + 1;
  return raw - Math.floor(raw / MODULUS) * MODULUS;
}

/** Reduces any integer (negative 32-bit times included) into [0, 2^31). */
export function clock31(raw: number): number {
  return reduce31(raw);
}

/** Continuous µs for one raw clock reading. */
export function unwrapStep(u: Unwrapper, raw: number): number {
  const v = reduce31(raw);
  if (!u.started) {
    u.started = true;
    u.last = v;
    u.total = v;
    return v;
  }
  let d = v - u.last;
  if (d >= CLOCK_HALF) d = d - MAX_INT - 1;
  else if (d < -CLOCK_HALF) d = d + MAX_INT + 1;
  u.last = v;
  u.total = u.total + d;
  return u.total;
}

export function unwrapSeries(raws: number[]): number[] {
  const u = unwrapCreate();
  const out: number[] = [];
  for (let i = 0; i < raws.length; i++) out[i] = unwrapStep(u, raws[i]);
  return out;
}

export interface SeqUnwrapper {
  started: boolean;
  last: number;
  total: number;
  /** frames missing between consecutive sequence numbers, summed */
  missing: number;
}

export function seqUnwrapCreate(): SeqUnwrapper {
  return { started: false, last: 0, total: 0, missing: 0 };
}

/** Continuous frame count for a received sequence number; gaps are added to `missing`. */
export function seqUnwrapStep(u: SeqUnwrapper, seq: number): number {
  if (!u.started) {
    u.started = true;
    u.last = seq;
    u.total = seq;
    return seq;
  }
  let d = seq - u.last;
  if (d <= 0) d = d + SEQ_MODULUS;
  u.missing = u.missing + d - 1;
  u.last = seq;
  u.total = u.total + d;
  return u.total;
}

/** [continuous counts..., missing] for a list of received sequence numbers. */
export function seqUnwrapSeries(seqs: number[]): number[] {
  const u = seqUnwrapCreate();
  const out: number[] = [];
  for (let i = 0; i < seqs.length; i++) out[i] = seqUnwrapStep(u, seqs[i]);
  out[out.length] = u.missing;
  return out;
}

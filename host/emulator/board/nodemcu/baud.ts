/**
 * A serial line whose two ends disagree on the baud rate: the sender's frames (start bit, 8 data
 * bits LSB first, stop bit, sent back to back) are sampled by a receiver timing its own bits,
 * which is how a UART reads them: wait for the line low (start), sample each bit in its middle.
 * Pure arithmetic (no bit operators: this runs in Lua 5.1 too).
 */

/** Line level at time t (in sender bit times) of back-to-back frames of `data`. */
function level(data: string, tBits: number): number {
  const frame = Math.floor(tBits / 10);
  if (frame < 0 || frame >= data.length) return 1;
  const bit = Math.floor(tBits - frame * 10);
  if (bit === 0) return 0;
  if (bit === 9) return 1;
  const b = string.byte(data, frame + 1);
  return Math.floor(b / 2 ** (bit - 1)) % 2;
}

/**
 * What a receiver at `rxBaud` reads from `data` sent at `txBaud`: one byte per start bit it
 * sees (framing errors included, as the ESP8266's and USB adapters' UARTs still deliver them).
 * Equal rates give `data` back.
 */
export function resample(data: string, txBaud: number, rxBaud: number): string {
  if (txBaud === rxBaud || data.length === 0) return data;
  const ratio = txBaud / rxBaud; // one receiver bit in sender bit times
  const end = data.length * 10;
  const out: string[] = [];
  let t = 0;
  while (t < end) {
    // Next low level from t: within the current sender bit, or at a later bit boundary.
    let start = -1;
    if (level(data, t) === 0) start = t;
    else {
      for (let k = Math.floor(t) + 1; k < end; k++) {
        if (level(data, k) === 0) { start = k; break; }
      }
    }
    if (start < 0) break;
    let v = 0;
    for (let i = 0; i < 8; i++) v += level(data, start + (1.5 + i) * ratio) * 2 ** i;
    out.push(string.char(v));
    t = start + 9.5 * ratio;
  }
  return out.join("");
}

/** The rates NodeMCU's platform_uart_setup accepts; any other gets 9600 (but setup returns the asked rate). */
export const STANDARD_BAUDS = [300, 600, 1200, 2400, 4800, 9600, 19200, 31250, 38400, 57600, 74880, 115200, 230400, 256000, 460800, 921600, 1843200, 3686400];

export function hardwareBaud(asked: number): number {
  for (const b of STANDARD_BAUDS) if (b === asked) return b;
  return 9600;
}

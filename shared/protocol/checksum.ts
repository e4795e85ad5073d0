/**
 * Fletcher-16 (moduli 255) over the bytes of an ASCII line.
 *
 * Chosen because it needs only addition and modulo, so Lua 5.1 on the board computes it without
 * the `bit` module, at two modulo operations per byte. Detection strength on our frames: every
 * single-bit error, every two-bit error and every burst of up to 8 bits is caught (tested
 * exhaustively on sample frames); a random corruption slips through with probability about
 * 1/65025. Its blind spot (0x00 vs 0xFF) cannot occur in ASCII text.
 */
export function fletcher16(text: string): number {
  let sum1 = 0;
  let sum2 = 0;
  for (let i = 0; i < text.length; i++) {
    sum1 = (sum1 + text.charCodeAt(i)) % 255;
    sum2 = (sum2 + sum1) % 255;
  }
  return sum2 * 256 + sum1;
}

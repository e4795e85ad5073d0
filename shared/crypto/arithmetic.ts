import type { Arithmetic } from "./ed25519.ts";
import { numbersAreDoubles } from "./field25519.ts";
import * as field32 from "./field25519-int32.ts";
import * as scalar32 from "./scalar25519-int32.ts";

/**
 * The Ed25519 arithmetic for this runtime's numbers: none (ed25519.ts's default, 16-bit limbs)
 * where numbers are doubles, the 12-bit limbs where they are 32-bit (NodeMCU's Lua 5.3 builds).
 * Its own module so that code which signs only on doubles (the ESP8266 firmware) never loads
 * the 12-bit arithmetic.
 */
export const INT32_ARITHMETIC: Arithmetic = { field: field32, scalar: scalar32 };

export function arithmeticForThisVm(): Arithmetic | undefined {
  return numbersAreDoubles() ? undefined : INT32_ARITHMETIC;
}

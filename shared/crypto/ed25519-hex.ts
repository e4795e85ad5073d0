import { arithmeticForThisVm } from "./arithmetic.ts";
import { type Sha512, keyStart, keyStep, signStart, signStep } from "./ed25519.ts";
import { sha512 } from "./sha512.ts";

/**
 * Ed25519 run to completion with hex in and out, and the pure SHA-512: what the RFC 8032 vectors
 * call in JavaScript, Lua 5.1 and Lua 5.3. The board never runs this (it signs in slices with its
 * C SHA-512, firmware/signer.ts). The arithmetic follows the runtime's numbers (arithmetic.ts):
 * 16-bit limbs on doubles, 12-bit limbs on NodeMCU's Lua 5.3 with 32-bit numbers.
 */
const HEX = "0123456789abcdef";

export function fromHex(hex: string): string {
  if (hex.length % 2 !== 0) throw "hex string of odd length";
  const out: string[] = [];
  for (let i = 0; i < hex.length; i = i + 2) {
    const hi = HEX.indexOf(hex.charAt(i).toLowerCase());
    const lo = HEX.indexOf(hex.charAt(i + 1).toLowerCase());
    if (hi < 0 || lo < 0) throw "not a hex digit";
    out.push(String.fromCharCode(hi * 16 + lo));
  }
  return out.join("");
}

export function toHex(bytes: string): string {
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes.charCodeAt(i);
    const lo = b % 16;
    out.push(HEX.charAt((b - lo) / 16) + HEX.charAt(lo));
  }
  return out.join("");
}

const pureSha512: Sha512 = (s) => sha512(s);

export function sha512Hex(messageHex: string): string {
  return toHex(sha512(fromHex(messageHex)));
}

/** The seed's bytes; refuses what is not 32 bytes of hex. */
function seedFromHex(seedHex: string): string {
  const seed = fromHex(seedHex);
  if (seed.length !== 32) throw "Ed25519 seed must be 32 bytes";
  return seed;
}

export function publicKeyHex(seedHex: string): string {
  const seed = seedFromHex(seedHex);
  const st = keyStart(seed, pureSha512, arithmeticForThisVm());
  while (!keyStep(st)) { /* slices run back to back */ }
  return toHex(st.publicKey);
}

export function signHex(seedHex: string, messageHex: string): string {
  const seed = seedFromHex(seedHex);
  const message = fromHex(messageHex);
  const arith = arithmeticForThisVm();
  const key = keyStart(seed, pureSha512, arith);
  while (!keyStep(key)) { /* slices run back to back */ }
  const st = signStart(seed, key.publicKey, message, pureSha512, arith);
  while (!signStep(st)) { /* slices run back to back */ }
  return toHex(st.signature);
}

import { fromHex, toHex } from "../crypto/ed25519-hex.ts";
import { KEY_ID_LABEL, macMessage, macRecord } from "./liftmac.ts";
import { sha256 } from "./sha256.ts";
import { xor16 } from "../crypto/sha2.ts";

/**
 * HMAC-SHA256 (RFC 2104) over the pure SHA-256, hex in and out: what the vectors call in
 * JavaScript, Lua 5.1 and Lua 5.3 to check the HMAC lift records (liftmac.ts) byte for byte. The
 * board never runs this: it calls NodeMCU's C crypto.hmac, and the host node:crypto.
 */
const BLOCK = 64;

function hmac(key: string, message: string): string {
  const k = key.length > BLOCK ? sha256(key) : key;
  const inner: string[] = [];
  const outer: string[] = [];
  for (let i = 0; i < BLOCK; i++) {
    const b = i < k.length ? k.charCodeAt(i) : 0;
    inner.push(String.fromCharCode(xor16(b, 0x36)));
    outer.push(String.fromCharCode(xor16(b, 0x5c)));
  }
  return sha256(outer.join("") + sha256(inner.join("") + message));
}

export function sha256Hex(messageHex: string): string {
  return toHex(sha256(fromHex(messageHex)));
}

export function hmacSha256Hex(keyHex: string, messageHex: string): string {
  return toHex(hmac(fromHex(keyHex), fromHex(messageHex)));
}

/** The board's key id for this key (liftmac.ts). */
export function keyIdHex(keyHex: string): string {
  return toHex(hmac(fromHex(keyHex), KEY_ID_LABEL));
}

/** The Y record the board sends for this lift (E body, G fields) under this 32-byte key; refuses another key length. */
export function liftMacRecord(keyHex: string, liftId: number, liftBody: string, fields: string): string {
  if (keyHex.length !== 64) throw "an HMAC lift key is 32 bytes (64 hex digits)";
  return macRecord(liftId, toHex(hmac(fromHex(keyHex), macMessage(liftBody, fields))));
}

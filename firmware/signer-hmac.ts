type LiftMac = typeof import("../shared/hmac/liftmac.ts");

/**
 * The signer's HMAC-SHA256 scheme (shared/hmac/liftmac.ts): the fallback to Ed25519 that needs no
 * curve code, so it signs a lift in one short tick with NodeMCU's C crypto.hmac (binary digest).
 * Loaded by firmware/signer.ts, which owns the key's files and flash helpers: it passes in what it
 * read, and a writer (so this module imports nothing of the signer's: no require cycle).
 *
 *   hmac.key   H,<32-byte key hex>*hhhhhhhh   (replaced atomically, as ed25519.key; names in signer.ts)
 *
 * A board holds one key: when both files exist (a power cut between writing the new key and
 * removing the old one), the HMAC key is the one in use. The key leaves the board once, in the
 * reply to `keys init hmac`, for the host to register (only the key holder can check an HMAC).
 */
type WriteKeyFile = (this: void, body: string) => boolean;

/** The key (binary) from the key file's sealed body, or undefined without a valid one. */
export function readKey(body: string): string | undefined {
  if (body.length !== 2 + 64 || string.sub(body, 1, 2) !== "H,") return undefined;
  return encoder.fromHex(string.sub(body, 3, 66));
}

/** The key's public name (liftmac.ts KEY_ID_LABEL), hex. */
export function keyId(key: string): string {
  const lm = require("../shared/hmac/liftmac") as LiftMac;
  return encoder.toHex(crypto.hmac("sha256", lm.KEY_ID_LABEL, key));
}

/** A new key from the hardware random source, written to flash; its hex, or "" when the write failed. */
export function makeKey(writeKeyFile: WriteKeyFile): string {
  const b: string[] = [];
  for (let i = 0; i < 32; i++) b[i] = string.char(node.random(0, 255));
  const hex = encoder.toHex(table.concat(b));
  return writeKeyFile(`H,${hex}`) ? hex : "";
}

/** The MAC record for a lift (E body, signed fields) and the SHA-256 (hex) of the message it covers: the next lift's prev. */
export function macLift(key: string, liftId: number, liftBody: string, fields: string): LuaMultiReturn<[string, string]> {
  const lm = require("../shared/hmac/liftmac") as LiftMac;
  const message = lm.macMessage(liftBody, fields);
  return $multi(lm.macRecord(liftId, encoder.toHex(crypto.hmac("sha256", message, key))), encoder.toHex(crypto.hash("sha256", message)));
}

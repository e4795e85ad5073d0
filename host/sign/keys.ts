import { createHash, createPublicKey, type KeyObject } from "node:crypto";

/**
 * A board's Ed25519 public key as the host handles it: 32 bytes as 64 hex digits (what the board
 * answers to `keys`), a node:crypto KeyObject for verifying, and a fingerprint people can compare
 * over the phone: the first 16 bytes of SHA-256(key) in groups of four hex digits.
 */
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export function isPublicKeyHex(hex: string): boolean {
  return /^[0-9a-f]{64}$/.test(hex);
}

export function publicKeyObject(hex: string): KeyObject {
  if (!isPublicKeyHex(hex)) throw new Error(`not an Ed25519 public key (64 lowercase hex digits): ${hex.slice(0, 80)}`);
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, Buffer.from(hex, "hex")]), format: "der", type: "spki" });
}

export function fingerprint(publicKeyHex: string): string {
  const h = createHash("sha256").update(Buffer.from(publicKeyHex, "hex")).digest("hex").slice(0, 32);
  return h.match(/.{4}/g)!.join(" ");
}

/** The two schemes a board signs with (shared/hmac/liftmac.ts names them). */
export type Scheme = "ed25519" | "hmac-sha256";

export function isScheme(s: string): s is Scheme {
  return s === "ed25519" || s === "hmac-sha256";
}

/**
 * A lift key as the host holds it. An Ed25519 key is its public key; an HMAC key is named by
 * its key id (HMAC of a label under the key, liftmac.ts), and only the host it was registered
 * with holds `secretHex`.
 */
export type LiftKey = { scheme: "ed25519"; publicKeyHex: string } | { scheme: "hmac-sha256"; keyId: string; secretHex?: string };

/** What names a key in lists and certificates: the public key, or the HMAC key id (both 64 hex). */
export function keyName(k: LiftKey): string {
  return k.scheme === "ed25519" ? k.publicKeyHex : k.keyId;
}

/** The fingerprint people compare: SHA-256 of the public key (Ed25519) or the key id's first 16 bytes (HMAC), in groups of four. */
export function keyFingerprint(k: LiftKey): string {
  return k.scheme === "ed25519" ? fingerprint(k.publicKeyHex) : k.keyId.slice(0, 32).match(/.{4}/g)!.join(" ");
}

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

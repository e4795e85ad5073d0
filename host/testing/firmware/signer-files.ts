import { createHash, createPrivateKey, createPublicKey } from "node:crypto";

/**
 * The signer's flash files (firmware/signer.ts) as the host makes and reads them, for tests and
 * the bench: one line, `*` and the first 8 hex digits of its SHA-1.
 */
const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");

export function checkedLine(body: string): string {
  return `${body}*${createHash("sha1").update(body, "latin1").digest("hex").slice(0, 8)}`;
}

/** The Ed25519 public key (hex) of a 32-byte seed, by node:crypto. */
export function publicKeyHexOf(seed: Buffer): string {
  return createPublicKey(createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: "der", type: "pkcs8" }))
    .export({ format: "der", type: "spki" }).subarray(-32).toString("hex");
}

/** ed25519.key as the board writes it for this seed. */
export function keyFile(seed: Buffer): string {
  return checkedLine(`K,${seed.toString("hex")},${publicKeyHexOf(seed)}`);
}

import { formatInt } from "../protocol/wire-number.ts";

/**
 * The HMAC-SHA256 lift records: the fallback to Ed25519 for a board that cannot run the curve
 * (NodeMCU's Lua 5.3 builds, 32-bit numbers) or whose owner prefers it. The board computes the
 * MAC with NodeMCU's C `crypto.hmac("sha256", message, key)` (binary digest) under a 32-byte key
 * from node.random, registered with the host at `keys init hmac`.
 *
 * The signed fields are the Ed25519 scheme's G record (shared/board/signedlift.ts: lift, counter,
 * board, calibration, certificate, prev); the MAC follows in one record:
 *
 *   Y,lift=<E id>,h=<HMAC-SHA256, 64 hex>
 *
 * and the host joins them as the G body followed by `,mac=<64 hex>`. The message has its own
 * domain tag, so a MAC can never pass for an Ed25519 signature's message or the other way round:
 * domain, the E body as sent, the G body, one per line. `prev` chains on the SHA-256 of that
 * message, as the Ed25519 chain does on its own.
 *
 * A key is named by its key id, HMAC-SHA256(key, KEY_ID_LABEL) in hex: it says which key without
 * giving away the key or a plain hash of it.
 */
export const LIFT_HMAC_DOMAIN = "rackcell-lift-hmac-v1";
export const KEY_ID_LABEL = "rackcell-hmac-key-id";
export const SCHEME_HMAC = "hmac-sha256";
export const SCHEME_ED25519 = "ed25519";

/** The exact bytes the MAC covers. */
export function macMessage(liftBody: string, fields: string): string {
  return `${LIFT_HMAC_DOMAIN}\n${liftBody}\n${fields}`;
}

/** The Y record that carries the MAC (hex). */
export function macRecord(liftId: number, macHex: string): string {
  return `Y,lift=${formatInt(liftId)},h=${macHex}`;
}

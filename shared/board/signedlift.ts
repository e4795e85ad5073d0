import { formatInt } from "../protocol/wire-number.ts";

/**
 * What the board signs for each lift, and the records that carry the signature.
 *
 *   G,lift=<E id>,n=<signed-lift counter>,board=<chip id>,cal=<calibration id>,cert=<verification
 *     certificate id or empty>,prev=<SHA-256 hex of the previous signed message>
 *   Y,lift=<E id>,r=<the signature's R, 64 hex>
 *   Y,lift=<E id>,s=<the signature's S, 64 hex>
 *
 * Three short lines, not one: each stays short enough that uart.write on the board does not
 * busy-wait long on the UART FIFO. The host joins them into one signature record, the G body
 * followed by `,sig=<128 hex>` (signedlift-parse.ts joinSignature), which certificates hold.
 *
 * The signed message is three lines: the domain tag, the lift's E body exactly as the board sent
 * it (load, onset, lift-off, peak, times, boot id…), and the G body up to `,sig=`. The counter
 * only grows, and `prev` chains each signed lift to the one before (GENESIS_PREV for the first
 * lift under a key), so a replayed, reordered or missing lift shows. The host rebuilds the message
 * from the two records it received and verifies it with node:crypto. The board loads only this
 * file while signing; the parser is in signedlift-parse.ts.
 */
export const LIFT_SIGNATURE_DOMAIN = "rackcell-lift-v1";
export const GENESIS_PREV = "0000000000000000000000000000000000000000000000000000000000000000";

/** The G record's signed part: everything but `,sig=…`. */
export function signedFields(liftId: number, counter: number, boardId: number, calId: string, certId: string, prevHex: string): string {
  return `G,lift=${formatInt(liftId)},n=${formatInt(counter)},board=${formatInt(boardId)},cal=${calId},cert=${certId},prev=${prevHex}`;
}

/** The exact bytes signed: domain, E body, signed fields, one per line. */
export function signedMessage(liftBody: string, fields: string): string {
  return `${LIFT_SIGNATURE_DOMAIN}\n${liftBody}\n${fields}`;
}

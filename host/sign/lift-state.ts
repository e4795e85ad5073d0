import { parseLiftSignature } from "../../shared/board/signedlift-parse.ts";
import { SCHEME_HMAC } from "../../shared/hmac/liftmac.ts";
import { sameLift } from "../session/live.ts";
import { liftKeyOf, listKeys, type BoardKeyRow } from "../store/board-keys.ts";
import type { LiftRow, Store } from "../store/store.ts";
import { verifyLiftWith, type SignedLift } from "./certificate.ts";
import type { Scheme } from "./keys.ts";

/**
 * The one rule for a recorded lift's signature state, shown by `report`, `history`, `live`'s lift
 * list and the web page's History panel:
 *  - verified: the board's records verify under a key this host knows for that board
 *    (Ed25519 with node:crypto, or HMAC with the key registered here);
 *  - unsigned: no signature records arrived for the lift;
 *  - bad: the records do not verify under any known key of the board's scheme (changed, or forged);
 *  - unverifiable: an HMAC signature whose key this host does not hold: no verdict either way;
 *  - unknown-key: an Ed25519 signature, but no public key known for the board (`keys board`).
 */
export type SignatureState = "verified" | "unsigned" | "bad" | "unverifiable" | "unknown-key";

export interface SignatureStatus {
  state: SignatureState;
  scheme: Scheme | null;
  /** for people: what the state means for this lift */
  text: string;
}

export const UNSIGNED: SignatureStatus = { state: "unsigned", scheme: null, text: "not signed" };

/** The state of a lift's signature records (undefined: none) against the host's known keys. */
export function signatureStatus(signed: SignedLift | undefined, keys: BoardKeyRow[]): SignatureStatus {
  if (signed === undefined) return UNSIGNED;
  const g = parseLiftSignature(signed.signatureRecord);
  if (g.error !== "") return { state: "bad", scheme: null, text: `signature BAD: ${g.error}` };
  const scheme = g.scheme as Scheme;
  const mine = keys.filter((k) => k.scheme === scheme && (k.boardId === null || k.boardId === g.boardId));
  const usable = scheme === SCHEME_HMAC ? mine.filter((k) => k.secretHex !== undefined) : mine;
  if (usable.length === 0) {
    return scheme === SCHEME_HMAC
      ? { state: "unverifiable", scheme, text: `HMAC-signed by board ${g.boardId}, cannot be checked here (this host does not hold its key)` }
      : { state: "unknown-key", scheme, text: `signed by board ${g.boardId}, key not known here (rackcell keys board)` };
  }
  const whys = usable.map((k) => verifyLiftWith(liftKeyOf(k), signed));
  if (whys.includes("")) return { state: "verified", scheme, text: `signed by board ${g.boardId} ✓ (${scheme === SCHEME_HMAC ? "HMAC-SHA256" : "Ed25519"}, verified)` };
  return { state: "bad", scheme, text: `signature BAD: ${whys[0]}` };
}

/**
 * A stored lift's state. The host and the board may each have stored a row for one lift
 * (sameLift); the board's records belong to whichever of them is the board's.
 */
export function storedLiftStatus(store: Store, lift: LiftRow, sessionRows: LiftRow[], keys: BoardKeyRow[] = listKeys(store)): SignatureStatus {
  for (const l of sessionRows) {
    if (l.id !== lift.id && !sameLift(l, lift)) continue;
    const signed = store.liftSignature(l.id);
    if (signed !== undefined) return signatureStatus(signed, keys);
  }
  return UNSIGNED;
}

/** The state of the stored lift with this id (its session's rows read for the same-lift rule). */
export function storedLiftStatusById(store: Store, liftId: number): SignatureStatus {
  const lift = store.listLifts({ limit: 1_000_000 }).find((l) => l.id === liftId);
  if (lift === undefined) return UNSIGNED;
  return storedLiftStatus(store, lift, store.listLifts({ sessionId: lift.sessionId, limit: 100000 }));
}

import type { LiftKey, Scheme } from "../sign/keys.ts";
import { isScheme, keyFingerprint } from "../sign/keys.ts";
import type { Store } from "./store.ts";

/**
 * The racks' lift keys the host has seen (`rackcell keys` lists them): an Ed25519 public key, or
 * an HMAC key with its secret, held only here since the board sent it once at `keys init --hmac`.
 * A key is named by its public key or HMAC key id (`key_name`); the board by its chip id (the
 * `board=` of its signature records) and its board definition.
 */
export interface BoardKeyRow {
  /** the board's chip id (null: not reported) */
  boardId: number | null;
  /** board definition name */
  board: string;
  scheme: Scheme;
  /** Ed25519 public key or HMAC key id, 64 hex */
  keyName: string;
  /** the HMAC key (hex); undefined for Ed25519 keys */
  secretHex: string | undefined;
  firstSeenAt: string;
  lastSeenAt: string;
  /** where the host learnt it: "keys init", "keys", "session" */
  seenIn: string;
}

interface Raw { board_id: number | null; board: string; scheme: string; key_name: string; secret_hex: string | null; first_seen_at: string; last_seen_at: string; seen_in: string }

function row(r: Raw): BoardKeyRow {
  if (!isScheme(r.scheme)) throw new Error(`board_keys: unknown scheme ${r.scheme}`);
  return { boardId: r.board_id, board: r.board, scheme: r.scheme, keyName: r.key_name, secretHex: r.secret_hex ?? undefined, firstSeenAt: r.first_seen_at, lastSeenAt: r.last_seen_at, seenIn: r.seen_in };
}

/** Remembers a key (or refreshes when it was seen before; an HMAC secret once known is kept). */
export function rememberKey(store: Store, k: { boardId: number | null; board: string; key: LiftKey; seenIn: string }, now = new Date().toISOString()): void {
  const name = k.key.scheme === "ed25519" ? k.key.publicKeyHex : k.key.keyId;
  const secret = k.key.scheme === "hmac-sha256" ? k.key.secretHex ?? null : null;
  store.db.prepare(`INSERT INTO board_keys (board_id, board, scheme, key_name, secret_hex, first_seen_at, last_seen_at, seen_in) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(key_name) DO UPDATE SET last_seen_at = excluded.last_seen_at, board_id = COALESCE(excluded.board_id, board_id),
      secret_hex = COALESCE(secret_hex, excluded.secret_hex)`).run(k.boardId, k.board, k.key.scheme, name, secret, now, now, k.seenIn);
}

/** Every known key, the most recently seen first. */
export function listKeys(store: Store): BoardKeyRow[] {
  return (store.db.prepare("SELECT * FROM board_keys ORDER BY last_seen_at DESC, id DESC").all() as Raw[]).map(row);
}

/** The lift key of a row, as the verifiers take it. */
export function liftKeyOf(r: BoardKeyRow): LiftKey {
  return r.scheme === "ed25519" ? { scheme: "ed25519", publicKeyHex: r.keyName } : { scheme: "hmac-sha256", keyId: r.keyName, secretHex: r.secretHex };
}

/** The HMAC keys held here, key id → key (hex). */
export function macKeys(store: Store): Map<string, string> {
  return new Map(listKeys(store).filter((r) => r.secretHex !== undefined).map((r) => [r.keyName, r.secretHex!]));
}

/**
 * The key a person means by `ref`: a board's chip id (its most recent key) or the start (≥ 8 hex
 * digits) of a public key, key id or fingerprint. Refuses an unknown or ambiguous reference.
 */
export function findKey(store: Store, ref: string): BoardKeyRow {
  const all = listKeys(store);
  if (/^\d+$/.test(ref)) {
    const r = all.find((k) => k.boardId === Number(ref));
    if (r !== undefined) return r;
  }
  const hex = ref.replace(/\s/g, "").toLowerCase();
  if (/^[0-9a-f]{8,64}$/.test(hex)) {
    const hits = all.filter((k) => k.keyName.startsWith(hex) || keyFingerprint(liftKeyOf(k)).replace(/ /g, "").startsWith(hex));
    if (hits.length === 1) return hits[0];
    if (hits.length > 1) throw new Error(`${ref} matches ${hits.length} keys: give more digits`);
  }
  throw new Error(`no known rack key ${ref} (rackcell keys lists the boards' chip ids and keys)`);
}

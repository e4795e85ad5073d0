import * as fs from "node:fs";
import type { Command } from "commander";
import { SCHEME_HMAC } from "../../../shared/hmac/liftmac.ts";
import { isPublicKeyHex, keyFingerprint, type LiftKey } from "../../sign/keys.ts";
import { findKey, liftKeyOf, listKeys, rememberKey, type BoardKeyRow } from "../../store/board-keys.ts";
import { Store } from "../../store/store.ts";
import type { Session } from "../../session/session.ts";
import { connectBoard } from "../board.ts";
import { examples, globalOptions } from "../options.ts";
import { action } from "../run.ts";

/**
 * `rackcell keys`: the racks' lift keys this host knows (the store's list, remembered at `keys
 * init` and whenever a board's key is read: `keys board`, `record`). `keys init [--hmac]
 * [--force]` makes the key on the board (Ed25519: the private key never leaves the board; HMAC:
 * the board sends the key once, it is kept in the store and never printed). `keys board` reads
 * the connected board's key; `keys export <board> [-o FILE]` writes a known key for a coach or a
 * meet director (an HMAC key only with --include-secret: whoever holds it can also forge lifts).
 */
interface KeysFlags { force?: boolean; hmac?: boolean; output?: string; includeSecret?: boolean; json?: boolean }

/** The board's key as its `keys` or `keys init` reply gives it. */
export function keyFromReply(f: Record<string, string>): { key: LiftKey; boardId: number | null } {
  const boardId = f.board !== undefined && /^\d+$/.test(f.board) ? Number(f.board) : null;
  if (f.scheme === SCHEME_HMAC) {
    if (!isPublicKeyHex(f.keyid ?? "")) throw new Error("the board's HMAC key id is not 64 hex digits");
    const secret = f.key !== undefined && isPublicKeyHex(f.key) ? f.key : undefined;
    return { key: { scheme: "hmac-sha256", keyId: f.keyid, secretHex: secret }, boardId };
  }
  if (!isPublicKeyHex(f.pub ?? "")) throw new Error("the board's public key is not 64 hex digits");
  return { key: { scheme: "ed25519", publicKeyHex: f.pub }, boardId };
}

/** Asks the board for its key and remembers it; undefined when it has none. */
export async function rememberBoardKey(store: Store, session: Session, seenIn: string): Promise<LiftKey | undefined> {
  const r = await session.command("keys");
  if (!r.ok) return undefined;
  const k = keyFromReply(r.fields);
  rememberKey(store, { ...k, board: session.info.board, seenIn });
  return k.key;
}

function keyJson(r: BoardKeyRow) {
  const k = liftKeyOf(r);
  return {
    boardId: r.boardId, board: r.board, scheme: r.scheme, fingerprint: keyFingerprint(k),
    ...(k.scheme === "ed25519" ? { publicKeyHex: k.publicKeyHex } : { keyId: k.keyId, keyHeldHere: r.secretHex !== undefined ? 1 : 0 }),
    firstSeenAt: r.firstSeenAt, lastSeenAt: r.lastSeenAt, seenIn: r.seenIn,
  };
}

function describeKey(r: BoardKeyRow): string {
  const k = liftKeyOf(r);
  const what = k.scheme === "ed25519" ? `public key ${k.publicKeyHex}` : `key id ${k.keyId}${r.secretHex !== undefined ? " (key held in this store)" : " (key not held here: its MACs cannot be checked)"}`;
  return `board ${r.boardId ?? "?"} (${r.board || "?"})  ${r.scheme}  fingerprint ${keyFingerprint(k)}\n  ${what}\n  first seen ${r.firstSeenAt}, last ${r.lastSeenAt} (${r.seenIn})\n`;
}

async function fromBoard(what: "init" | "board", o: KeysFlags, c: Command, store: Store): Promise<void> {
  const g = globalOptions(c);
  const board = await connectBoard(g, { tare: false });
  try {
    const args = ["init", ...(o.hmac ? ["hmac"] : []), ...(o.force ? ["force"] : [])];
    const r = what === "init" ? await board.session.command("keys", args, { timeoutMs: 60_000 }) : await board.session.command("keys");
    if (!r.ok) throw new Error(r.reason);
    const k = keyFromReply(r.fields);
    rememberKey(store, { ...k, board: board.session.info.board, seenIn: what === "init" ? "keys init" : "keys" });
    const row = findKey(store, k.key.scheme === "ed25519" ? k.key.publicKeyHex : k.key.keyId);
    if (o.json) process.stdout.write(`${JSON.stringify({ ...keyJson(row), signedLifts: r.fields.n === undefined ? 0 : Number(r.fields.n) })}\n`);
    else {
      process.stdout.write(what === "init" ? "new key made on the board, remembered in this store:\n" : "the board's key, remembered in this store:\n");
      process.stdout.write(describeKey(row));
      if (what === "board") process.stdout.write(`  signed lifts ${r.fields.n ?? "0"}\n`);
      if (k.key.scheme === "hmac-sha256" && what === "init") process.stdout.write("  HMAC: only a host holding this key can check the board's lifts; keep the store safe (rackcell keys export --include-secret copies it)\n");
    }
  } finally {
    await board.close();
  }
}

export function register(program: Command): void {
  const cmd = program
    .command("keys")
    .description("the racks' lift keys this host knows; init makes one on the board, board reads the board's, export writes one to a file")
    .argument("[action]", "init: make the key on the board (refused when it has one, unless --force); board: read the connected board's key; export <board>: write a known key")
    .argument("[board]", "with export: the board's chip id, or the start of its key or fingerprint")
    .option("--hmac", "with init: an HMAC-SHA256 key instead of Ed25519 (for boards that cannot run Ed25519; only this host can then check the lifts)")
    .option("--force", "with init: replace the board's key (lifts signed before stay verifiable with the old key)")
    .option("-o, --output <file>", "with export: the file (default: <board>.key.json)")
    .option("--include-secret", "with export of an HMAC key: write the key itself (whoever holds it can check and forge the board's lifts)")
    .option("--json", "print JSON")
    .action(action(async (what: string | undefined, ref: string | undefined, o: KeysFlags, c: Command) => {
      if (what !== undefined && what !== "init" && what !== "board" && what !== "export") throw new Error(`unknown action "${what}" (keys, keys init, keys board, keys export <board>)`);
      if ((o.force || o.hmac) && what !== "init") throw new Error("--force and --hmac go with keys init");
      if (what === "export" && ref === undefined) throw new Error("keys export needs the board: its chip id or the start of its key (rackcell keys lists them)");
      if (what !== "export" && ref !== undefined) throw new Error(`unexpected argument "${ref}"`);
      const store = new Store(globalOptions(c).db);
      try {
        if (what === "init" || what === "board") return await fromBoard(what, o, c, store);
        if (what === "export") {
          const row = findKey(store, ref!);
          const k = liftKeyOf(row);
          if (k.scheme === "hmac-sha256" && !o.includeSecret) throw new Error("an HMAC key is a secret: whoever holds it can check the board's lifts and also make false ones; --include-secret writes it anyway");
          if (k.scheme === "hmac-sha256" && k.secretHex === undefined) throw new Error("this store does not hold that HMAC key");
          const file = o.output ?? `${row.boardId ?? keyFingerprint(k).slice(0, 4)}.key.json`;
          const out = k.scheme === "ed25519"
            ? { boardId: row.boardId, board: row.board, scheme: k.scheme, publicKeyHex: k.publicKeyHex, fingerprint: keyFingerprint(k) }
            : { boardId: row.boardId, board: row.board, scheme: k.scheme, keyId: k.keyId, fingerprint: keyFingerprint(k), secretHex: k.secretHex };
          fs.writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`, k.scheme === "hmac-sha256" ? { mode: 0o600 } : {});
          process.stdout.write(o.json ? `${JSON.stringify({ boardId: row.boardId, scheme: k.scheme, fingerprint: keyFingerprint(k), file })}\n` : `${file}: board ${row.boardId ?? "?"} ${k.scheme} key ${keyFingerprint(k)}\n`);
          return;
        }
        const rows = listKeys(store);
        if (o.json) process.stdout.write(`${JSON.stringify({ keys: rows.map(keyJson) })}\n`);
        else if (rows.length === 0) process.stdout.write("no rack keys known yet: rackcell keys init (or keys board) with the board connected\n");
        else for (const r of rows) process.stdout.write(describeKey(r));
      } finally {
        store.close();
      }
    }));
  examples(cmd, ["rackcell keys", "rackcell keys init", "rackcell keys init --hmac", "rackcell keys export 1234567 -o rack-7.key.json", "rackcell --port /dev/ttyUSB0 keys init --force"]);
}

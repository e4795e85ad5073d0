import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { keyFingerprint } from "../sign/keys.ts";
import { findKey, listKeys, macKeys, rememberKey } from "./board-keys.ts";
import { Store } from "./store.ts";

/** The store's list of rack keys (board_keys): remembered once, refreshed when seen again, found by chip id or key start. */
describe("rack keys in the store", () => {
  it("remembers, refreshes without losing an HMAC key, finds by chip id, key or fingerprint start, refuses unknown and ambiguous", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-keys-store-"));
    const store = new Store(path.join(dir, "r.db"));
    try {
      const pub = "ab".repeat(32);
      const keyId = "ac".repeat(32);
      rememberKey(store, { boardId: 7, board: "nodemcu-v3-2pin", key: { scheme: "ed25519", publicKeyHex: pub }, seenIn: "keys init" }, "2026-12-04T10:00:00Z");
      rememberKey(store, { boardId: 8, board: "nodemcu-v3-1pin", key: { scheme: "hmac-sha256", keyId, secretHex: "11".repeat(32) }, seenIn: "keys init" }, "2026-12-04T11:00:00Z");
      // seen again in a session (no secret in a `keys` reply): the key held stays
      rememberKey(store, { boardId: 8, board: "nodemcu-v3-1pin", key: { scheme: "hmac-sha256", keyId }, seenIn: "session" }, "2026-12-04T12:00:00Z");
      const rows = listKeys(store);
      expect(rows.map((r) => [r.boardId, r.scheme, r.firstSeenAt, r.lastSeenAt, r.seenIn])).toEqual([
        [8, "hmac-sha256", "2026-12-04T11:00:00Z", "2026-12-04T12:00:00Z", "keys init"],
        [7, "ed25519", "2026-12-04T10:00:00Z", "2026-12-04T10:00:00Z", "keys init"],
      ]);
      expect(macKeys(store)).toEqual(new Map([[keyId, "11".repeat(32)]]));
      expect(findKey(store, "7").keyName).toBe(pub);
      expect(findKey(store, "acacacac").boardId).toBe(8);
      const fp = keyFingerprint({ scheme: "ed25519", publicKeyHex: pub });
      expect(findKey(store, fp.slice(0, 9)).boardId).toBe(7);
      expect(() => findKey(store, "99")).toThrow(/no known rack key 99/);
      expect(() => findKey(store, "a")).toThrow(/no known rack key a/);
      rememberKey(store, { boardId: 9, board: "x", key: { scheme: "ed25519", publicKeyHex: `acacacac${"00".repeat(28)}` }, seenIn: "keys" });
      expect(() => findKey(store, "acacacac")).toThrow(/matches 2 keys/);
    } finally {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

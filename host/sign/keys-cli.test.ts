import { createHmac } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KEY_ID_LABEL } from "../../shared/hmac/liftmac.ts";
import { parsePairs } from "../../shared/protocol/keyvalue.ts";
import { splitFields } from "../../shared/protocol/frame.ts";
import { runCli } from "../cli/testing/run-cli.ts";
import { listKeys } from "../store/board-keys.ts";
import { Store } from "../store/store.ts";
import { macChain } from "../testing/firmware/signer-files.ts";
import { buildCertificate, certificateText } from "./certificate.ts";

/**
 * `rackcell keys` from the bundled CLI against the emulated board: keys init --hmac registers the
 * board's HMAC key in the store without printing it; keys lists the racks; keys export writes a
 * key (an HMAC key only when asked for the secret); check and certificate use the store's keys.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-keys-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const DB = path.join(dir, "r.db");
const cli = (args: string[], db = DB) => runCli(["--db", db, ...args], { bundle: true, cwd: dir, timeoutMs: 90_000 });

function storedKeys(db = DB) {
  const s = new Store(db);
  try {
    return listKeys(s);
  } finally {
    s.close();
  }
}

describe("rackcell keys (bundled CLI, emulated board)", () => {
  let secret = "";
  let boardId = 0;

  it("keys init --hmac: the key is registered in the store, never printed; keys lists it", async () => {
    expect(JSON.parse((await cli(["keys", "--json"])).stdout)).toEqual({ keys: [] });
    const init = await cli(["keys", "init", "--hmac", "--json"]);
    expect(init.code, init.stderr).toBe(0);
    const [row] = storedKeys();
    secret = row.secretHex ?? "";
    boardId = row.boardId ?? -1;
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(boardId).toBeGreaterThanOrEqual(0);
    expect(row.keyName).toBe(createHmac("sha256", Buffer.from(secret, "hex")).update(KEY_ID_LABEL).digest("hex"));
    const j = JSON.parse(init.stdout) as Record<string, unknown>;
    expect(j).toMatchObject({ scheme: "hmac-sha256", keyId: row.keyName, keyHeldHere: 1, boardId, seenIn: "keys init" });
    expect(init.stdout + init.stderr).not.toContain(secret);
    const list = await cli(["keys"]);
    expect(list.stdout).toMatch(new RegExp(`^board ${boardId} \\(nodemcu-v3-2pin\\)  hmac-sha256  fingerprint [0-9a-f ]{39}\\n  key id ${row.keyName} \\(key held in this store\\)`));
    expect(list.stdout).not.toContain(secret);
  }, 120_000);

  it("keys export: an HMAC key only with --include-secret; unknown boards refused", async () => {
    const refused = await cli(["keys", "export", String(boardId)]);
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringMatching(/an HMAC key is a secret/)]);
    const out = await cli(["keys", "export", String(boardId), "--include-secret", "-o", "rack.key.json"]);
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "rack.key.json"), "utf8"))).toMatchObject({ boardId, scheme: "hmac-sha256", secretHex: secret });
    const unknown = await cli(["keys", "export", "99999999999"]);
    expect([unknown.code, unknown.stderr]).toEqual([1, expect.stringMatching(/no known rack key 99999999999/)]);
    const noBoard = await cli(["keys", "export"]);
    expect([noBoard.code, noBoard.stderr]).toEqual([1, expect.stringMatching(/keys export needs the board/)]);
  }, 60_000);

  it("check: an HMAC certificate verifies with the store's key; another host cannot check it; a changed byte fails", async () => {
    const key = Buffer.from(secret, "hex");
    const cert = buildCertificate({ scheme: "hmac-sha256", keyId: storedKeys()[0].keyName }, macChain(key, 2, boardId));
    fs.writeFileSync(path.join(dir, "chain.json"), certificateText(cert), "latin1");
    const ok = await cli(["check", "chain.json"]);
    expect([ok.code, ok.stdout.split("\n")[0]]).toEqual([0, expect.stringMatching(/^VALID: 2 lift\(s\)/)]);
    const elsewhere = await cli(["check", "chain.json", "--json"], path.join(dir, "other.db"));
    expect(elsewhere.code).toBe(3);
    expect(JSON.parse(elsewhere.stdout)).toMatchObject({ checkable: 0, valid: 0 });
    const plain = await cli(["check", "chain.json"], path.join(dir, "other.db"));
    expect(plain.stdout).toMatch(/^CANNOT CHECK: .*\n  cannot check: an HMAC certificate can be checked only with its key/);
    fs.writeFileSync(path.join(dir, "bad.json"), certificateText(cert).replace("weighed=1702.5", "weighed=1792.5"), "latin1");
    const bad = await cli(["check", "bad.json"]);
    expect([bad.code, bad.stdout]).toEqual([1, expect.stringMatching(/INVALID[\s\S]*MAC does not match/)]);
  }, 60_000);

  it("certificate: a recorded HMAC-signed lift, with the store's key (no --key needed)", async () => {
    const [signed] = macChain(Buffer.from(secret, "hex"), 1, boardId);
    const s = new Store(DB);
    let liftId = 0;
    try {
      const sid = s.createSession({ channels: 2, board: "nodemcu-v3-2pin" });
      liftId = s.addLift(sid, { source: "board", kind: "rack pull", atS: 10, peakForceN: 1751.2, timeToPeakMs: 703, weighedLoadN: 1701.5, timeToLiftOffMs: 703, holdMs: 1011, details: parsePairs(splitFields(signed.liftRecord), 1) });
      s.addLiftSignature(sid, { boardLiftId: 11, boardBoot: 3, ...signed });
    } finally {
      s.close();
    }
    const made = await cli(["certificate", String(liftId), "-o", "lift.json"]);
    expect(made.code, made.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "lift.json"), "latin1"))).toMatchObject({ algorithm: "HMAC-SHA256", boardId });
    expect(fs.readFileSync(path.join(dir, "lift.html"), "utf8")).toContain("Only a holder of that key can check it");
    expect((await cli(["check", "lift.json"])).code).toBe(0);
  }, 60_000);

  it("keys init (Ed25519) adds the board's Ed25519 key beside its old HMAC key; export by chip id takes the newest", async () => {
    // each CLI run starts a fresh emulated board, so this init is its first (refusals: signer-hmac-emulated.test.ts)
    const ed = await cli(["keys", "init", "--json"]);
    expect(ed.code, ed.stderr).toBe(0);
    expect(JSON.parse(ed.stdout)).toMatchObject({ scheme: "ed25519", publicKeyHex: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const keys = JSON.parse((await cli(["keys", "--json"])).stdout) as { keys: { scheme: string }[] };
    expect(keys.keys.map((k) => k.scheme)).toEqual(["ed25519", "hmac-sha256"]);
    const exp = await cli(["keys", "export", String(boardId), "-o", "ed.key.json"]);
    expect(exp.code, exp.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "ed.key.json"), "utf8"))).toMatchObject({ scheme: "ed25519", publicKeyHex: expect.any(String) });
    const wrongFlag = await cli(["keys", "--hmac"]);
    expect([wrongFlag.code, wrongFlag.stderr]).toEqual([1, expect.stringMatching(/--force and --hmac go with keys init/)]);
  }, 120_000);
});

import { spawnSync } from "node:child_process";
import { createPrivateKey, sign } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { GENESIS_PREV, signedFields, signedMessage } from "../../shared/board/signedlift.ts";
import { parsePairs } from "../../shared/protocol/keyvalue.ts";
import { splitFields } from "../../shared/protocol/frame.ts";
import { publicKeyHexOf } from "../testing/firmware/signer-files.ts";
import { SignatureAssembler } from "../session/signatures.ts";
import { Store } from "../store/store.ts";

/**
 * From the board's records as a session receives them (E, then G and two Y) to the store, to
 * `rackcell certificate` and `rackcell check` from the bundled CLI.
 */
const CLI = path.resolve("dist", "rackcell.mjs");
const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");
const SEED = Buffer.alloc(32, 11);
const E = "E,id=7,boot=3,kind=rackpull,done=1,conf=1,quiet=1,base=1766.8,thr=1.0,onset=7412,peak=1751.2,net=1751.2,peakt=8116,ttp=703,weighed=1766.8,liftoff=8116,ttl=703,setdown=9127,hold=1011,reweigh=1768.0,rwdiff=1.2,plates=0,end=10370,gap=19";

function boardRecords(): string[] {
  const fields = signedFields(7, 1, 4242, "gym", "", GENESIS_PREV);
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, SEED]), format: "der", type: "pkcs8" });
  const sig = sign(null, Buffer.from(signedMessage(E, fields), "latin1"), key).toString("hex");
  return [fields, `Y,lift=7,r=${sig.slice(0, 64)}`, `Y,lift=7,s=${sig.slice(64)}`];
}

describe("signed lifts from the session to a certificate", () => {
  it("the assembler pairs G and Y with their E record, and ignores a Y of another lift", () => {
    const a = new SignatureAssembler();
    a.lift(E);
    const [g, r, s] = boardRecords();
    expect(a.take(g)).toBeUndefined();
    expect(a.take(r)).toBeUndefined();
    const done = a.take(s)!;
    expect(done).toMatchObject({ liftRecord: E, boardLiftId: 7, boardBoot: 3 });
    expect(done.signatureRecord).toBe(`${g},sig=${r.slice(11)}${s.slice(11)}`);
    a.take(g);
    a.take(r);
    expect(a.take(s.replace("lift=7", "lift=8"))).toBeUndefined();
  });

  it("rackcell certificate writes the JSON and the page; check verifies it; a lift without a signature is refused", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-cert-"));
    try {
      const db = path.join(dir, "r.db");
      const store = new Store(db);
      const sid = store.createSession({ channels: 2, board: "nodemcu-v3-2pin" });
      const liftId = store.addLift(sid, { source: "board", kind: "rack pull", atS: 10, peakForceN: 1751.2, timeToPeakMs: 703, weighedLoadN: 1766.8, timeToLiftOffMs: 703, holdMs: 1011, details: parsePairs(splitFields(E), 1) });
      const unsigned = store.addLift(sid, { source: "board", kind: "rack pull", atS: 20, peakForceN: 1, timeToPeakMs: 1, weighedLoadN: 1, timeToLiftOffMs: 1, holdMs: 1, details: { id: "8", boot: "3" } });
      const a = new SignatureAssembler();
      a.lift(E);
      let signed;
      for (const rec of boardRecords()) signed = a.take(rec);
      store.addLiftSignature(sid, signed!);
      store.close();
      fs.writeFileSync(path.join(dir, "rack.key.json"), JSON.stringify({ publicKeyHex: publicKeyHexOf(SEED) }));
      const run = (...args: string[]) => spawnSync(process.execPath, [CLI, "--db", db, ...args], { cwd: dir, encoding: "utf8", timeout: 30_000 });
      const made = run("certificate", String(liftId), "--key", "rack.key.json", "-o", "lift.json");
      expect(made.stderr).toBe("");
      expect(made.status).toBe(0);
      expect(fs.readFileSync(path.join(dir, "lift.html"), "utf8")).toContain("Signed lift certificate");
      const checked = run("check", "lift.json", "--trust", "rack.key.json");
      expect([checked.status, checked.stdout.split("\n")[0]]).toEqual([0, expect.stringMatching(/^VALID: 1 lift/)]);
      const none = run("certificate", String(unsigned), "--key", "rack.key.json");
      expect(none.status).toBe(1);
      expect(none.stderr).toMatch(/has no board signature/);
      const wrong = run("certificate", String(liftId), "--key", publicKeyHexOf(Buffer.alloc(32, 12)));
      expect(wrong.status).toBe(1);
      expect(wrong.stderr).toMatch(/signature does not match/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

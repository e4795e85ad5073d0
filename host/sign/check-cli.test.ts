import { spawnSync } from "node:child_process";
import { createHash, createPrivateKey, sign } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { GENESIS_PREV, signedFields, signedMessage } from "../../shared/board/signedlift.ts";
import { publicKeyHexOf } from "../testing/firmware/signer-files.ts";
import { buildCertificate, certificateText } from "./certificate.ts";

/** `rackcell check` from the bundled CLI (dist/rackcell.mjs), in a folder of its own. */
const CLI = path.resolve("dist", "rackcell.mjs");
const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");

function certificate(seed: Buffer): string {
  const e = "E,id=4,boot=2,kind=rackpull,done=1,conf=1,quiet=1,base=1766.8,thr=1.0,onset=7412,peak=1751.2,net=1751.2,peakt=8116,ttp=703,weighed=1766.8,liftoff=8116,ttl=703,setdown=9127,hold=1011,reweigh=1768.0,rwdiff=1.2,plates=0,end=10370,gap=19";
  const fields = signedFields(4, 1, 99, "gym", "", GENESIS_PREV);
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: "der", type: "pkcs8" });
  const sig = sign(null, Buffer.from(signedMessage(e, fields), "latin1"), key).toString("hex");
  return certificateText(buildCertificate(publicKeyHexOf(seed), [{ liftRecord: e, signatureRecord: `${fields},sig=${sig}` }]));
}

describe("rackcell check (bundled CLI)", () => {
  it("exit 0 for a valid certificate from a trusted key, 2 for an unknown key, 1 for a changed byte", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-check-"));
    try {
      const seed = Buffer.alloc(32, 5);
      fs.writeFileSync(path.join(dir, "lift.json"), certificate(seed));
      fs.writeFileSync(path.join(dir, "rack.key.json"), JSON.stringify({ publicKeyHex: publicKeyHexOf(seed) }));
      const run = (...args: string[]) => spawnSync(process.execPath, [CLI, "check", ...args], { cwd: dir, encoding: "utf8", timeout: 30_000 });
      const ok = run("lift.json", "--trust", "rack.key.json");
      expect([ok.status, ok.stdout.split("\n")[0]]).toEqual([0, expect.stringMatching(/^VALID: 1 lift\(s\), key [0-9a-f ]{39}$/)]);
      const unknown = run("lift.json", "--json");
      expect(unknown.status).toBe(2);
      expect(JSON.parse(unknown.stdout)).toMatchObject({ valid: 1, knownKey: 0, lifts: 1 });
      fs.writeFileSync(path.join(dir, "lift.json"), certificate(seed).replace("weighed=1766.8", "weighed=1966.8"));
      const bad = run("lift.json", "--trust", "rack.key.json");
      expect(bad.status).toBe(1);
      expect(bad.stdout).toMatch(/INVALID[\s\S]*signature does not match/);
      const missing = run("nope.json");
      expect(missing.status).toBe(1);
      expect(missing.stderr).toMatch(/^rackcell: .*nope\.json/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

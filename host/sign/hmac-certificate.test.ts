import { describe, expect, it } from "vitest";
import { macChain, macKeyIdOf } from "../testing/firmware/signer-files.ts";
import { buildCertificate, certificateText, checkCertificate, verifyLiftMac, type SignedLift } from "./certificate.ts";
import { keyFingerprint, type LiftKey } from "./keys.ts";

/**
 * HMAC-SHA256 certificates (the fallback scheme): checked with node:crypto's createHmac by a host
 * holding the board's key; any other reader is told it cannot check, never "valid" or "invalid".
 */
const KEY = Buffer.alloc(32, 21);
const KEY_ID = macKeyIdOf(KEY);
const held = new Map([[KEY_ID, KEY.toString("hex")]]);
const liftKey: LiftKey = { scheme: "hmac-sha256", keyId: KEY_ID };
const text = (lifts: SignedLift[]) => certificateText(buildCertificate(liftKey, lifts));

describe("HMAC lift certificates", () => {
  it("a chain MACed under the key checks out for the key holder; the file names the key by id, never the key", () => {
    const t = text(macChain(KEY, 3));
    expect(t).not.toContain(KEY.toString("hex"));
    const c = JSON.parse(t) as { algorithm: string; keyId: string; fingerprint: string; publicKeyHex?: string };
    expect([c.algorithm, c.keyId, c.fingerprint, c.publicKeyHex]).toEqual(["HMAC-SHA256", KEY_ID, keyFingerprint(liftKey), undefined]);
    const r = checkCertificate(t, [], held);
    expect(r).toMatchObject({ valid: true, checkable: true, knownKey: true, problems: [] });
    expect(r.lifts.map((l) => l.counter)).toEqual([1, 2, 3]);
  });

  it("without the key: cannot check, said plainly (no verdict)", () => {
    const r = checkCertificate(text(macChain(KEY, 1)), []);
    expect(r).toMatchObject({ valid: false, checkable: false, knownKey: false });
    expect(r.problems[0]).toMatch(/^cannot check: an HMAC certificate can be checked only with its key .*this host does not hold it/);
  });

  it("any changed byte fails for the key holder", () => {
    const t = text(macChain(KEY, 2));
    for (let i = 0; i < t.length; i += 7) {
      const ch = t[i] === "1" ? "2" : "1";
      const changed = t.slice(0, i) + ch + t.slice(i + 1);
      const r = checkCertificate(changed, [], held);
      expect(r.valid && r.checkable, `byte ${i} (${JSON.stringify(t[i])})`).toBe(false);
    }
  });

  it("a wrong key: the MACs do not match; a tampered weighed load is named", () => {
    const other = Buffer.alloc(32, 22);
    const lifts = macChain(other, 1);
    // a certificate claiming this board's key id over another key's MACs
    const r = checkCertificate(text(lifts), [], held);
    expect(r.problems[0]).toMatch(/MAC does not match/);
    const l = macChain(KEY, 1)[0];
    expect(verifyLiftMac(KEY.toString("hex"), l)).toBe("");
    expect(verifyLiftMac(KEY.toString("hex"), { ...l, liftRecord: l.liftRecord.replace("weighed=1701.5", "weighed=1901.5") })).toMatch(/MAC does not match/);
    expect(verifyLiftMac(other.toString("hex"), l)).toMatch(/MAC does not match/);
  });

  it("replayed, reordered and missing lifts are named, as in the Ed25519 chain", () => {
    const [a, b, c, d] = macChain(KEY, 4);
    const check = (lifts: SignedLift[]) => checkCertificate(text(lifts), [], held);
    expect(check([a, b, b, c]).problems).toEqual([expect.stringMatching(/lift 3 .*replayed \(n=2 appears earlier/)]);
    expect(check([a, c, b, d]).problems).toEqual([expect.stringMatching(/lift 3 .*reordered \(n=2 comes after n=3\)/)]);
    expect(check([a, b, d]).problems).toEqual([expect.stringMatching(/lift 3 .*lift n=3 is missing before it/)]);
  });

  it("an Ed25519 record in an HMAC certificate is refused by scheme", () => {
    const l = macChain(KEY, 1)[0];
    const r = checkCertificate(text([{ ...l, signatureRecord: l.signatureRecord.replace(/,mac=.*/, `,sig=${"ab".repeat(64)}`) }]), [], held);
    expect(r.problems[0]).toMatch(/signature record is ed25519, the key is hmac-sha256/);
  });
});

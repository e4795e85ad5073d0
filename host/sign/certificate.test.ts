import { createHash, createPrivateKey, createPublicKey, randomBytes, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { GENESIS_PREV, signedFields, signedMessage } from "../../shared/board/signedlift.ts";
import { keyStart, keyStep, signStart, signStep } from "../../shared/crypto/ed25519.ts";
import { buildCertificate, certificateText, checkCertificate, type SignedLift } from "./certificate.ts";
import { fingerprint } from "./keys.ts";

/** A board's key and its chain of signed lifts, made with the board's own signing code (shared/crypto). */
const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");
const bin = (b: Buffer) => b.toString("latin1");
const sha512 = (s: string) => bin(createHash("sha512").update(Buffer.from(s, "latin1")).digest());

function boardKey(seed: Buffer): string {
  const st = keyStart(bin(seed), sha512);
  while (!keyStep(st)) { /* slices */ }
  return Buffer.from(st.publicKey, "latin1").toString("hex");
}

function liftBody(id: number, weighed: string): string {
  return `E,id=${id},boot=3,kind=rackpull,done=1,conf=1,quiet=1,base=${weighed},thr=1.0,onset=7412,peak=1751.2,net=1751.2,peakt=8116,ttp=703,` +
    `weighed=${weighed},liftoff=8116,ttl=703,setdown=9127,hold=1011,reweigh=1768.0,rwdiff=1.2,plates=0,end=10370,gap=19`;
}

function chain(seed: Buffer, n: number, useBoardCode = false): SignedLift[] {
  const pub = boardKey(seed);
  const out: SignedLift[] = [];
  let prev = GENESIS_PREV;
  for (let i = 1; i <= n; i++) {
    const e = liftBody(10 + i, `${1700 + i}.5`);
    const fields = signedFields(10 + i, i, 1234567, "gym-1", i === 2 ? "cert-7" : "", prev);
    const msg = signedMessage(e, fields);
    let sig: string;
    if (useBoardCode) {
      const st = signStart(bin(seed), Buffer.from(pub, "hex").toString("latin1"), msg, sha512);
      while (!signStep(st)) { /* slices */ }
      sig = Buffer.from(st.signature, "latin1").toString("hex");
    } else {
      const key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: "der", type: "pkcs8" });
      sig = sign(null, Buffer.from(msg, "latin1"), key).toString("hex");
    }
    out.push({ liftRecord: e, signatureRecord: `${fields},sig=${sig}` });
    prev = createHash("sha256").update(Buffer.from(msg, "latin1")).digest("hex");
  }
  return out;
}

const SEED = Buffer.alloc(32, 42);
const PUB = boardKey(SEED);

describe("lift certificates", () => {
  it("a chain signed by the board's code verifies with node:crypto, with its key known", () => {
    const text = certificateText(buildCertificate(PUB, chain(SEED, 3, true)));
    const r = checkCertificate(text, [PUB]);
    expect(r.problems).toEqual([]);
    expect(r.valid).toBe(true);
    expect(r.knownKey).toBe(true);
    expect(r.fingerprint).toBe(fingerprint(PUB));
    expect(r.lifts.map((l) => l.counter)).toEqual([1, 2, 3]);
    expect(JSON.parse(text).lifts[1].figures).toMatchObject({ weighedLoadN: 1702.5, verificationCertificateId: "cert-7", calibrationId: "gym-1", boardLiftId: 12 });
  });

  it("any changed byte of the file fails, and says where", () => {
    const text = certificateText(buildCertificate(PUB, chain(SEED, 2)));
    // every byte of the signed records and of the rest of the file, flipped one at a time (a sample)
    for (let i = 0; i < text.length; i += 7) {
      const c = text.charCodeAt(i);
      const changed = text.slice(0, i) + String.fromCharCode(c === 0x31 ? 0x32 : c === 0x20 ? 0x09 : c ^ 1) + text.slice(i + 1);
      expect(checkCertificate(changed, [PUB]).valid, `byte ${i} (${JSON.stringify(text[i])})`).toBe(false);
    }
  });

  it("tampering each signed field of the lift is named as a bad signature", () => {
    const lifts = chain(SEED, 1);
    for (const [from, to] of [["weighed=1701.5", "weighed=1901.5"], ["onset=7412", "onset=7400"], ["liftoff=8116", "liftoff=8100"], ["peak=1751.2", "peak=1851.2"], ["boot=3", "boot=4"], ["ttp=703", "ttp=700"]]) {
      const bad = [{ ...lifts[0], liftRecord: lifts[0].liftRecord.replace(from, to) }];
      expect(bad[0].liftRecord).not.toBe(lifts[0].liftRecord);
      const r = checkCertificate(certificateText({ ...buildCertificate(PUB, lifts), lifts: buildCertificate(PUB, bad).lifts }), [PUB]);
      expect(r.problems[0]).toMatch(/signature does not match/);
    }
    for (const [from, to] of [["cal=gym-1", "cal=gym-2"], ["n=1", "n=2"], ["board=1234567", "board=1234568"]]) {
      const bad = [{ ...lifts[0], signatureRecord: lifts[0].signatureRecord.replace(from, to) }];
      expect(checkCertificate(certificateText(buildCertificate(PUB, bad)), [PUB]).problems[0]).toMatch(/signature does not match/);
    }
  });

  it("names a replayed, a reordered and a missing lift in a chain", () => {
    const l = chain(SEED, 4);
    const check = (lifts: SignedLift[]) => checkCertificate(certificateText(buildCertificate(PUB, lifts)), [PUB]);
    expect(check([l[0], l[1], l[1], l[2]]).problems).toEqual(["lift 3 (board lift 12, signed lift n=2): replayed (n=2 appears earlier in the chain)"]);
    expect(check([l[0], l[2], l[1], l[3]]).problems).toEqual(["lift 3 (board lift 12, signed lift n=2): reordered (n=2 comes after n=3)"]);
    expect(check([l[0], l[1], l[3]]).problems).toEqual(["lift 3 (board lift 14, signed lift n=4): lift n=3 is missing before it"]);
    expect(check([l[1], l[2], l[3]]).valid).toBe(true);
  });

  it("a wrong key fails; an unknown key is reported as unknown", () => {
    const lifts = chain(SEED, 2);
    const other = boardKey(randomBytes(32));
    const wrong = checkCertificate(certificateText(buildCertificate(other, lifts)), [other]);
    expect(wrong.valid).toBe(false);
    expect(wrong.problems[0]).toMatch(/signature does not match/);
    const unknown = checkCertificate(certificateText(buildCertificate(PUB, lifts)), [other]);
    expect([unknown.valid, unknown.knownKey]).toEqual([true, false]);
  });

  it("refuses what is not a certificate with a reason", () => {
    expect(checkCertificate("{").problems[0]).toMatch(/^not JSON/);
    expect(checkCertificate("{}").problems[0]).toMatch(/not a rackcell-lift-certificate-v1/);
    expect(() => buildCertificate(PUB, [])).toThrow(/at least one/);
    const pub = createPublicKey(createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, SEED]), format: "der", type: "pkcs8" })).export({ format: "der", type: "spki" }).subarray(-32).toString("hex");
    expect(pub).toBe(PUB);
  });
});

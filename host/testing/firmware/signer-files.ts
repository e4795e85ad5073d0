import { createHash, createHmac, createPrivateKey, createPublicKey, sign } from "node:crypto";
import { KEY_ID_LABEL, macMessage } from "../../../shared/hmac/liftmac.ts";
import { GENESIS_PREV, signedFields, signedMessage } from "../../../shared/board/signedlift.ts";
import { buildCertificate, certificateText } from "../../sign/certificate.ts";

/**
 * The signer's flash files (firmware/signer.ts) as the host makes and reads them, for tests and
 * the bench: one line, `*` and the first 8 hex digits of its SHA-1.
 */
const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");

export function checkedLine(body: string): string {
  return `${body}*${createHash("sha1").update(body, "latin1").digest("hex").slice(0, 8)}`;
}

/** The Ed25519 public key (hex) of a 32-byte seed, by node:crypto. */
export function publicKeyHexOf(seed: Buffer): string {
  return createPublicKey(createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: "der", type: "pkcs8" }))
    .export({ format: "der", type: "spki" }).subarray(-32).toString("hex");
}

/** ed25519.key as the board writes it for this seed. */
export function keyFile(seed: Buffer): string {
  return checkedLine(`K,${seed.toString("hex")},${publicKeyHexOf(seed)}`);
}

/** A one-lift certificate signed with this seed (a rack pull's E record as the board sends it), by node:crypto. */
export function signedCertificateText(seed: Buffer, editE: (e: string) => string = (e) => e): string {
  const e = "E,id=4,boot=2,kind=rackpull,done=1,conf=1,quiet=1,base=1766.8,thr=1.0,onset=7412,peak=1751.2,net=1751.2,peakt=8116,ttp=703,weighed=1766.8,liftoff=8116,ttl=703,setdown=9127,hold=1011,reweigh=1768.0,rwdiff=1.2,plates=0,end=10370,gap=19";
  const fields = signedFields(4, 1, 99, "gym", "", GENESIS_PREV);
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: "der", type: "pkcs8" });
  const sig = sign(null, Buffer.from(signedMessage(e, fields), "latin1"), key).toString("hex");
  return certificateText(buildCertificate(publicKeyHexOf(seed), [{ liftRecord: editE(e), signatureRecord: `${fields},sig=${sig}` }]));
}

/** HMAC-SHA256 signed lifts as the board makes them (firmware/signer-hmac.ts), by node:crypto: n lifts chained from zero. */
export function macChain(key: Buffer, n: number, boardId = 1234567, editE: (e: string) => string = (e) => e): { liftRecord: string; signatureRecord: string }[] {
  const out: { liftRecord: string; signatureRecord: string }[] = [];
  let prev = GENESIS_PREV;
  for (let i = 1; i <= n; i++) {
    const e = editE(`E,id=${10 + i},boot=3,kind=rackpull,done=1,conf=1,quiet=1,base=1766.8,thr=1.0,onset=7412,peak=1751.2,net=1751.2,peakt=8116,ttp=703,weighed=${1700 + i}.5,liftoff=8116,ttl=703,setdown=9127,hold=1011,reweigh=1768.0,rwdiff=1.2,plates=0,end=10370,gap=19`);
    const fields = signedFields(10 + i, i, boardId, "gym-1", "", prev);
    const msg = Buffer.from(macMessage(e, fields), "latin1");
    out.push({ liftRecord: e, signatureRecord: `${fields},mac=${createHmac("sha256", key).update(msg).digest("hex")}` });
    prev = createHash("sha256").update(msg).digest("hex");
  }
  return out;
}

/** The key id (shared/hmac/liftmac.ts) of an HMAC key, by node:crypto. */
export function macKeyIdOf(key: Buffer): string {
  return createHmac("sha256", key).update(KEY_ID_LABEL).digest("hex");
}

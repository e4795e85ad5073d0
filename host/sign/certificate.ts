import { createHash, createHmac, timingSafeEqual, verify } from "node:crypto";
import { parseLiftBody } from "../../shared/board/liftrecord.ts";
import { parseLiftSignature } from "../../shared/board/signedlift-parse.ts";
import { GENESIS_PREV, signedMessage } from "../../shared/board/signedlift.ts";
import { macMessage, SCHEME_HMAC } from "../../shared/hmac/liftmac.ts";
import { fingerprint, isPublicKeyHex, keyFingerprint, publicKeyObject, type LiftKey } from "./keys.ts";

/**
 * Lift certificates: self-contained JSON with what the board signed (its E and G records, as
 * sent), the public key and its fingerprint, and the lift's figures in readable form. `check`
 * verifies them with node:crypto's Ed25519, an implementation independent of the board's
 * (shared/crypto/ed25519.ts), so a bug there cannot hide. An HMAC-SHA256 certificate (a board
 * with the fallback scheme, shared/hmac/liftmac.ts) names its key by key id instead of a public
 * key: only a host holding that key (registered at `keys init --hmac`) can check it, with
 * node:crypto's createHmac; any other reader is told so rather than given a verdict.
 *
 * What makes a certificate fail:
 *  - any byte changed: the file must be exactly what `certificateText` writes (so even an edit
 *    that keeps the JSON's meaning is named), every signature must verify, and the readable
 *    figures must be those of the signed record;
 *  - a chain (several lifts) whose counters do not go up by one, or whose `prev` is not the
 *    SHA-256 of the lift before: a replayed, reordered or missing lift is named;
 *  - a key that is not among the known ones is reported as unknown (the signatures may verify,
 *    but nothing ties that key to a rack the reader knows).
 */
export const CERTIFICATE_FORMAT = "rackcell-lift-certificate-v1";

export interface SignedLift {
  /** the E record's body, exactly as the board sent it */
  liftRecord: string;
  /** the G record's body */
  signatureRecord: string;
}

export interface CertificateLift extends SignedLift {
  /** readable copy of the signed figures (checked against liftRecord) */
  figures: Record<string, number | string>;
}

export interface Certificate {
  format: string;
  algorithm: "Ed25519" | "HMAC-SHA256";
  boardId: number;
  /** Ed25519 certificates */
  publicKeyHex?: string;
  /** HMAC certificates: the key's id (liftmac.ts), never the key */
  keyId?: string;
  fingerprint: string;
  lifts: CertificateLift[];
}

function num(x: number): number | string {
  return Number.isFinite(x) ? x : "";
}

/** The signed figures in the lifter's words (units in the names). */
export function liftFigures(liftRecord: string, signatureRecord: string): Record<string, number | string> {
  const e = parseLiftBody(liftRecord);
  const g = parseLiftSignature(signatureRecord);
  return {
    boardLiftId: e.id, boardBootId: e.boot, kind: e.kind, signedLiftCounter: g.counter, boardId: g.boardId,
    calibrationId: g.calId, verificationCertificateId: g.certId,
    weighedLoadN: num(e.weighedLoadN), peakForceN: num(e.peakForceN), onsetMs: num(e.onsetMs), liftOffMs: num(e.liftOffMs),
    timeToPeakMs: num(e.timeToPeakMs), timeToLiftOffMs: num(e.timeToLiftOffMs), setDownMs: num(e.setDownMs), holdMs: num(e.holdMs),
    previousLiftSha256: g.prevHex,
  };
}

/** A certificate for these lifts under an Ed25519 public key (hex) or a lift key of either scheme. */
export function buildCertificate(key: string | LiftKey, lifts: SignedLift[]): Certificate {
  if (lifts.length === 0) throw new Error("a certificate needs at least one signed lift");
  const k: LiftKey = typeof key === "string" ? { scheme: "ed25519", publicKeyHex: key } : key;
  const boardId = parseLiftSignature(lifts[0].signatureRecord).boardId;
  const out = lifts.map((l) => ({ liftRecord: l.liftRecord, signatureRecord: l.signatureRecord, figures: liftFigures(l.liftRecord, l.signatureRecord) }));
  return k.scheme === "ed25519"
    ? { format: CERTIFICATE_FORMAT, algorithm: "Ed25519", boardId, publicKeyHex: k.publicKeyHex, fingerprint: fingerprint(k.publicKeyHex), lifts: out }
    : { format: CERTIFICATE_FORMAT, algorithm: "HMAC-SHA256", boardId, keyId: k.keyId, fingerprint: keyFingerprint(k), lifts: out };
}

/** The one text form of a certificate (2-space JSON, final newline). */
export function certificateText(c: Certificate): string {
  return `${JSON.stringify(c, null, 2)}\n`;
}

/** The bytes the board signed or MACed, by the record's scheme. */
function messageBytes(l: SignedLift): Buffer {
  const g = parseLiftSignature(l.signatureRecord);
  return Buffer.from(g.scheme === SCHEME_HMAC ? macMessage(l.liftRecord, g.fields) : signedMessage(l.liftRecord, g.fields), "latin1");
}

/** The SHA-256 (hex) of a lift's signed message: the next lift's `prev`. */
export function signedMessageSha256(l: SignedLift): string {
  return createHash("sha256").update(messageBytes(l)).digest("hex");
}

/** Why the records do not belong together or are not of the scheme expected; "" when they do. */
function recordsProblem(l: SignedLift, scheme: string): string {
  const g = parseLiftSignature(l.signatureRecord);
  if (g.error !== "") return `signature record: ${g.error}`;
  if (g.scheme !== scheme) return `signature record is ${g.scheme}, the key is ${scheme}`;
  const e = parseLiftBody(l.liftRecord);
  if (e.error !== "") return `lift record: ${e.error}`;
  if (e.id !== g.liftId) return `signature is for board lift ${g.liftId}, record is lift ${e.id}`;
  return "";
}

/** Verifies one HMAC lift with node:crypto under the key (hex); "" when it holds, otherwise why not. */
export function verifyLiftMac(secretHex: string, l: SignedLift): string {
  const why = recordsProblem(l, SCHEME_HMAC);
  if (why !== "") return why;
  const mac = createHmac("sha256", Buffer.from(secretHex, "hex")).update(messageBytes(l)).digest();
  const got = Buffer.from(parseLiftSignature(l.signatureRecord).signatureHex, "hex");
  return got.length === mac.length && timingSafeEqual(got, mac) ? "" : "MAC does not match (record changed, or another key made it)";
}

/** Verifies one lift under a lift key of either scheme (an HMAC key without its secret cannot verify). */
export function verifyLiftWith(k: LiftKey, l: SignedLift): string {
  if (k.scheme === "ed25519") return verifyLift(k.publicKeyHex, l);
  return k.secretHex === undefined ? "HMAC key not held here: only its holder can check the MAC" : verifyLiftMac(k.secretHex, l);
}

/** Verifies one lift with node:crypto; "" when it holds, otherwise why not. */
export function verifyLift(publicKeyHex: string, l: SignedLift): string {
  const why = recordsProblem(l, "ed25519");
  if (why !== "") return why;
  const g = parseLiftSignature(l.signatureRecord);
  return verify(null, messageBytes(l), publicKeyObject(publicKeyHex), Buffer.from(g.signatureHex, "hex")) ? "" : "signature does not match (record changed, or another key signed it)";
}

export interface CheckResult {
  /** every signature verifies, the figures and the chain hold, the file is unedited */
  valid: boolean;
  /** false for an HMAC certificate whose key this reader does not hold: no verdict either way */
  checkable: boolean;
  /** the key is among the known ones (undefined when no list was given) */
  knownKey: boolean | undefined;
  fingerprint: string;
  problems: string[];
  lifts: { counter: number; boardLiftId: number; valid: boolean }[];
}

/**
 * Checks a certificate file's text. `knownKeys`: public keys (hex) the reader trusts, e.g. the
 * store's `rackcell keys`; a valid certificate from another key is reported as unknown.
 * `macKeys`: the HMAC keys this reader holds (key id → key hex); an HMAC certificate under any
 * other key cannot be checked, and says so.
 */
export function checkCertificate(text: string, knownKeys?: string[], macKeys: Map<string, string> = new Map()): CheckResult {
  const problems: string[] = [];
  let c: Certificate;
  try {
    c = JSON.parse(text) as Certificate;
  } catch (e) {
    return { valid: false, checkable: true, knownKey: undefined, fingerprint: "", problems: [`not JSON: ${(e as Error).message}`], lifts: [] };
  }
  if (c === null || typeof c !== "object" || c.format !== CERTIFICATE_FORMAT || (c.algorithm !== "Ed25519" && c.algorithm !== "HMAC-SHA256") || !Array.isArray(c.lifts) || c.lifts.length === 0) {
    return { valid: false, checkable: true, knownKey: undefined, fingerprint: "", problems: [`not a ${CERTIFICATE_FORMAT} file with lifts`], lifts: [] };
  }
  let key: LiftKey;
  if (c.algorithm === "HMAC-SHA256") {
    if (typeof c.keyId !== "string" || !isPublicKeyHex(c.keyId)) return { valid: false, checkable: true, knownKey: undefined, fingerprint: "", problems: ["keyId is not an HMAC key id (64 hex digits)"], lifts: [] };
    key = { scheme: "hmac-sha256", keyId: c.keyId, secretHex: macKeys.get(c.keyId) };
    if (key.secretHex === undefined) {
      const fp = keyFingerprint(key);
      return {
        valid: false, checkable: false, knownKey: false, fingerprint: fp, lifts: [],
        problems: [`cannot check: an HMAC certificate can be checked only with its key (${fp}), and this host does not hold it (only the host that ran rackcell keys init --hmac for board ${c.boardId} does)`],
      };
    }
  } else {
    if (typeof c.publicKeyHex !== "string" || !isPublicKeyHex(c.publicKeyHex)) {
      return { valid: false, checkable: true, knownKey: undefined, fingerprint: "", problems: ["publicKeyHex is not an Ed25519 public key"], lifts: [] };
    }
    key = { scheme: "ed25519", publicKeyHex: c.publicKeyHex };
  }
  const fp = keyFingerprint(key);
  if (c.fingerprint !== fp) problems.push(`fingerprint ${c.fingerprint} is not the key's (${fp})`);
  const lifts: CheckResult["lifts"] = [];
  let prev: { counter: number; sha: string } | undefined;
  const seen = new Set<number>();
  const counters = c.lifts.map((l) => parseLiftSignature(String(l.signatureRecord)).counter);
  for (const [i, l] of c.lifts.entries()) {
    const why = typeof l.liftRecord === "string" && typeof l.signatureRecord === "string" ? verifyLiftWith(key, l) : "records missing";
    const g = parseLiftSignature(String(l.signatureRecord));
    const name = `lift ${i + 1} (board lift ${g.liftId}, signed lift n=${g.counter})`;
    if (why !== "") problems.push(`${name}: ${why}`);
    else if (JSON.stringify(l.figures) !== JSON.stringify(liftFigures(l.liftRecord, l.signatureRecord))) problems.push(`${name}: readable figures differ from the signed record`);
    else if (g.boardId !== c.boardId) problems.push(`${name}: signed by board ${g.boardId}, certificate says ${c.boardId}`);
    lifts.push({ counter: g.counter, boardLiftId: g.liftId, valid: why === "" });
    if (why !== "") {
      prev = undefined;
      continue;
    }
    // a replayed or reordered lift is named and skipped: the chain goes on from the lift before it
    if (seen.has(g.counter)) {
      problems.push(`${name}: replayed (n=${g.counter} appears earlier in the chain)`);
      continue;
    }
    if (prev !== undefined && g.counter < prev.counter) {
      problems.push(`${name}: reordered (n=${g.counter} comes after n=${prev.counter})`);
      seen.add(g.counter);
      continue;
    }
    if (prev !== undefined && g.counter > prev.counter + 1) {
      const absent: number[] = [];
      for (let n = prev.counter + 1; n < g.counter; n++) if (!counters.slice(i + 1).includes(n)) absent.push(n);
      if (absent.length > 0) problems.push(`${name}: ${absent.length === 1 ? `lift n=${absent[0]} is` : `lifts n=${absent.join(", ")} are`} missing before it`);
    } else if (prev !== undefined && g.prevHex !== prev.sha) problems.push(`${name}: does not follow the lift before it (prev hash differs)`);
    else if (prev === undefined && i === 0 && g.counter === 1 && g.prevHex !== GENESIS_PREV) problems.push(`${name}: first lift under this key but prev is not zero`);
    seen.add(g.counter);
    prev = { counter: g.counter, sha: signedMessageSha256(l) };
  }
  if (problems.length === 0 && text !== certificateText(c)) problems.push("the file was edited: it is not byte for byte what rackcell wrote");
  // an HMAC key this reader holds was registered with it: known by construction
  const knownKey = key.scheme === "hmac-sha256" ? true : knownKeys === undefined ? undefined : knownKeys.includes(key.publicKeyHex);
  return { valid: problems.length === 0, checkable: true, knownKey, fingerprint: fp, problems, lifts };
}

import { splitFields } from "../protocol/frame.ts";
import { fieldValue } from "../protocol/keyvalue.ts";
import { parseDecimal } from "../protocol/wire-number.ts";
import { signedFields } from "./signedlift.ts";
import { SCHEME_ED25519, SCHEME_HMAC } from "../hmac/liftmac.ts";

/** Parsing of the signature records (format in signedlift.ts). */

/**
 * The signature record (G body + ",sig=<R hex><S hex>") from the board's G and two Y bodies, or ""
 * when a Y record is not the expected one or belongs to another lift.
 */
export function joinSignature(gBody: string, rBody: string, sBody: string): string {
  const r = splitFields(rBody);
  const s = splitFields(sBody);
  if (gBody.slice(0, 2) !== "G,") return "";
  const lift = splitFields(gBody)[1];
  if (r.length !== 3 || r[0] !== "Y" || r[1] !== lift || r[2].slice(0, 2) !== "r=") return "";
  if (s.length !== 3 || s[0] !== "Y" || s[1] !== lift || s[2].slice(0, 2) !== "s=") return "";
  return `${gBody},sig=${r[2].slice(2)}${s[2].slice(2)}`;
}

/**
 * The HMAC scheme's record (G body + ",mac=<64 hex>") from the board's G and its one Y record
 * (shared/hmac/liftmac.ts), or "" when the Y record is not the expected one or is another lift's.
 */
export function joinMac(gBody: string, yBody: string): string {
  const y = splitFields(yBody);
  if (gBody.slice(0, 2) !== "G,") return "";
  if (y.length !== 3 || y[0] !== "Y" || y[1] !== splitFields(gBody)[1] || y[2].slice(0, 2) !== "h=") return "";
  return `${gBody},mac=${y[2].slice(2)}`;
}

export interface LiftSignature {
  /** "" when the record parsed, otherwise why not */
  error: string;
  /** "ed25519" (sig=) or "hmac-sha256" (mac=); "" when the record did not parse */
  scheme: string;
  liftId: number;
  counter: number;
  boardId: number;
  calId: string;
  certId: string;
  prevHex: string;
  /** the Ed25519 signature (128 hex) or the HMAC (64 hex) */
  signatureHex: string;
  /** the signed part of the record (signedFields) */
  fields: string;
}

function isHex(s: string, n: number): boolean {
  if (s.length !== n) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** Parses a G body (no checksum); refuses a record that is not one with a reason. */
export function parseLiftSignature(body: string): LiftSignature {
  const bad = (error: string): LiftSignature => ({ error, scheme: "", liftId: -1, counter: -1, boardId: -1, calId: "", certId: "", prevHex: "", signatureHex: "", fields: "" });
  const sigAt = body.indexOf(",sig=");
  const macAt = body.indexOf(",mac=");
  const at = sigAt >= 0 ? sigAt : macAt;
  const scheme = sigAt >= 0 ? SCHEME_ED25519 : SCHEME_HMAC;
  if (body.slice(0, 2) !== "G," || at < 0) return bad("not a signature record");
  const f = splitFields(body);
  const liftId = parseDecimal(fieldValue(f, "lift"));
  const counter = parseDecimal(fieldValue(f, "n"));
  const boardId = parseDecimal(fieldValue(f, "board"));
  const prevHex = fieldValue(f, "prev");
  const signatureHex = fieldValue(f, sigAt >= 0 ? "sig" : "mac");
  if (liftId !== liftId || counter !== counter || boardId !== boardId) return bad("lift, n and board must be numbers");
  if (!isHex(prevHex, 64)) return bad("prev must be 64 lowercase hex digits");
  if (sigAt >= 0 && !isHex(signatureHex, 128)) return bad("sig must be 128 lowercase hex digits");
  if (sigAt < 0 && !isHex(signatureHex, 64)) return bad("mac must be 64 lowercase hex digits");
  const fields = body.slice(0, at);
  if (fields !== signedFields(liftId, counter, boardId, fieldValue(f, "cal"), fieldValue(f, "cert"), prevHex)) return bad("fields out of order or unknown");
  return { error: "", scheme, liftId, counter, boardId, calId: fieldValue(f, "cal"), certId: fieldValue(f, "cert"), prevHex, signatureHex, fields };
}

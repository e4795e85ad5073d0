import { createHash } from "node:crypto";

/**
 * A verification certificate's id: "vc-" and the first 16 hex digits of the SHA-256 of its
 * certificate.json text. Named by content, so anyone holding the file can tell that a signed lift's
 * `cert=` is this certificate, whichever host made it. `rackcell verify` sends it to the board
 * (`vcert`) when the rack passes; the board names it in every lift it signs under that calibration.
 */
export function verificationCertificateId(certificateJsonText: string): string {
  return `vc-${createHash("sha256").update(certificateJsonText, "utf8").digest("hex").slice(0, 16)}`;
}

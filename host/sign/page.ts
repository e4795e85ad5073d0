import { esc } from "../report/svg.ts";
import type { Certificate } from "./certificate.ts";

/**
 * The human page beside a certificate: the signed figures, the key's fingerprint, how to check it,
 * and the force-time plot (host/report's, from the recorded frames: the plot is the laptop's
 * recording, not something the board signed; the page says so).
 */
export function certificatePage(c: Certificate, plotSvg: string | undefined, jsonName: string): string {
  const rows = c.lifts.map((l) => Object.entries(l.figures).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(String(v))}</td></tr>`).join(""));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Signed lift certificate</title>
<style>body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em}th{text-align:left;padding-right:2em;font-weight:normal;color:#555}code{font-size:90%}</style></head>
<body>
<h1>Signed lift certificate</h1>
${c.algorithm === "Ed25519"
    ? `<p>Signed on the rack's board (id ${c.boardId}) with Ed25519. Key fingerprint <code>${esc(c.fingerprint)}</code>, public key <code>${esc(c.publicKeyHex ?? "")}</code>.</p>
<p>Check it: <code>rackcell check ${esc(jsonName)} --trust &lt;the rack's exported key&gt;</code> (any Ed25519 implementation can: the signed bytes are in the JSON file).</p>`
    : `<p>Authenticated on the rack's board (id ${c.boardId}) with HMAC-SHA256 under key <code>${esc(c.fingerprint)}</code> (key id <code>${esc(c.keyId ?? "")}</code>).</p>
<p>Only a holder of that key can check it: <code>rackcell check ${esc(jsonName)}</code> on the host the key was registered with (rackcell keys init --hmac). Anyone else cannot tell a true certificate from a false one.</p>`}
${rows.map((r, i) => `<h2>Lift ${i + 1}</h2><table>${r}</table>`).join("\n")}
${plotSvg === undefined ? "<p>No recorded frames around this lift: no plot.</p>" : `<h2>Force over time (the laptop's recording, not signed)</h2>\n${plotSvg}`}
</body></html>
`;
}

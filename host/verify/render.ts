/** Renderings of a verification certificate: plain text, an SVG error chart, a standalone HTML page. */
import { fmt } from "../calibrate/plates.ts";
import { axes, el, esc, makeFrame, n, polyline, svgDocument } from "../report/svg.ts";
import { mpeKg, type Certificate } from "./certificate.ts";

const mark = (pass: boolean, done = true) => (!done ? "not done" : pass ? "PASS" : "FAIL");

export function certificateText(c: Certificate): string {
  const s = c.setup;
  const L: string[] = [];
  L.push("RACKCELL VERIFICATION CERTIFICATE");
  L.push(`board ${s.board}${s.calId ? `, calibration ${s.calId}` : ""}${s.date ? `, ${s.date}` : ""}`);
  L.push(`${c.standard}; Max ${fmt(s.capacityKg, 1)} kg, e = ${fmt(s.intervalKg, 3)} kg (${fmt(c.intervals, 0)} e${c.intervalsValid ? "" : ", NOT a valid class III count"})`);
  L.push(`plates: ${s.plates.label}`);
  L.push("");
  for (const t of c.tests) {
    L.push(`${t.name.toUpperCase()}: ${mark(t.pass, t.done)}${t.done && !t.provable ? " (below what the plates can prove)" : ""}`);
    for (const r of t.rows) {
      L.push(
        `  ${r.label.padEnd(26)} ind ${fmt(r.indicatedKg, 3).padStart(9)} kg  ${t.name === "repeatability" ? "spread" : t.name === "creep" ? "change" : "error "} ` +
        `${fmt(r.valueKg, 3).padStart(7)} kg  limit ±${fmt(r.limitKg, 3)} kg  ${r.pass ? "ok" : "OUT"}${r.provable ? "" : `  plates ±${fmt(r.platesKg, 3)} kg`}`,
      );
    }
    for (const note of t.notes) L.push(`  note: ${note}`);
  }
  L.push("");
  for (const note of c.notes) L.push(`note: ${note}`);
  L.push(`OVERALL: ${c.overall.toUpperCase()}${c.overall === "pass" && !c.provable ? " (not provable with these plates)" : ""}`);
  return `${L.join("\n")}\n`;
}

/** Error (kg) against load (kg): the MPE envelope as steps, weighing errors as dots, eccentricity as squares. */
export function certificateSvg(c: Certificate, width = 720, height = 360): string {
  const s = c.setup;
  const weighing = c.tests.find((t) => t.name === "weighing")?.rows ?? [];
  const ecc = c.tests.find((t) => t.name === "eccentricity")?.rows ?? [];
  const maxErr = Math.max(mpeKg(s, s.capacityKg) * 1.3, ...weighing.map((r) => Math.abs(r.valueKg) * 1.1), ...ecc.map((r) => Math.abs(r.valueKg) * 1.1));
  const f = makeFrame(width, height, [0, s.capacityKg], [-maxErr, maxErr]);
  const xs: number[] = [];
  const up: number[] = [];
  const steps = 400;
  for (let i = 0; i <= steps; i++) {
    const x = (s.capacityKg * i) / steps;
    xs.push(x);
    up.push(mpeKg(s, x));
  }
  const parts: string[] = [axes(f, "load (kg)", "error (kg)", `Verification ${c.overall.toUpperCase()} — ${c.standard}`)];
  parts.push(polyline(f, xs, up, { class: "mpe", stroke: "#c0392b", "stroke-width": 1.5, "stroke-dasharray": "6 3" }));
  parts.push(polyline(f, xs, up.map((v) => -v), { class: "mpe", stroke: "#c0392b", "stroke-width": 1.5, "stroke-dasharray": "6 3" }));
  parts.push(el("line", { x1: f.left, y1: f.y.map(0), x2: f.right, y2: f.y.map(0), stroke: "#777" }));
  for (const r of weighing) {
    parts.push(el("circle", { class: `point weighing ${r.pass ? "pass" : "fail"}`, cx: f.x.map(r.trueKg), cy: f.y.map(r.valueKg), r: 4, fill: r.pass ? "#1f77b4" : "#d62728" }));
    if (!r.provable) {
      // the plates' tolerance as an error bar: what the plates can prove
      parts.push(el("line", { class: "plates", x1: f.x.map(r.trueKg), y1: f.y.map(r.valueKg - r.platesKg), x2: f.x.map(r.trueKg), y2: f.y.map(r.valueKg + r.platesKg), stroke: "#999" }));
    }
  }
  for (const r of ecc) {
    parts.push(el("rect", { class: `point eccentricity ${r.pass ? "pass" : "fail"}`, x: f.x.map(r.trueKg) - 3.5, y: f.y.map(r.valueKg) - 3.5, width: 7, height: 7, fill: "none", stroke: r.pass ? "#2ca02c" : "#d62728", "stroke-width": 1.5 }));
  }
  const ly = f.top + 14;
  parts.push(el("text", { x: f.right - 250, y: ly }, esc("- - ±MPE   ● weighing   □ eccentricity")));
  parts.push(el("text", { x: f.right - 250, y: ly + 16 }, esc(`e = ${fmt(s.intervalKg, 3)} kg, Max ${fmt(s.capacityKg, 0)} kg`)));
  return svgDocument(width, height, parts.join("\n"));
}

export function certificateHtml(c: Certificate): string {
  const rows = c.tests.map((t) => {
    const body = t.rows.map((r) => `<tr class="${r.pass ? "pass" : "fail"}"><td>${esc(r.label)}</td><td>${fmt(r.indicatedKg, 3)}</td><td>${fmt(r.valueKg, 3)}</td><td>±${fmt(r.limitKg, 3)}</td><td>${r.pass ? "ok" : "OUT"}</td><td>${r.provable ? "" : `±${fmt(r.platesKg, 3)}`}</td></tr>`).join("");
    const notes = t.notes.map((x) => `<li>${esc(x)}</li>`).join("");
    return `<h2>${esc(t.name)}: <span class="${t.pass ? "pass" : "fail"}">${mark(t.pass, t.done)}</span></h2>` +
      (t.rows.length ? `<table><tr><th>test</th><th>indication (kg)</th><th>value (kg)</th><th>limit</th><th></th><th>plates (unprovable)</th></tr>${body}</table>` : "") +
      (notes ? `<ul>${notes}</ul>` : "");
  }).join("\n");
  const svg = certificateSvg(c).replace(/^<\?xml[^>]*>\n/, "");
  return `<!doctype html><html><head><meta charset="utf-8"><title>rackcell verification ${esc(c.setup.board)}</title>
<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}
.pass{color:#1a7f37}.fail{color:#c0392b}</style></head><body>
<h1>Verification: <span class="${c.overall === "pass" ? "pass" : "fail"}">${c.overall.toUpperCase()}</span></h1>
<pre>${esc(certificateText(c))}</pre>
${svg}
${rows}
</body></html>
`;
}

export { n as svgNumber };

/**
 * The certificate for other programs (`verify --json`, certificate.json): numbers with their units in
 * the names; the rows' and plates' labels for people are left out (their content is in the fields).
 */
export function certificateJson(c: Certificate): unknown {
  const { label: _plates, ...plates } = c.setup.plates;
  return {
    ...c,
    setup: { ...c.setup, plates },
    tests: c.tests.map((t) => ({ ...t, rows: t.rows.map(({ label: _label, ...data }) => data) })),
  };
}

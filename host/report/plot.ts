/** The force-time plot of one lift as SVG (our own writer, svg.ts), and as PNG through resvg. */
import { fromNewtons } from "../../shared/units/force.ts";
import { axes, el, esc, makeFrame, polyline, svgDocument } from "./svg.ts";
import type { LiftReport } from "./lift.ts";

const COLORS = { left: "#1f77b4", right: "#ff7f0e", total: "#222222" };
const MARK: Record<string, string> = { onset: "#2ca02c", peak: "#d62728", liftoff: "#9467bd", setdown: "#8c564b", t90: "#17becf" };

export function forceTimeSvg(rep: LiftReport, width = 900, height = 480): string {
  const rec = rep.record;
  const sign = rec.kind === "isometric" ? -1 : 1; // isometric: plot the pull force
  const conv = (n: number) => fromNewtons(sign * n, rep.unit);
  const t0 = rec.timesMs[0] ?? 0;
  const xs = rec.timesMs.map((t) => (t - t0) / 1000);
  const series: { name: "left" | "right" | "total"; ys: number[] }[] = [];
  if (rec.leftN && rec.rightN) {
    series.push({ name: "left", ys: rec.leftN.map(conv) }, { name: "right", ys: rec.rightN.map(conv) });
  }
  series.push({ name: "total", ys: rec.totalN.map(conv) });
  let lo = 0;
  let hi = 0;
  for (const s of series) for (const y of s.ys) if (Number.isFinite(y)) {
    if (y < lo) lo = y;
    if (y > hi) hi = y;
  }
  const f = makeFrame(width, height, [0, xs.length ? xs[xs.length - 1] : 1], [lo, hi * 1.08]);
  const what = rec.kind === "isometric" ? "pull force" : "pin load";
  const parts = [axes(f, "time (s)", `${what} (${rep.unit})`, rec.title ?? (rec.kind === "isometric" ? "Isometric pull" : "Rack pull"))];
  for (const s of series) {
    parts.push(polyline(f, xs, s.ys, { class: `series ${s.name}`, stroke: COLORS[s.name], "stroke-width": s.name === "total" ? 2 : 1.3 }));
  }
  for (const m of rep.markers) {
    const x = f.x.map((m.tMs - t0) / 1000);
    parts.push(el("line", { class: `marker ${m.kind}`, x1: x, y1: f.top, x2: x, y2: f.bottom, stroke: MARK[m.kind], "stroke-dasharray": "5 3", "stroke-width": 1.2 }));
    parts.push(el("text", { class: "marker-label", x: x + 3, y: f.top + 12 + 13 * ["onset", "peak", "liftoff", "setdown", "t90"].indexOf(m.kind), fill: MARK[m.kind] }, esc(m.label)));
  }
  if (rep.iso?.raw.found) {
    const r = rep.iso.raw;
    parts.push(el("circle", { class: "peak-point", cx: f.x.map((r.peakMs - t0) / 1000), cy: f.y.map(fromNewtons(r.peakForceN, rep.unit)), r: 4, fill: MARK.peak }));
  }
  // legend
  let ly = f.bottom - 16 * series.length + 4;
  for (const s of series) {
    parts.push(el("line", { x1: f.right - 110, y1: ly - 4, x2: f.right - 85, y2: ly - 4, stroke: COLORS[s.name], "stroke-width": 2 }));
    parts.push(el("text", { x: f.right - 80, y: ly }, s.name));
    ly += 16;
  }
  return svgDocument(width, height, parts.join("\n"));
}

/** PNG bytes of an SVG (resvg, loaded on demand so pure users of this module need no native code). */
export async function svgToPng(svg: string, widthPx?: number): Promise<Buffer> {
  const { Resvg } = await import("@resvg/resvg-js");
  const r = new Resvg(svg, { fitTo: widthPx ? { mode: "width", value: widthPx } : { mode: "original" }, font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" } });
  return Buffer.from(r.render().asPng());
}

/**
 * A small self-contained SVG step/line plot for the lifter's record (the micro-loading ladder:
 * load per session over calendar time). Strings only, no DOM.
 */
import { kgToLb } from "../../shared/units/force.ts";
import type { LadderStep } from "./athlete.ts";
import { dayNumber } from "./days.ts";

export interface PlotPoint {
  x: number;
  y: number;
  /** drawn as a filled marker (e.g. a PR) */
  highlight?: boolean;
  label?: string;
}

export interface PlotSeries {
  name: string;
  points: PlotPoint[];
  /** "step": holds each value until the next point (a load that stays until raised); "line": straight */
  style: "step" | "line";
  color?: string;
}

export interface PlotOptions {
  width?: number;
  height?: number;
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** tick labels for x values (default: the number) */
  xTickLabel?: (x: number) => string;
  /** x ticks to use (default: nice ticks) */
  xTicks?: number[];
  /** horizontal reference lines */
  hLines?: { y: number; label: string; color?: string }[];
  /** extend the last step to this x */
  xEnd?: number;
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const fmt = (x: number): string => {
  const r = Math.round(x * 10) / 10;
  return Object.is(r, -0) ? "0" : String(r);
};

/** 1/2/5 × 10^k ticks covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step; v += step) out.push(Math.round(v / step) * step + 0);
  return out;
}

export function plotSvg(series: PlotSeries[], o: PlotOptions = {}): string {
  const W = o.width ?? 720;
  const H = o.height ?? 360;
  const m = { l: 64, r: 24, t: o.title ? 36 : 16, b: 48 };
  const pts = series.flatMap((s) => s.points);
  const ys = [...pts.map((p) => p.y), ...(o.hLines ?? []).map((h) => h.y)];
  const xs = pts.map((p) => p.x);
  if (o.xEnd !== undefined) xs.push(o.xEnd);
  let x0 = xs.length > 0 ? Math.min(...xs) : 0;
  let x1 = xs.length > 0 ? Math.max(...xs) : 1;
  let y0 = ys.length > 0 ? Math.min(...ys) : 0;
  let y1 = ys.length > 0 ? Math.max(...ys) : 1;
  if (x1 === x0) {
    x0 -= 1;
    x1 += 1;
  }
  const pad = y1 > y0 ? 0.08 * (y1 - y0) : Math.max(1, 0.05 * Math.abs(y0));
  y0 -= pad;
  y1 += pad;
  const yt = niceTicks(y0, y1);
  const px = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="white"/>`);
  if (o.title) parts.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(o.title)}</text>`);
  // axes and grid
  const axisY = H - m.b;
  parts.push(`<line x1="${m.l}" y1="${axisY}" x2="${W - m.r}" y2="${axisY}" stroke="black"/>`);
  parts.push(`<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${axisY}" stroke="black"/>`);
  for (const t of yt) {
    if (t < y0 || t > y1) continue;
    const y = fmt(py(t));
    parts.push(`<line x1="${m.l}" y1="${y}" x2="${W - m.r}" y2="${y}" stroke="#ddd"/>`);
    parts.push(`<text x="${m.l - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeXml(fmt(t))}</text>`);
  }
  const xt = o.xTicks ?? niceTicks(x0, x1, 6);
  for (const t of xt) {
    if (t < x0 - 1e-9 || t > x1 + 1e-9) continue;
    const x = fmt(px(t));
    parts.push(`<line x1="${x}" y1="${axisY}" x2="${x}" y2="${axisY + 5}" stroke="black"/>`);
    const label = o.xTickLabel ? o.xTickLabel(t) : fmt(t);
    parts.push(`<text x="${x}" y="${axisY + 18}" text-anchor="middle">${escapeXml(label)}</text>`);
  }
  if (o.xLabel) parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 8}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`);
  if (o.yLabel) {
    parts.push(`<text x="14" y="${(m.t + axisY) / 2}" text-anchor="middle" transform="rotate(-90 14 ${fmt((m.t + axisY) / 2)})">${escapeXml(o.yLabel)}</text>`);
  }
  for (const h of o.hLines ?? []) {
    const y = fmt(py(h.y));
    const c = h.color ?? "#c33";
    parts.push(`<line x1="${m.l}" y1="${y}" x2="${W - m.r}" y2="${y}" stroke="${c}" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${W - m.r - 4}" y="${fmt(py(h.y) - 4)}" text-anchor="end" fill="${c}">${escapeXml(h.label)}</text>`);
  }
  const palette = ["#1f5fa8", "#e07b00", "#2a8a3a", "#7a3fa0"];
  series.forEach((s, si) => {
    const c = s.color ?? palette[si % palette.length];
    const p = [...s.points].sort((a, b) => a.x - b.x);
    if (p.length === 0) return;
    let d = `M${fmt(px(p[0].x))} ${fmt(py(p[0].y))}`;
    for (let i = 1; i < p.length; i++) {
      if (s.style === "step") d += ` H${fmt(px(p[i].x))}`;
      d += ` ${s.style === "step" ? "V" : "L"}${s.style === "step" ? fmt(py(p[i].y)) : `${fmt(px(p[i].x))} ${fmt(py(p[i].y))}`}`;
    }
    if (s.style === "step" && o.xEnd !== undefined && o.xEnd > p[p.length - 1].x) d += ` H${fmt(px(o.xEnd))}`;
    parts.push(`<path d="${d}" fill="none" stroke="${c}" stroke-width="2"/>`);
    for (const q of p) {
      parts.push(
        `<circle cx="${fmt(px(q.x))}" cy="${fmt(py(q.y))}" r="${q.highlight ? 4.5 : 3}" fill="${q.highlight ? c : "white"}" stroke="${c}" stroke-width="1.5">` +
          `${q.label ? `<title>${escapeXml(q.label)}</title>` : ""}</circle>`,
      );
    }
    parts.push(`<text x="${m.l + 8}" y="${m.t + 14 + 16 * si}" fill="${c}">${escapeXml(s.name)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n");
}

/**
 * The micro-loading ladder as a step plot: x = calendar day, y = the session's top rack-pull load
 * (kg or lb), PR sessions filled. `thresholdKg` draws the supra-maximal line (e.g. 1.05 × best
 * deadlift), `today` extends the last step.
 */
export function ladderSvg(
  steps: LadderStep[],
  o: { unit?: "kg" | "lb"; title?: string; thresholdKg?: number | null; today?: string; width?: number; height?: number } = {},
): string {
  const unit = o.unit ?? "kg";
  const conv = (kg: number) => (unit === "kg" ? kg : kgToLb(kg));
  const points: PlotPoint[] = steps.map((s) => ({
    x: dayNumber(s.day),
    y: conv(s.topKg),
    highlight: s.isPr,
    label: `${s.day}: ${conv(s.topKg).toFixed(1)} ${unit}${s.isPr ? " (PR)" : ""}`,
  }));
  const days = points.map((p) => p.x);
  const xEnd = o.today !== undefined ? dayNumber(o.today) : undefined;
  const lo = days.length > 0 ? Math.min(...days) : 0;
  const hi = Math.max(days.length > 0 ? Math.max(...days) : 0, xEnd ?? -Infinity);
  // day ticks: about 6, on whole days
  const span = Math.max(1, hi - lo);
  const stepDays = [1, 2, 7, 14, 28, 56, 91, 182, 365].find((s) => span / s <= 7) ?? 365;
  const ticks: number[] = [];
  for (let d = lo; d <= hi; d += stepDays) ticks.push(d);
  const toDay = (n: number) => new Date(n * 86400000).toISOString().slice(5, 10);
  return plotSvg([{ name: `top rack pull per session (${unit})`, points, style: "step" }], {
    width: o.width,
    height: o.height,
    title: o.title ?? "Micro-loading ladder",
    xLabel: "day (MM-DD)",
    yLabel: `load (${unit})`,
    xTicks: ticks,
    xTickLabel: toDay,
    xEnd,
    hLines:
      o.thresholdKg !== undefined && o.thresholdKg !== null
        ? [{ y: conv(o.thresholdKg), label: `supra-maximal: ${conv(o.thresholdKg).toFixed(1)} ${unit}` }]
        : [],
  });
}

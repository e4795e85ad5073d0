/**
 * A small SVG writer for plots: escaped text, numeric formatting without exponent noise, a linear
 * scale with "nice" ticks, and a frame with axes, ticks and labels. No DOM: strings only, so it
 * runs in Node and the browser alike.
 */
export function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Coordinates with 2 decimals at most, no "-0". */
export function n(x: number): string {
  const r = Math.round(x * 100) / 100;
  return Object.is(r, -0) ? "0" : String(r);
}

export function attrs(a: Record<string, string | number | undefined>): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === "number" ? n(v) : esc(v as string)}"`)
    .join("");
}

export function el(name: string, a: Record<string, string | number | undefined>, children?: string): string {
  return children === undefined ? `<${name}${attrs(a)}/>` : `<${name}${attrs(a)}>${children}</${name}>`;
}

/** Ticks at 1/2/5 × 10^k covering [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
  return out;
}

export function tickLabel(v: number, ticks: number[]): string {
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : 1;
  const decimals = step >= 1 ? 0 : Math.min(6, Math.ceil(-Math.log10(step) - 1e-9));
  const s = v.toFixed(decimals);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

export interface Scale { lo: number; hi: number; a: number; b: number; ticks: number[]; map(v: number): number }

/** Maps [lo, hi] (widened to nice ticks) onto pixels [p0, p1]. */
export function linearScale(lo: number, hi: number, p0: number, p1: number, tickCount = 6): Scale {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    lo -= pad;
    hi += pad;
  }
  const ticks = niceTicks(lo, hi, tickCount);
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
  const tlo = Math.min(lo, Math.floor(lo / step + 1e-9) * step);
  const thi = Math.max(hi, Math.ceil(hi / step - 1e-9) * step);
  const all = niceTicks(tlo, thi, tickCount);
  const a = (p1 - p0) / (thi - tlo);
  return { lo: tlo, hi: thi, a, b: p0 - a * tlo, ticks: all, map: (v: number) => p0 + a * (v - tlo) };
}

export interface Frame { x: Scale; y: Scale; left: number; top: number; right: number; bottom: number; width: number; height: number }

export function makeFrame(width: number, height: number, xr: [number, number], yr: [number, number], margin = { l: 70, r: 20, t: 40, b: 50 }): Frame {
  const left = margin.l;
  const right = width - margin.r;
  const top = margin.t;
  const bottom = height - margin.b;
  return { x: linearScale(xr[0], xr[1], left, right), y: linearScale(yr[0], yr[1], bottom, top), left, right, top, bottom, width, height };
}

/** Grid, axes, tick labels and axis titles. */
export function axes(f: Frame, xTitle: string, yTitle: string, title?: string): string {
  const parts: string[] = [];
  for (const t of f.x.ticks) {
    const x = f.x.map(t);
    parts.push(el("line", { class: "grid", x1: x, y1: f.top, x2: x, y2: f.bottom, stroke: "#e4e4e4", "stroke-width": 1 }));
    parts.push(el("line", { x1: x, y1: f.bottom, x2: x, y2: f.bottom + 5, stroke: "#333" }));
    parts.push(el("text", { class: "tick", x, y: f.bottom + 18, "text-anchor": "middle" }, esc(tickLabel(t, f.x.ticks))));
  }
  for (const t of f.y.ticks) {
    const y = f.y.map(t);
    parts.push(el("line", { class: "grid", x1: f.left, y1: y, x2: f.right, y2: y, stroke: "#e4e4e4", "stroke-width": 1 }));
    parts.push(el("line", { x1: f.left - 5, y1: y, x2: f.left, y2: y, stroke: "#333" }));
    parts.push(el("text", { class: "tick", x: f.left - 8, y: y + 4, "text-anchor": "end" }, esc(tickLabel(t, f.y.ticks))));
  }
  parts.push(el("rect", { class: "axes", x: f.left, y: f.top, width: f.right - f.left, height: f.bottom - f.top, fill: "none", stroke: "#333" }));
  parts.push(el("text", { class: "axis-title", x: (f.left + f.right) / 2, y: f.height - 12, "text-anchor": "middle" }, esc(xTitle)));
  parts.push(el("text", { class: "axis-title", x: 16, y: (f.top + f.bottom) / 2, "text-anchor": "middle", transform: `rotate(-90 16 ${n((f.top + f.bottom) / 2)})` }, esc(yTitle)));
  if (title) parts.push(el("text", { class: "title", x: f.left, y: 24, "font-weight": "bold" }, esc(title)));
  return parts.join("\n");
}

/** A polyline through (x[i], y[i]); NaN points break the line. */
export function polyline(f: Frame, xs: number[], ys: number[], a: Record<string, string | number | undefined>): string {
  const runs: string[] = [];
  let cur: string[] = [];
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) {
      if (cur.length > 1) runs.push(cur.join(" "));
      cur = [];
      continue;
    }
    cur.push(`${n(f.x.map(xs[i]))},${n(f.y.map(ys[i]))}`);
  }
  if (cur.length > 1) runs.push(cur.join(" "));
  return runs.map((p) => el("polyline", { ...a, points: p, fill: "none" })).join("\n");
}

export function svgDocument(width: number, height: number, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">\n` +
    `<rect width="${width}" height="${height}" fill="#fff"/>\n${body}\n</svg>\n`;
}

/**
 * The session's lifts: each lift the session reports (the host's detector and the board's E
 * record are one lift, sameLift) is analysed from the page's frames with the report's own
 * analysis (host/report/lift.ts: rack pull or isometric with the exponential model), and shown as
 * the last lift's headline and a row in the list with all metrics, flags and method.
 */
import { formatForce, fromNewtons, type ForceUnit } from "../../shared/units/force.ts";
import { buildReport, type LiftReport } from "../report/lift.ts";
import { sameLift, type LiftView } from "../session/live.ts";
import type { FrameStore } from "./frames.ts";
import { bodyWeightText } from "./history-panel.ts";

export interface PageLift {
  number: number;
  view: LiftView;
  /** also reported by the board (its E record, checksummed, kept in its flash lift log) */
  boardRecord: boolean;
  report: LiftReport | null;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
/** "± 0.12" (no unit): a small uncertainty keeps two decimals instead of showing 0.0 */
const plusMinus = (n: number, unit: ForceUnit) => {
  const v = Math.abs(fromNewtons(n, unit));
  return `± ${v.toFixed(v < 0.1 ? 2 : 1)}`;
};
const sec = (ms: number) => (Number.isFinite(ms) && ms >= 0 ? `${(ms / 1000).toFixed(2)} s` : "–");

export function analyse(view: LiftView, store: FrameStore, unit: ForceUnit): LiftReport | null {
  if (view.kind === "lift") return null;
  const fromS = view.fromS ?? view.atS - 12;
  const s = store.slice(fromS, view.atS);
  if (s.timesMs.length < 20) return null;
  const two = s.forceN.length === 2;
  return buildReport({
    kind: view.kind === "rack pull" ? "rackpull" : "isometric", timesMs: s.timesMs, totalN: s.totalN,
    ...(two ? { leftN: s.forceN[0], rightN: s.forceN[1] } : {}),
  }, unit);
}

/** " (× 2.50 body weight)" when the lifter's weight is known */
const times = (forceN: number, bodyWeightKg: number | null) => {
  const t = bodyWeightText(forceN, bodyWeightKg);
  return t ? ` (${t})` : "";
};

/** The headline: what a lifter reads at arm's length; body-weight multiples when the lifter is known. */
export function headline(l: PageLift, unit: ForceUnit, bodyWeightKg: number | null = null): { title: string; lines: string[] } {
  const r = l.report;
  if (r?.rack) {
    const k = r.rack;
    const lines = [
      k.weighedLoadN >= 0 ? `on the pins ${formatForce(k.weighedLoadN, unit)} ${plusMinus(2 * k.weighedStdUncertaintyN, unit)}${times(k.weighedLoadN, bodyWeightKg)}` : "load not weighed (no steady rest before the pull)",
      k.found ? `pull force up to lift-off ${formatForce(k.peakLifterForceN, unit)}` : "no pull found",
      `time to lift-off ${k.liftedOff ? sec(k.timeToLiftOffMs) : "– (the bar stayed on the pins)"}`,
      `hold ${sec(k.holdMs)}`,
      k.reweighN >= 0 ? `re-weigh ${formatForce(k.reweighN, unit)}, difference ${formatForce(k.reweighDiffN, unit)}${k.platesChanged ? " — plates changed?" : ""}` : "no re-weigh",
    ];
    return { title: "Rack pull", lines };
  }
  if (r?.iso) {
    const i = r.iso.raw;
    const m = r.iso.model;
    return {
      title: "Isometric pull",
      lines: [
        `peak force ${formatForce(i.peakForceN, unit)}${times(i.peakForceN, bodyWeightKg)}`,
        `time to 90 % of peak ${i.timeTo90PctMs >= 0 ? `${i.timeTo90PctMs.toFixed(0)} ms` : "–"}`,
        `RFD 0–100 ms ${m ? `${formatForce(m.rfd100NPerS, unit)}/s (model)` : "–"}${i.rfdUnreliable ? "; raw RFD unreliable at this rate" : ""}`,
      ],
    };
  }
  const v = l.view;
  return { title: v.kind, lines: [`peak ${formatForce(v.peakForceN, unit)}`] };
}

export class LiftList {
  readonly lifts: PageLift[] = [];
  /** the lifter's last weigh-in (`rackcell web --athlete NAME`), null when unknown */
  bodyWeightKg: number | null = null;

  constructor(private readonly lastEl: HTMLElement, private readonly listEl: HTMLElement) {}

  /** A lift event; returns the lift it became (new or merged). */
  add(view: LiftView, store: FrameStore, unit: ForceUnit): PageLift {
    const prev = this.lifts[this.lifts.length - 1];
    if (prev && sameLift(prev.view, view)) {
      if (view.source === "board") prev.boardRecord = true;
      else {
        prev.view = view; // the host's view has the analysis window
        prev.report = analyse(view, store, unit);
      }
      return prev;
    }
    const lift: PageLift = { number: this.lifts.length + 1, view, boardRecord: view.source === "board", report: analyse(view, store, unit) };
    this.lifts.push(lift);
    return lift;
  }

  reanalyse(store: FrameStore | null, unit: ForceUnit): void {
    if (!store) return;
    for (const l of this.lifts) l.report = analyse(l.view, store, unit);
  }

  clear(): void {
    this.lifts.length = 0;
  }

  render(unit: ForceUnit): void {
    const last = this.lifts[this.lifts.length - 1];
    if (!last) {
      this.lastEl.innerHTML = `<p class="muted">No lift yet. Rest the loaded bar on the pins, pull, set it down and let it rest.</p>`;
      this.listEl.innerHTML = "";
      return;
    }
    const h = headline(last, unit, this.bodyWeightKg);
    this.lastEl.innerHTML = `<h3>Lift ${last.number}: ${esc(h.title)}</h3><ul class="headline">${h.lines.map((x) => `<li>${esc(x)}</li>`).join("")}</ul>` +
      (last.report && last.report.flags.length > 0 ? `<ul class="flags">${last.report.flags.map((f) => `<li>${esc(f)}</li>`).join("")}</ul>` : "");
    this.listEl.innerHTML = [...this.lifts].reverse().map((l) => {
      const hl = headline(l, unit, this.bodyWeightKg);
      const seal = l.boardRecord ? "board record ✓ (checksummed, in the board's lift log)" : "host only (not in the board's lift log); the page does not seal: `rackcell record` does";
      const rows = l.report ? l.report.metrics.map((m) => `<tr><th>${esc(m.label)}</th><td>${esc(m.value)}${m.note ? `<div class="note">${esc(m.note)}</div>` : ""}</td></tr>`).join("") : "";
      return `<li class="lift" data-kind="${esc(l.view.kind)}"><details><summary><b>${l.number}. ${esc(hl.title)}</b> at ${l.view.atS.toFixed(1)} s — ${esc(hl.lines[0])}</summary>` +
        `<p class="seal">${esc(seal)}</p>` +
        (rows ? `<table class="metrics">${rows}</table>` : `<p>${esc(hl.lines.join("; "))}</p>`) +
        (l.report?.flags.length ? `<p><b>Flags</b></p><ul class="flags">${l.report.flags.map((f) => `<li>${esc(f)}</li>`).join("")}</ul>` : "") +
        (l.report ? `<p><b>Method</b></p><ul class="method">${l.report.method.map((m) => `<li>${esc(m)}</li>`).join("")}</ul>` : "") +
        `</details></li>`;
    }).join("");
  }
}

/**
 * The History panel: the host's recorded sessions and lifts (HISTORY_PATH, host/web/history.ts),
 * each lift with the seal of its session and whether the board signed it, and the lifter's PRs.
 * Over Web Serial there is no host and no store: the panel says so.
 */
import { formatForce, fromNewtons, type ForceUnit } from "../../shared/units/force.ts";
import type { WebHistory } from "./protocol.ts";

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** "× 2.50 body weight" for a force against the lifter's weigh-in, "" when the lifter is unknown. */
export function bodyWeightText(forceN: number | null, bodyWeightKg: number | null | undefined): string {
  if (forceN === null || !Number.isFinite(forceN) || forceN <= 0 || !bodyWeightKg || bodyWeightKg <= 0) return "";
  return `× ${(fromNewtons(forceN, "kg") / bodyWeightKg).toFixed(2)} body weight`;
}

export const NEEDS_HOST = "History needs the host: the sessions are in the host's database. Start `rackcell web` (with `--athlete NAME` for a lifter's own) and open the page it prints.";

export function sealText(s: WebHistory["sessions"][number]): string {
  if (!s.sealed) return "not sealed";
  return s.sealIntact ? "sealed ✓" : `sealed, but changed since: ${s.sealProblems.join("; ")}`;
}

export function renderHistory(el: HTMLElement, h: WebHistory | null | Error, unit: ForceUnit): void {
  if (h instanceof Error) {
    el.innerHTML = `<p class="error">History: ${esc(h.message)}</p>`;
    el.dataset.state = "error";
    return;
  }
  if (!h) {
    el.innerHTML = `<p class="muted">${esc(NEEDS_HOST)}</p>`;
    el.dataset.state = "needs-host";
    return;
  }
  el.dataset.state = "ok";
  const bw = h.lifter?.bodyWeightKg ?? null;
  const choose = h.lifters.length === 0 ? "" : `<p><label>Lifter <select id="lifter"><option value="">everyone</option>` +
    h.lifters.map((x) => `<option${x.name === h.lifter?.name ? " selected" : ""}>${esc(x.name)}</option>`).join("") + `</select></label></p>`;
  const who = choose + (h.lifter ? `<p>${esc(h.lifter.name)}${bw ? `, ${bw.toFixed(1)} kg body weight` : ", not weighed in"}</p>` : "");
  const prs = h.prs.length ? `<p><b>PRs</b></p><ul class="prs">${h.prs.map((p) => `<li>${esc(p.cls)}: ${esc(p.loadKg !== undefined ? `${p.loadKg.toFixed(1)} kg` : formatForce(p.peakForceN ?? NaN, unit))}` +
    `${p.bodyWeightMultiple !== null ? ` (× ${p.bodyWeightMultiple.toFixed(2)} body weight)` : ""} on ${esc(p.day)}</li>`).join("")}</ul>` : "";
  const sessions = h.sessions.length === 0 ? `<p class="muted">No recorded sessions${h.lifter ? ` for ${esc(h.lifter.name)}` : ""} yet: \`rackcell record\` records one.</p>` :
    `<ul class="sessions">${h.sessions.map((s) => `<li class="session" data-session="${s.sessionId}"><b>#${s.sessionId}</b> ${esc(s.startedAt.replace("T", " ").slice(0, 16))}, ` +
      `${s.durationS.toFixed(0)} s, ${s.lifts.length} lift(s)${s.lifter ? `, ${esc(s.lifter)}` : ""} — <span class="seal">${esc(sealText(s))}</span>` +
      `<ul>${s.lifts.map((l) => {
        const force = l.kind === "rack pull" ? l.weighedLoadN : l.peakForceN;
        const what = l.kind === "rack pull" ? "on the pins" : "peak force";
        const mult = bodyWeightText(force, bw);
        return `<li class="history-lift" data-lift="${l.liftId}">${esc(l.kind)} at ${l.atS.toFixed(1)} s: ${what} ${force === null ? "–" : esc(formatForce(force, unit))}${mult ? ` (${esc(mult)})` : ""}` +
          ` — <span class="signature" data-state="${esc(l.signatureState)}">${esc(l.signatureText)}</span>, <span class="seal">${esc(sealText(s))}</span></li>`;
      }).join("")}</ul></li>`).join("")}</ul>`;
  el.innerHTML = who + prs + sessions;
}

/** The host's history (`athlete`: that lifter, "" everyone, undefined the host's choice); null when no host serves it. */
export async function fetchHistory(path: string, athlete?: string): Promise<WebHistory | null> {
  let r: Response;
  try {
    r = await fetch(athlete === undefined ? path : `${path}?athlete=${encodeURIComponent(athlete)}`, { cache: "no-store" });
  } catch {
    return null;
  }
  if (r.status === 404) return null; // a page no host serves (Web Serial) or a host without a store
  const body = (await r.json()) as WebHistory | { error: string };
  if ("error" in body) throw new Error(body.error);
  return body;
}

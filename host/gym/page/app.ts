/**
 * The gym page (`rackcell gym`): one tile per rack from the host's snapshots over the WebSocket
 * (live load, last lift, online or offline, integrity counts); a tile opens the rack's lifter
 * screen (host/web's page, `index.html?rack=NAME`). Bundled to dist/web/gym.js.
 */
import { formatCounts } from "../../cli/counts.ts";
import { formatForce, forceUnitFromText, type ForceUnit } from "../../../shared/units/force.ts";
import { WS_PATH } from "../../web/protocol.ts";
import { GYM_VIEW_QUERY, RACK_QUERY, type GymSnapshot, type RackTile } from "./protocol.ts";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
let unit: ForceUnit = "kg";
let last: GymSnapshot | null = null;

function status(text: string, kind: "ok" | "warn" | "error"): void {
  const el = $("status");
  el.textContent = text;
  el.dataset.kind = kind;
}

function force(n: number | null): string {
  return n === null ? "—" : formatForce(n, unit);
}

function lastLiftText(l: RackTile["lastLift"]): string {
  if (!l) return "no lift yet";
  const parts = [l.kind];
  if (l.weighedLoadN !== null) parts.push(`on the pins ${force(l.weighedLoadN)}`);
  if (l.peakForceN !== null) parts.push(`${l.kind === "rack pull" ? "pull peak" : "peak"} ${force(l.peakForceN)}`);
  const ago = Math.max(0, Math.round((Date.now() - l.atMs) / 1000));
  return `last lift: ${parts.join(" · ")} (${ago} s ago)`;
}

/** Creates the rack's tile once (a link to its lifter screen) and keeps it while the numbers change. */
function tileFor(rack: string): HTMLAnchorElement {
  const found = document.querySelector<HTMLAnchorElement>(`.tile[data-rack="${CSS.escape(rack)}"]`);
  if (found) return found;
  const a = document.createElement("a");
  a.className = "tile";
  a.dataset.rack = rack;
  a.href = `index.html?${RACK_QUERY}=${encodeURIComponent(rack)}`;
  a.innerHTML = `<div class="name"><span></span><span class="state"></span></div><div class="load"></div><div class="last"></div><div class="counts"></div>`;
  a.querySelector(".name span")!.textContent = rack;
  return a;
}

function render(): void {
  if (!last) return;
  const box = $("tiles");
  const tiles = last.racks.map((r) => {
    const a = tileFor(r.rack);
    a.dataset.online = String(r.online);
    a.dataset.lifts = String(r.lifts);
    a.dataset.liveTotalN = r.liveTotalN === null ? "" : String(r.liveTotalN);
    a.dataset.lastPeakForceN = r.lastLift?.peakForceN === null || !r.lastLift ? "" : String(r.lastLift.peakForceN);
    a.querySelector(".state")!.textContent = r.online ? "online" : "offline";
    a.querySelector(".load")!.textContent = force(r.liveTotalN);
    a.querySelector(".last")!.textContent = r.heard ? lastLiftText(r.lastLift) : "not heard since the host started";
    const counts = a.querySelector<HTMLElement>(".counts")!;
    counts.textContent = r.counts ? formatCounts(r.counts) : "";
    counts.dataset.state = r.counts && r.counts.corrupt + r.counts.missing + r.counts.duplicates > 0 ? "warn" : "ok";
    if (r.counts) for (const [k, v] of Object.entries(r.counts)) counts.dataset[k] = String(v);
    a.setAttribute("aria-label", `${r.rack}, ${r.online ? "online" : "offline"}, ${force(r.liveTotalN)}: open its lifter screen`);
    return a;
  });
  // keep the order by name without re-creating tiles (a click in progress stays on its tile)
  tiles.forEach((a, i) => {
    if (box.children[i] !== a) box.insertBefore(a, box.children[i] ?? null);
  });
  while (box.children.length > tiles.length) box.lastChild!.remove();
  const online = last.racks.filter((r) => r.online).length;
  $("gym-name").textContent = `· ${last.gym}`;
  if (last.racks.length === 0) status(`Connected to gym ${last.gym}: no rack heard yet`, "warn");
  else status(`Connected to gym ${last.gym}: ${last.racks.length} rack(s), ${online} online`, "ok");
}

function connect(): void {
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${WS_PATH}?${GYM_VIEW_QUERY}`);
  ws.onmessage = (ev) => {
    const m = JSON.parse(String(ev.data)) as GymSnapshot;
    if (m.t !== "gym") return;
    last = m;
    render();
  };
  ws.onclose = () => {
    status("Lost the host (is `rackcell gym` still running?) — trying again…", "error");
    setTimeout(connect, 2000);
  };
}

$("units").addEventListener("change", (e) => {
  unit = forceUnitFromText((e.target as HTMLSelectElement).value) || "kg";
  render();
});
connect();

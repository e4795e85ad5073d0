/**
 * The lifter's page. Two ways in, one page: through the host (`rackcell web` owns the port or an
 * emulated board and relays its lines over a WebSocket) or straight to the board with Web Serial.
 * Either way the page runs the host's own session code on the board's lines (host/session:
 * decoding, integrity, force from raw counts and calibration, lift detection, channel names) over
 * the host's own Connection (handshake, silence watchdog, reconnect). Bundled to dist/web/app.js.
 */
import type { BoardDefinition } from "../build/boards.ts";
import { formatCounts } from "../cli/counts.ts";
import { formatForce, forceUnitFromText, type ForceUnit } from "../../shared/units/force.ts";
import type { Connection } from "../transport/connection.ts";
import { TransportError } from "../transport/errors.ts";
import type { LineLink } from "../transport/link.ts";
import type { Session } from "../session/session.ts";
import { startSession } from "../session/start.ts";
import { LiveChart } from "./chart.ts";
import { FrameStore } from "./frames.ts";
import { openHostLink, type HostLink } from "./host-link.ts";
import { LiftList } from "./lifts.ts";
import { HISTORY_PATH, WS_PATH, type WebHistory } from "./protocol.ts";
import { fetchHistory, renderHistory } from "./history-panel.ts";
import { findGrantedPort, hasWebSerial, openSerialLink, portName } from "./serial-link.ts";
import { Tools } from "./tools.ts";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

interface Current {
  via: "host" | "serial";
  session: Session;
  connection: Connection;
  store: FrameStore;
  state: string;
  detail: string;
}

let unit: ForceUnit = "kg";
let current: Current | null = null;
let hostLink: HostLink | null = null;
/** the host's own link to the board, as the host reports it (hello, then every change) */
let hostState = { state: "connected", detail: "" };
let boards: BoardDefinition[] = [];
/** bumped on every new connection attempt: an older attempt's retry loop stops */
let attempt = 0;
const chart = new LiveChart($("chart"), () => current?.store ?? null);
const lifts = new LiftList($("last-lift"), $("lift-list"));
let history: WebHistory | null | Error = null;

/** The host's recorded history and lifter (none from a page no host serves); `athlete` as chosen on the page. */
async function loadHistory(athlete?: string): Promise<void> {
  history = await fetchHistory(HISTORY_PATH.slice(1), athlete).catch((e: Error) => e);
  lifts.bodyWeightKg = history instanceof Error ? null : history?.lifter?.bodyWeightKg ?? null;
  const chosenByKeyboard = document.activeElement?.id === "lifter";
  renderHistory($("history"), history, unit);
  if (chosenByKeyboard) document.getElementById("lifter")?.focus();
  lifts.render(unit);
}

function status(text: string, kind: "ok" | "warn" | "error" = "ok"): void {
  const el = $("status");
  el.textContent = text;
  el.dataset.kind = kind;
}

function boardDef(): BoardDefinition | null {
  const name = current?.session.info.board ?? "";
  return (current?.via === "host" ? hostLink?.hello.board : null) ?? boards.find((b) => b.name === name) ?? null;
}

function start(via: Current["via"], session: Session, connection: Connection): void {
  const store = new FrameStore(session.info.channels);
  const c: Current = { via, session, connection, store, state: "connected", detail: connection.path };
  current = c;
  lifts.clear();
  session.onFrame((f) => store.add(f, via === "host" && hostLink ? hostLink.lineAtMs : NaN));
  session.onEvent((e) => {
    if (current !== c) return;
    if (e.type === "lift") {
      // plates placed and taken off during a calibration or verification are not lifts
      if (tools.ranDuring(e.lift.fromS ?? e.lift.atS, e.lift.atS)) return;
      lifts.add(e.lift, store, unit);
      lifts.render(unit);
    } else if (e.type === "state") {
      c.state = e.state;
      c.detail = e.detail;
    } else if (e.type === "info") {
      renderInfo();
    }
  });
  setupReadings();
  renderInfo();
  lifts.render(unit);
}

async function stop(): Promise<void> {
  attempt++;
  const c = current;
  current = null;
  if (c) {
    c.session.close();
    await c.connection.close();
  }
}

/**
 * Connects with `open` (again every 2 s while it fails); the Connection reconnects after that.
 * With Web Serial the page watches the board's silence itself; through the host it does not: the
 * host's connection watches the board and says when it loses it, and a second watchdog on the
 * same silence would race the host's, drop a sound WebSocket and miss what the host said meanwhile.
 */
async function connect(via: Current["via"], path: string, open: () => Promise<LineLink>): Promise<void> {
  await stop();
  const mine = attempt;
  for (;;) {
    status(`Connecting to ${path}…`, "warn");
    try {
      const silenceMs = via === "serial" ? 3000 : 0;
      const { session, connection } = await startSession(path, { open, silenceMs, retryMs: 1000, handshake: { timeoutMs: 6000 } });
      if (mine !== attempt) {
        session.close();
        await connection.close();
        return;
      }
      start(via, session, connection);
      return;
    } catch (e) {
      if (mine !== attempt) return;
      status(`${(e as Error).message} — trying again…`, "error");
      await new Promise((r) => setTimeout(r, 2000));
      if (mine !== attempt) return;
    }
  }
}

async function connectHost(): Promise<void> {
  // the page's query goes with it: a host serving several boards (`rackcell gym`: ?rack=NAME) relays the one named
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${WS_PATH}${location.search}`;
  let first: HostLink;
  try {
    first = await openHostLink(url, 3000);
  } catch {
    status(hasWebSerial() ? "Not connected. Press “Connect over USB” to reach the board with Web Serial." : noWebSerialText(), hasWebSerial() ? "warn" : "error");
    return;
  }
  hostLink = first;
  boards = first.hello.boards.length > 0 ? first.hello.boards : boards;
  if (!first.hello.board) {
    await first.close();
    status(hasWebSerial() ? "The host serves this page without a board: press “Connect over USB” (Web Serial)." : noWebSerialText(), "warn");
    return;
  }
  $("connect-host").hidden = false;
  let reuse: HostLink | null = first;
  await connect("host", first.path, async () => {
    const link = reuse ?? (await openHostLink(url));
    reuse = null;
    hostLink = link;
    hostState = { state: link.hello.state, detail: link.hello.detail };
    link.onHostState((state, detail, info) => {
      hostState = { state, detail };
      // the host's link to the board is this page's: its losses, reconnects and board restarts are the session's
      if (current?.via === "host" && hostLink === link) current.session.linkChanged({ state, detail, info });
    });
    return link;
  });
}

function noWebSerialText(): string {
  return "This browser has no Web Serial (it needs Chrome or Edge on a computer, and a page from localhost or https). Start `rackcell web` and open the page it prints: the host then talks to the board.";
}

async function connectSerial(): Promise<void> {
  if (!hasWebSerial()) {
    status(noWebSerialText(), "error");
    return;
  }
  let port: SerialPort;
  try {
    port = await navigator.serial.requestPort();
  } catch {
    status("No port chosen. Plug the board in and press “Connect over USB” again.", "warn");
    return;
  }
  const info = port.getInfo();
  const name = portName(info);
  let chosen: SerialPort | null = port;
  hostLink = null;
  await connect("serial", name, async () => {
    const p = chosen ?? (await findGrantedPort(info));
    chosen = null;
    if (!p) throw new TransportError("NO_PORT", `${name}: the board is absent (unplugged?): plug it in and the page reconnects`);
    return openSerialLink(p, name);
  });
}

function setupReadings(): void {
  const names = current?.session.info.channelNames ?? [];
  $("readings").innerHTML = [...names, "total"].map((n, i) =>
    `<div class="reading${i === names.length ? " total" : ""}"><div class="label">${esc(n)}</div><div class="value" data-ch="${i === names.length ? "total" : i}">—</div></div>`).join("");
  chart.setup(names, unit);
}

function renderInfo(): void {
  const s = current?.session;
  if (!s) return;
  const i = s.info;
  const rows: [string, string][] = [
    ["board", i.board], ["firmware", `${i.firmware} ${i.build}`], ["sample rate", `${i.sps} SPS`],
    ["channels", i.channelNames.join(", ")], ["calibration", `${i.calibration}${i.calibrationId ? ` (${i.calibrationId})` : ""}`],
    ["connected", `${current!.via === "host" ? "through the host" : "Web Serial"}: ${current!.connection.path}${current!.via === "host" && hostLink?.hello.emulated ? " (emulated board)" : ""}`],
  ];
  $("board-info").innerHTML = rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("");
}

function tick(): void {
  const c = current;
  if (c) {
    const live = c.session.live;
    for (const el of Array.from($("readings").querySelectorAll<HTMLElement>(".value"))) {
      const ch = el.dataset.ch!;
      el.textContent = formatForce(ch === "total" ? live.totalN : live.forceN[Number(ch)], unit);
    }
    const k = c.session.counts;
    $("integrity").textContent = formatCounts(k);
    $("integrity").dataset.state = k.corrupt + k.missing > 0 ? "warn" : "ok";
    for (const [key, v] of Object.entries(k)) $("integrity").dataset[key] = String(v);
    if (c.via === "host" && hostState.state !== "connected") status(`The host lost the board (${hostState.detail}) — it reconnects by itself…`, "warn");
    else if (c.state === "connected") status(`Connected ${c.via === "host" ? "through the host" : "with Web Serial"}: ${c.connection.path}`, "ok");
    else status(`${c.state}: ${c.detail} — reconnecting by itself…`, "warn");
    const perf = $("perf");
    const upd = chart.updateMs.percentile(95);
    const lat = chart.latencyMs.percentile(95);
    perf.dataset.updateP95Ms = String(upd);
    perf.dataset.latencyP95Ms = String(lat);
    perf.dataset.behind = String(chart.behind());
    perf.dataset.drawn = String(chart.drawn);
    perf.dataset.drawnSeq = String(chart.drawnSeq);
    perf.textContent = `chart update ${Number.isFinite(upd) ? upd.toFixed(1) : "–"} ms (95 %), ${chart.behind()} frames waiting` +
      (Number.isFinite(lat) ? `, host → screen ${lat.toFixed(0)} ms (95 %)` : "");
  }
}

function frame(): void {
  chart.update();
  requestAnimationFrame(frame);
}

function download(): void {
  const c = current;
  if (!c || c.store.length === 0) {
    status("Nothing to download yet: connect a board first.", "warn");
    return;
  }
  const blob = new Blob([c.store.csv(c.session.info.channelNames)], { type: "text/csv" });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = `rackcell-${new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19)}.csv`;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

const tools = new Tools({
  session: () => current?.session ?? null,
  board: boardDef,
  hostPlace: () => (current?.via === "host" && hostLink?.hello.emulated ? (p) => hostLink!.place(p) : null),
  changed: renderInfo,
});
$("connect-serial").addEventListener("click", () => void connectSerial());
$("connect-host").addEventListener("click", () => void connectHost());
$("download").addEventListener("click", download);
$("units").addEventListener("change", (e) => {
  unit = forceUnitFromText((e.target as HTMLSelectElement).value) || "kg";
  chart.setup(current?.session.info.channelNames ?? [], unit);
  lifts.reanalyse(current?.store ?? null, unit);
  lifts.render(unit);
  renderHistory($("history"), history, unit);
});
window.addEventListener("resize", () => chart.resize());
if (!hasWebSerial()) $("connect-serial").title = noWebSerialText();
setInterval(tick, 100);
requestAnimationFrame(frame);
fetch("boards.json").then((r) => r.json()).then((b: BoardDefinition[]) => {
  if (boards.length === 0) boards = b;
}).catch(() => undefined);
$("history").addEventListener("change", (e) => {
  const t = e.target as HTMLSelectElement;
  if (t.id === "lifter") void loadHistory(t.value);
});
void loadHistory();
void connectHost();

/**
 * The live page: connects to the board with the Web Serial API, decodes the frames with the same
 * codec as the board and the host, shows force per pin and in total with a chart, the peak and
 * the integrity counts, and records to a CSV download. Bundled to dist/web/app.js.
 */
import { encodeCommand } from "../../shared/protocol/messages.ts";
import { LineSplitter, LiveModel, formatForce, toUnit, type Unit } from "./live.ts";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const model = new LiveModel(10);
let unit: Unit = "kg";
let writer: WritableStreamDefaultWriter<Uint8Array> | null = null;
let dirty = true;

function status(text: string, error = false): void {
  const el = $("status");
  el.textContent = text;
  el.className = error ? "error" : "";
}

async function send(line: string): Promise<void> {
  if (!writer) return;
  const bytes = new Uint8Array(line.length + 1);
  for (let i = 0; i < line.length; i++) bytes[i] = line.charCodeAt(i) & 255;
  bytes[line.length] = 10;
  await writer.write(bytes);
}

async function connect(): Promise<void> {
  if (!("serial" in navigator)) {
    status("This browser has no Web Serial: use Chrome or Edge (desktop).", true);
    return;
  }
  let port: SerialPort;
  try {
    port = await navigator.serial.requestPort();
  } catch {
    status("No port chosen.");
    return;
  }
  try {
    await port.open({ baudRate: 115200 });
  } catch (e) {
    status(`Could not open the port: ${(e as Error).message} (is another program using it?)`, true);
    return;
  }
  status("Connected.");
  ($("connect") as HTMLButtonElement).disabled = true;
  writer = port.writable ? port.writable.getWriter() : null;
  void send(encodeCommand(Math.floor(Math.random() * 900000) + 1, "info", []));
  const splitter = new LineSplitter();
  while (port.readable) {
    const reader = port.readable.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        if (value) splitter.push(value, (l) => model.line(l));
        dirty = true;
      }
    } catch (e) {
      status(`Connection lost: ${(e as Error).message}`, true);
      break;
    } finally {
      reader.releaseLock();
    }
  }
  ($("connect") as HTMLButtonElement).disabled = false;
}

function drawChart(): void {
  const canvas = $("chart") as HTMLCanvasElement;
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  const w = canvas.width;
  const h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  const hist = model.history;
  if (hist.length < 2) return;
  const t1 = hist[hist.length - 1].timeS;
  const t0 = t1 - model.keepS;
  let lo = 0;
  let hi = 1;
  const nch = hist[hist.length - 1].forceN.length;
  for (const s of hist) {
    for (const v of [...s.forceN, s.totalN]) if (Number.isFinite(v)) {
      const u = toUnit(v, unit);
      if (u < lo) lo = u;
      if (u > hi) hi = u;
    }
  }
  const pad = { l: 60, r: 10, t: 10, b: 24 };
  const x = (t: number) => pad.l + ((t - t0) / (t1 - t0)) * (w - pad.l - pad.r);
  const y = (v: number) => h - pad.b - ((v - lo) / (hi - lo)) * (h - pad.t - pad.b);
  ctx.strokeStyle = "#ddd";
  ctx.fillStyle = "#555";
  ctx.font = "12px sans-serif";
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    ctx.beginPath();
    ctx.moveTo(pad.l, y(v));
    ctx.lineTo(w - pad.r, y(v));
    ctx.stroke();
    ctx.fillText(`${v.toFixed(0)} ${unit}`, 4, y(v) + 4);
  }
  const line = (get: (s: (typeof hist)[number]) => number, color: string, width: number) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.beginPath();
    let pen = false;
    for (const s of hist) {
      const v = get(s);
      if (!Number.isFinite(v)) {
        pen = false;
        continue;
      }
      if (pen) ctx.lineTo(x(s.timeS), y(toUnit(v, unit)));
      else ctx.moveTo(x(s.timeS), y(toUnit(v, unit)));
      pen = true;
    }
    ctx.stroke();
  };
  const colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd"];
  if (nch > 1) for (let c = 0; c < nch; c++) line((s) => s.forceN[c], colors[c % 4], 1.2);
  line((s) => s.totalN, "#222", 2);
}

function render(): void {
  if (dirty) {
    dirty = false;
    const s = model.last;
    const f = s?.forceN ?? [];
    $("left-force").textContent = f.length >= 2 ? formatForce(f[0], unit) : "—";
    $("right-force").textContent = f.length >= 2 ? formatForce(f[1], unit) : "—";
    $("total-force").textContent = s ? formatForce(s.totalN, unit) : "—";
    $("peak-force").textContent = formatForce(model.peakN, unit);
    $("count-good").textContent = String(model.good);
    $("count-corrupt").textContent = String(model.corrupt);
    $("count-missing").textContent = String(model.missing);
    $("count-duplicates").textContent = String(model.duplicates);
    $("count-recorded").textContent = String(model.recorded.length);
    $("board-info").textContent = model.board ? `board ${model.board}, ${model.sps} SPS` : "";
    drawChart();
  }
  requestAnimationFrame(render);
}

$("connect").addEventListener("click", () => void connect());
$("units").addEventListener("change", (e) => {
  unit = (e.target as HTMLSelectElement).value as Unit;
  dirty = true;
});
$("reset-peak").addEventListener("click", () => {
  model.resetPeak();
  dirty = true;
});
$("record").addEventListener("click", () => {
  model.recording = !model.recording;
  if (model.recording) model.recorded.length = 0;
  $("record").textContent = model.recording ? "Stop" : "Record";
  ($("download") as HTMLButtonElement).disabled = model.recording || model.recorded.length === 0;
  dirty = true;
});
$("download").addEventListener("click", () => {
  const blob = new Blob([model.csv()], { type: "text/csv" });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = `rackcell-${new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19)}.csv`;
  document.body.appendChild(a);
  a.click();
  a.remove();
});
requestAnimationFrame(render);

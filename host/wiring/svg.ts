import { el, esc, svgDocument } from "../report/svg.ts";
import { fromNewtons } from "../../shared/units/force.ts";
import { NODEMCU_V3_PINS } from "./pinout.ts";
import { CELL_TERMINALS, SUPPLY_VOLTS, type Connection, type End, type Wiring } from "./wiring.ts";

/**
 * The wiring picture: the NodeMCU v3 with both headers (D numbers and GPIO), one HX711 per
 * channel (SCK and DT as wires from the header; VCC, VDD, GND and RATE as named tags: tags with
 * the same name are one connection), and each load cell's four wires in their colours. Every
 * connection of the model is one `<g data-from data-to>` group, so a test can check the picture
 * against the board file.
 */

/** Left header of a NodeMCU v3, antenna end first. */
const LEFT_HEADER = ["A0", "RSV", "RSV", "SD3", "SD2", "SD1", "CMD", "SD0", "CLK", "GND", "3V3", "EN", "RST", "GND", "VIN"];
/** Right header, antenna end first: D numbers, and the power pins between them. */
const RIGHT_HEADER: (number | string)[] = [0, 1, 2, 3, 4, "3V3", "GND", 5, 6, 7, 8, 9, 10, "GND", "3V3"];

const PITCH = 26;
const MCU = { x: 110, y: 110, w: 250, top: 44 };
const LANE_X0 = 480;
const LANE_STEP = 16;
const HX = { x: 650, w: 280, h: 150, tagSpace: 58, gap: 24 };
const CELL = { x: 1070, w: 180 };
const WIDTH = 1290;

/** Net colours: one per supply, so the tags read at a glance. */
const NET: Record<string, string> = { VIN: "#c62828", "3V3": "#ef6c00", VDD: "#ef6c00", GND: "#212121" };
const SIGNAL: Record<string, string> = { SCK: "#1565c0", DT: "#6a1b9a" };
const SAFE = "#ad1457";
/** Stroke colour for a cell wire named by its colour; white and yellow get a dark outline. */
const WIRE: Record<string, string> = { red: "#d32f2f", black: "#212121", green: "#2e7d32", white: "#ffffff", blue: "#1565c0", yellow: "#fdd835" };

function key(e: End): string {
  return `${e.part} ${e.pin}`;
}

function group(c: Connection, body: string): string {
  return el("g", { "data-from": key(c.from), "data-to": key(c.to) }, `\n${body}\n`);
}

function text(x: number, y: number, s: string, a: Record<string, string | number> = {}): string {
  return el("text", { x, y, ...a }, esc(s));
}

/** A rounded tag with a name in it, anchored at its left (dir 1), right (dir -1) or centre (dir 0). */
function tag(x: number, y: number, label: string, colour: string, dir: 1 | -1 | 0): string {
  const w = 8 + label.length * 7.2;
  const left = dir === 1 ? x : dir === -1 ? x - w : x - w / 2;
  return [
    el("rect", { x: left, y: y - 10, width: w, height: 20, rx: 9, fill: "#fff", stroke: colour, "stroke-width": 1.6 }),
    text(left + w / 2, y + 4.5, label, { "text-anchor": "middle", fill: colour, "font-weight": "bold" }),
  ].join("\n");
}

function pad(x: number, y: number, used: boolean): string {
  return el("circle", { cx: x, cy: y, r: 4.5, fill: used ? "#fbc02d" : "#e0e0e0", stroke: "#555", "stroke-width": 1 });
}

function hxTop(c: number): number {
  return 100 + c * (HX.tagSpace + HX.h + HX.gap) + HX.tagSpace;
}

/** The wiring of one board as an SVG document. */
export function wiringSvg(w: Wiring): string {
  const parts: string[] = [];
  const n = w.channels.length;
  const mcuH = MCU.top + LEFT_HEADER.length * PITCH + 40;
  const drawingBottom = Math.max(MCU.y + mcuH, hxTop(n - 1) + HX.h) + 30;
  parts.push(text(24, 32, `${w.board}: wiring`, { "font-size": 20, "font-weight": "bold" }));
  parts.push(text(24, 54, w.description, { "font-size": 13, fill: "#444" }));
  parts.push(text(24, 74, `Named tags are one connection: ${w.hx711Vcc === "VIN" ? "every VIN tag to the NodeMCU's VIN, " : ""}every 3V3 to its 3V3, every GND to a GND. RATE to ${w.ratePin}: ${w.sampleRateSps} samples/s.`, { "font-size": 12, fill: "#444" }));

  // NodeMCU with both headers
  const rowY = (i: number) => MCU.y + MCU.top + i * PITCH;
  const usedD = new Set<number>([w.safeMode.d, ...w.channels.flatMap((c) => [c.sck.d, c.dt.d])]);
  const usedPower = new Set<string>([w.hx711Vcc, "3V3", "GND"]);
  parts.push(el("rect", { x: MCU.x, y: MCU.y, width: MCU.w, height: mcuH, rx: 10, fill: "#263238" }));
  parts.push(el("rect", { x: MCU.x + 70, y: MCU.y + 8, width: MCU.w - 140, height: 28, rx: 3, fill: "#90a4ae" }));
  parts.push(text(MCU.x + MCU.w / 2, MCU.y + 27, "ESP-12 (antenna)", { "text-anchor": "middle", "font-size": 11 }));
  parts.push(el("rect", { x: MCU.x + MCU.w / 2 - 28, y: MCU.y + mcuH - 22, width: 56, height: 22, rx: 3, fill: "#b0bec5" }));
  parts.push(text(MCU.x + MCU.w / 2, MCU.y + mcuH - 7, "USB", { "text-anchor": "middle", "font-size": 11 }));
  parts.push(text(MCU.x + MCU.w / 2, MCU.y - 10, "NodeMCU v3 · ESP8266", { "text-anchor": "middle", "font-size": 15, "font-weight": "bold" }));
  LEFT_HEADER.forEach((name, i) => {
    // the right header's 3V3 and GND carry those nets; VIN is only on this side
    const used = name === "VIN" && w.hx711Vcc === "VIN";
    parts.push(pad(MCU.x, rowY(i), used));
    parts.push(text(MCU.x + 10, rowY(i) + 4, name, { fill: used ? "#fff" : "#90a4ae", "font-size": 11, "font-weight": used ? "bold" : "normal" }));
  });
  const vinRow = w.hx711Vcc === "VIN" ? LEFT_HEADER.indexOf("VIN") : -1;
  const firstRight = (name: string) => RIGHT_HEADER.indexOf(name);
  RIGHT_HEADER.forEach((p, i) => {
    const y = rowY(i);
    const used = typeof p === "number" ? usedD.has(p) : i === firstRight(p) && usedPower.has(p);
    let label: string;
    if (typeof p === "number") {
      const pin = NODEMCU_V3_PINS.find((x) => x.d === p)!;
      label = p === 9 ? "RX · GPIO3" : p === 10 ? "TX · GPIO1" : `D${p} · GPIO${pin.gpio}`;
    } else label = p;
    parts.push(pad(MCU.x + MCU.w, y, used));
    parts.push(text(MCU.x + MCU.w - 10, y + 4, label, { "text-anchor": "end", fill: used ? "#fff" : "#90a4ae", "font-size": 11, "font-weight": used ? "bold" : "normal" }));
  });
  if (vinRow >= 0) parts.push(tag(MCU.x - 10, rowY(vinRow), `VIN ${SUPPLY_VOLTS.VIN} V`, NET.VIN, -1));
  parts.push(tag(MCU.x + MCU.w + 10, rowY(firstRight("3V3")), "3V3", NET["3V3"], 1));
  parts.push(tag(MCU.x + MCU.w + 10, rowY(firstRight("GND")), "GND", NET.GND, 1));

  // one HX711 and one cell per channel
  let lane = 0;
  const byPart = (part: string) => w.connections.filter((c) => c.to.part === part || c.from.part === part);
  w.channels.forEach((ch, c) => {
    const top = hxTop(c);
    const hx = `HX711 ${ch.name}`;
    parts.push(el("rect", { x: HX.x, y: top, width: HX.w, height: HX.h, rx: 6, fill: "#2e7d32" }));
    parts.push(text(HX.x + HX.w / 2, top + HX.h / 2 + 8, `HX711 · ${ch.name}`, { "text-anchor": "middle", fill: "#fff", "font-size": 14, "font-weight": "bold" }));
    parts.push(text(HX.x + HX.w / 2, top + HX.h / 2 + 26, ch.reader === "hx711-module" ? "read by the hx711 module" : "read by GPIO (bit-banged)", { "text-anchor": "middle", fill: "#c8e6c9", "font-size": 11 }));
    const conns = byPart(hx);
    // SCK and DT: wires from the header, each in its own vertical lane
    const leftPins = ["SCK", "DT"];
    leftPins.forEach((pinName, k) => {
      const conn = conns.find((x) => x.to.part === hx && x.to.pin === pinName)!;
      const y = top + 34 + k * 34;
      const fromRow = RIGHT_HEADER.indexOf(conn.from.d!);
      const y0 = rowY(fromRow);
      const x0 = MCU.x + MCU.w;
      const lx = LANE_X0 + lane++ * LANE_STEP;
      const colour = SIGNAL[pinName];
      const body = [
        el("polyline", { points: `${x0},${y0} ${lx},${y0} ${lx},${y} ${HX.x},${y}`, fill: "none", stroke: colour, "stroke-width": 2.2 }),
        pad(HX.x, y, true),
        text(HX.x + 10, y + 4, pinName, { fill: "#fff", "font-weight": "bold" }),
        text(HX.x - 6, y - 6, `D${conn.from.d} · GPIO${conn.from.gpio}`, { "text-anchor": "end", "font-size": 11, fill: colour }),
      ].join("\n");
      parts.push(group(conn, body));
    });
    // supplies and RATE: pads on the top edge, each with the tag of the net it goes to
    const topPins: { pin: string; net: string; conn: Connection }[] = [
      { pin: "VCC", net: w.hx711Vcc, conn: conns.find((x) => x.to.pin === "VCC")! },
      { pin: "VDD", net: "3V3", conn: conns.find((x) => x.to.pin === "VDD")! },
      { pin: "GND", net: "GND", conn: conns.find((x) => x.to.pin === "GND" && x.from.part === "NodeMCU")! },
      { pin: "RATE", net: `${w.ratePin} · ${w.sampleRateSps} SPS`, conn: conns.find((x) => x.from.pin === "RATE")! },
    ];
    topPins.forEach((t, k) => {
      const x = HX.x + 36 + k * 68;
      const colour = t.pin === "RATE" ? NET[w.ratePin] : NET[t.net];
      const tagY = top - 22 - (k % 2) * 22;
      const body = [
        el("line", { x1: x, y1: top, x2: x, y2: tagY + 10, stroke: colour, "stroke-width": 2 }),
        pad(x, top, true),
        text(x, top + 18, t.pin, { "text-anchor": "middle", fill: "#fff", "font-weight": "bold" }),
        tag(x, tagY, t.net === w.hx711Vcc && t.pin === "VCC" ? `${t.net} ${SUPPLY_VOLTS[t.net]} V` : t.net, colour, 0),
      ].join("\n");
      parts.push(group(t.conn, body));
    });
    // the cell's four wires, in their colours
    const cellTop = top + 8;
    const cellH = HX.h - 16;
    parts.push(el("rect", { x: CELL.x, y: cellTop, width: CELL.w, height: cellH, rx: 4, fill: "#cfd8dc", stroke: "#607d8b" }));
    parts.push(text(CELL.x + CELL.w / 2 + 14, cellTop + 34, `load cell · ${ch.name}`, { "text-anchor": "middle", "font-weight": "bold" }));
    parts.push(text(CELL.x + CELL.w / 2 + 14, cellTop + 54, `rated ${Math.round(fromNewtons(ch.cellCapacityN, "kg"))} kg (${Math.round(ch.cellCapacityN)} N)`, { "text-anchor": "middle", "font-size": 11 }));
    parts.push(text(CELL.x + CELL.w / 2 + 14, cellTop + 72, `excitation ${ch.cellExcitationV} V`, { "text-anchor": "middle", "font-size": 11 }));
    CELL_TERMINALS.forEach((t, k) => {
      const conn = conns.find((x) => x.from.part === hx && x.from.pin === t)!;
      const y = top + 34 + k * 28;
      const x0 = HX.x + HX.w;
      const stroke = WIRE[conn.wire!.toLowerCase()] ?? "#9e9e9e";
      const body = [
        el("line", { x1: x0, y1: y, x2: CELL.x, y2: y, stroke: "#424242", "stroke-width": 5 }),
        el("line", { x1: x0, y1: y, x2: CELL.x, y2: y, stroke, "stroke-width": 3 }),
        pad(x0, y, true),
        text(x0 - 10, y + 4, t, { "text-anchor": "end", fill: "#fff", "font-weight": "bold" }),
        text((x0 + CELL.x) / 2, y - 6, conn.wire!, { "text-anchor": "middle", "font-size": 11 }),
        text(CELL.x + 6, y + 4, t, { "font-size": 11 }),
      ].join("\n");
      parts.push(group(conn, body));
    });
  });

  // safe mode: a tag on its header pin
  const safeConn = w.connections.find((c) => c.to.part === "NodeMCU" && c.from.d === w.safeMode.d)!;
  const safeRow = RIGHT_HEADER.indexOf(w.safeMode.d);
  parts.push(group(safeConn, tag(MCU.x + MCU.w + 10, rowY(safeRow), "safe mode", SAFE, 1)));

  // notes
  let y = drawingBottom;
  parts.push(text(24, y, "Notes", { "font-weight": "bold", "font-size": 14 }));
  for (const note of w.notes) {
    for (const line of wrap(note, 170)) {
      y += 18;
      parts.push(text(24, y, line, { "font-size": 12 }));
    }
  }
  return svgDocument(WIDTH, y + 24, parts.join("\n"));
}

function wrap(s: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of s.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      out.push(line);
      line = `  ${word}`;
    } else line = line === "" ? `• ${word}` : `${line} ${word}`;
  }
  if (line !== "") out.push(line);
  return out;
}

import { describe, expect, it } from "vitest";
import { encodeRecord } from "../../shared/protocol/messages.ts";
import { infoJson, infoText } from "../cli/commands/info.ts";
import { LiveView, renderScreen } from "../cli/live-view.ts";
import { conversionIntervalsUs, parseBoardInfo, ratePinWarnings, RATE_PIN_LOW_INTERVAL_US } from "./board-info.ts";
import { Session, type LineSource, type SessionEvent } from "./session.ts";

/**
 * The RATE pin check, host side: the board reports `cvus<i>` (mean µs between conversions of
 * channel i) in its info reply and in every `H` heartbeat; a board declared at 80 SPS whose
 * channel converts slower than every 50 ms has its HX711's RATE pin low.
 */
const INFO = { fw: "rackcell", sps: "80", ch: "2", k0: "0.01", z0: "0", k1: "0.01", z1: "0" };

function source() {
  const subs = new Set<(l: string) => void>();
  const src: LineSource & { feed(l: string): void } = {
    onLine: (cb) => (subs.add(cb), () => subs.delete(cb)),
    write: async () => {},
    feed: (l) => subs.forEach((cb) => cb(l)),
  };
  return src;
}

describe("cvus<i>: the measured conversion interval", () => {
  it("is parsed per channel as integer µs; absent, malformed or 0 (not measured yet) is NaN", () => {
    expect(conversionIntervalsUs({ cvus0: "12500", cvus1: "100000" }, 2)).toEqual([12500, 100000]);
    expect(conversionIntervalsUs({ cvus0: "12500" }, 2)).toEqual([12500, NaN]);
    for (const bad of ["", "abc", "-5", "1.5", "0", "1e5"]) expect(conversionIntervalsUs({ cvus0: bad }, 1), bad).toEqual([NaN]);
  });

  it("comes with the info reply", () => {
    const info = parseBoardInfo({ ...INFO, cvus0: "12480", cvus1: "99950" });
    expect(info.conversionIntervalUs).toEqual([12480, 99950]);
    expect(parseBoardInfo(INFO).conversionIntervalUs).toEqual([NaN, NaN]);
  });

  it("comes with every heartbeat", () => {
    const src = source();
    const s = new Session(src, INFO, { analyse: false });
    const beats: SessionEvent[] = [];
    s.onEvent((e) => e.type === "heartbeat" && beats.push(e));
    src.feed(encodeRecord("H", ["seq", "80", "ms", "1000", "cvus0", "12500", "cvus1", "100120"]));
    src.feed(encodeRecord("H", ["seq", "160", "ms", "2000"]));
    expect(beats).toMatchObject([{ conversionIntervalUs: [12500, 100120] }, { conversionIntervalUs: [NaN, NaN] }]);
    s.close();
  });
});

describe("RATE pin low?", () => {
  it("warns for a channel of an 80 SPS board converting slower than every 50 ms, and only then", () => {
    const w = ratePinWarnings(80, [12500, 100120], ["left", "right"]);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ channel: 1, intervalUs: 100120 });
    expect(w[0].text).toMatch(/^channel 1 \(right\) converts every 100\.1 ms: RATE pin low\? .*tie its HX711's RATE pin to VDD/);
    expect(ratePinWarnings(80, [RATE_PIN_LOW_INTERVAL_US, RATE_PIN_LOW_INTERVAL_US + 1])).toMatchObject([{ channel: 1 }]);
    expect(ratePinWarnings(80, [10870, 13000])).toEqual([]); // 92 SPS crystals and slow ones are fine
    expect(ratePinWarnings(10, [100000, 100000])).toEqual([]); // a 10 SPS board is meant to
    expect(ratePinWarnings(80, [NaN, NaN])).toEqual([]);
  });

  it("`rackcell info` shows each channel's interval and the warning", () => {
    const text = infoText("/dev/ttyUSB0", false, parseBoardInfo({ ...INFO, cvus0: "12500", cvus1: "100000" })).join("\n");
    expect(text).toMatch(/left .*; converts every 12\.5 ms/);
    expect(text).toMatch(/right .*; converts every 100 ms/);
    expect(text).toMatch(/^warning: channel 1 \(right\) converts every 100 ms: RATE pin low\?/m);
    expect(infoText("/dev/ttyUSB0", false, parseBoardInfo({ ...INFO, cvus0: "12500", cvus1: "12510" })).join("\n")).not.toMatch(/warning/);
  });

  it("`rackcell info --json` gives the intervals as numbers, and the warnings", () => {
    const json = JSON.parse(JSON.stringify(infoJson("/dev/ttyUSB0", false, parseBoardInfo({ ...INFO, cvus0: "12500", cvus1: "0" }))));
    expect(json.conversionIntervalUs).toEqual([12500, null]);
    expect(json.warnings).toEqual([]);
    const low = infoJson("/dev/ttyUSB0", false, parseBoardInfo({ ...INFO, cvus0: "100000", cvus1: "12500" }));
    expect(low.warnings).toEqual([expect.stringMatching(/^channel 0 \(left\) converts every 100 ms: RATE pin low\?/)]);
    expect(infoJson("/dev/ttyUSB0", false, parseBoardInfo(INFO))).not.toHaveProperty("conversionIntervalUs");
  });

  it("`rackcell live` says it once per channel in plain output, and keeps it on the screen", () => {
    const src = source();
    const s = new Session(src, INFO, { analyse: false });
    let plain = "";
    const view = new LiveView(s, { unit: "N", title: "t", out: { write: (x: string) => ((plain += x), true), isTTY: false } });
    for (let i = 1; i <= 3; i++) src.feed(encodeRecord("H", ["seq", String(80 * i), "ms", String(1000 * i), "cvus0", "100000", "cvus1", "12500"]));
    expect(plain.match(/warning: channel 0 \(left\) converts every 100 ms: RATE pin low\?/g)).toHaveLength(1);
    expect(plain).not.toMatch(/channel 1/);
    const screen = renderScreen(view.snapshot(), "N");
    expect(screen).toMatch(/warning: channel 0 \(left\) converts every 100 ms: RATE pin low\?/);
    src.feed(encodeRecord("H", ["seq", "400", "ms", "5000", "cvus0", "12500", "cvus1", "12500"]));
    expect(renderScreen(view.snapshot(), "N")).not.toMatch(/RATE pin low/);
    s.close();
  });
});

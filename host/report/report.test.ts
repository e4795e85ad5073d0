import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { expRise, lcgNoise, rackPull } from "../../shared/analysis/fixtures.host.ts";
import { STANDARD_GRAVITY_MPS2 } from "../../shared/units/force.ts";
import { buildReport, reportText, type LiftRecord } from "./lift.ts";
import { forceTimeSvg, svgToPng } from "./plot.ts";

/** An isometric pull at 80 SPS as the pins see it: pin load = −(pull force), split 52/48. */
function isoRecord(): LiftRecord {
  const c = expRise(300, 2500, 8, 2000, 12.5, 6000);
  const noise = lcgNoise(c.forceN.length, 2, 7);
  const pull = c.forceN.map((f, i) => f + noise[i]);
  return {
    kind: "isometric", timesMs: c.timesMs, totalN: pull.map((f) => -f),
    leftN: pull.map((f) => -0.52 * f), rightN: pull.map((f) => -0.48 * f), title: "IMTP test", bodyMassKg: 80,
  };
}

function rackRecord(): LiftRecord {
  const c = rackPull(4900, 4900, 3);
  return { kind: "rackpull", timesMs: c.timesMs, totalN: c.forceN, leftN: c.forceN.map((f) => f / 2), rightN: c.forceN.map((f) => f / 2) };
}

function wellFormed(svg: string): void {
  expect(svg.startsWith("<?xml")).toBe(true);
  expect(svg).toMatch(/<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*>/);
  expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
  expect(svg).not.toMatch(/NaN|undefined|Infinity/);
  // every element closes: count open tags against closing ones (self-closing excluded)
  const opens = (svg.match(/<(?!\/|\?)[a-z]+[^>]*[^/]>/g) ?? []).length;
  const closes = (svg.match(/<\/[a-z]+>/g) ?? []).length;
  expect(opens).toBe(closes);
}

describe("lift report", () => {
  it("isometric: metrics with units, resolution, raw and model RFD, flags, method", () => {
    const rep = buildReport(isoRecord(), "kg");
    const text = reportText(rep);
    expect(rep.iso?.raw.found).toBe(true);
    expect(text).toMatch(/peak force \(gross\)\s+2\d\d\.\d kg/);
    expect(text).toMatch(/time to peak\s+\d+ ms ± 13 ms/);
    expect(text).toMatch(/RFD 0–100 ms\s+raw \d+ kg\/s \(unreliable\) \| model \d+ kg\/s/);
    expect(text).toMatch(/asymmetry at peak\s+4\.0 %/);
    expect(text).toMatch(/RFD from 80 Hz samples is unreliable/);
    expect(text).toMatch(/Dos'Santos/);
    expect(buildReport(isoRecord(), "N").metrics.find((m) => m.label === "peak force (gross)")?.value).toMatch(/^\d+ N$/);
    expect(buildReport(isoRecord(), "lbf").metrics.find((m) => m.label === "peak force (gross)")?.value).toMatch(/ lbf$/);
  });
  it("rack pull: weighed load ± U, lift-off ± resolution, hold, re-weigh", () => {
    const text = reportText(buildReport(rackRecord(), "kg"));
    // no calibration uncertainty given: the ± says it is the resting window's noise alone
    expect(text).toMatch(/weighed load\s+499\.\d kg ± 0\.\d kg \(k = 2, noise only\)/);
    expect(text).toMatch(/the calibration's own uncertainty is not known here/);
    const withCal = reportText(buildReport({ ...rackRecord(), calibrationUncertaintyN: STANDARD_GRAVITY_MPS2 }, "kg"));
    expect(withCal).toMatch(/weighed load\s+499\.\d kg ± 2\.0 kg \(k = 2\)/);
    expect(text).toMatch(/time to lift-off\s+\d+ ms ± 13 ms/);
    expect(text).toMatch(/hold off the pins\s+\d\.\d\d s/);
  });
  it("SVG: well-formed, per-pin and total lines, onset/peak/lift-off markers", () => {
    const iso = forceTimeSvg(buildReport(isoRecord(), "kg"));
    wellFormed(iso);
    for (const c of ["series left", "series right", "series total", "marker onset", "marker peak", "peak-point"]) expect(iso).toContain(`class="${c}"`);
    expect(iso).toContain("pull force (kg)");
    const rack = forceTimeSvg(buildReport(rackRecord(), "N"));
    wellFormed(rack);
    for (const c of ["marker onset", "marker liftoff", "marker setdown"]) expect(rack).toContain(`class="${c}"`);
  });
  it("PNG: signature and plausible size; written for a look", async () => {
    const png = await svgToPng(forceTimeSvg(buildReport(isoRecord(), "kg")));
    expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    expect(png.readUInt32BE(16)).toBe(900); // IHDR width
    expect(png.readUInt32BE(20)).toBe(480);
    expect(png.length).toBeGreaterThan(10_000);
    expect(png.length).toBeLessThan(2_000_000);
    fs.writeFileSync(path.join(os.tmpdir(), "rackcell-report-test.png"), png);
  });
});

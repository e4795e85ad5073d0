import { describe, expect, it } from "vitest";
import { CALIBRATED_PLATES, parsePlates, type PlateSpec } from "../calibrate/plates.ts";
import { mpeKg, verifyScale, type VerifyData, type VerifySetup } from "./certificate.ts";
import { certificateHtml, certificateSvg, certificateText } from "./render.ts";
import { DEFAULT_BOARD } from "../paths.ts";

// Max 1000 kg, e = 0.5 kg → 2000 e. MPE (initial): 0.25 kg up to 250 kg, 0.5 kg up to 1000 kg.
const setup: VerifySetup = { board: DEFAULT_BOARD, capacityKg: 1000, intervalKg: 0.5, stage: "initial", plates: CALIBRATED_PLATES };
const good: VerifyData = {
  weighing: [{ trueKg: 0, indicatedKg: 0.05 }, { trueKg: 100, indicatedKg: 100.1 }, { trueKg: 500, indicatedKg: 500.3 }, { trueKg: 900, indicatedKg: 899.6 }],
  repeatability: { trueKg: 500, indicatedKg: [500.2, 500.3, 500.1] },
  eccentricity: { trueKg: 300, positions: [{ pin: "left", indicatedKg: 300.2 }, { pin: "right", indicatedKg: 299.8 }, { pin: "both", indicatedKg: 300.1 }] },
  zeroReturn: { afterLoadKg: 900, indicatedKg: 0.1 },
};

describe("verifyScale (OIML R76 class III)", () => {
  it("MPE steps at 500 e and 2000 e, doubled in service", () => {
    expect(mpeKg(setup, 250)).toBe(0.25);
    expect(mpeKg(setup, 250.5)).toBe(0.5);
    expect(mpeKg(setup, 1000)).toBe(0.5);
    expect(mpeKg({ ...setup, intervalKg: 0.05 }, 200)).toBeCloseTo(0.075, 12);
    expect(mpeKg({ ...setup, stage: "in-service" }, 100)).toBe(0.5);
  });
  it("passes a good scale; every test has rows; text names each test", () => {
    const c = verifyScale(setup, good);
    expect(c.overall).toBe("pass");
    expect(c.tests.map((t) => [t.name, t.pass])).toEqual([["weighing", true], ["repeatability", true], ["eccentricity", true], ["zero return", true]]);
    expect(c.provable).toBe(true);
    const text = certificateText(c);
    expect(text).toMatch(/WEIGHING: PASS/);
    expect(text).toMatch(/OVERALL: PASS/);
  });
  it("fails a weighing error beyond MPE and names the row", () => {
    const c = verifyScale(setup, { ...good, weighing: [...good.weighing, { trueKg: 200, indicatedKg: 200.3 }] });
    expect(c.overall).toBe("fail");
    const w = c.tests[0];
    expect(w.pass).toBe(false);
    expect(w.rows.find((r) => r.trueKg === 200)?.pass).toBe(false);
    // in service the same error is fine
    expect(verifyScale({ ...setup, stage: "in-service" }, { ...good, weighing: [...good.weighing, { trueKg: 200, indicatedKg: 200.3 }] }).overall).toBe("pass");
  });
  it("repeatability: spread above |MPE| fails", () => {
    const c = verifyScale(setup, { ...good, repeatability: { trueKg: 500, indicatedKg: [500, 500.6, 500.2] } });
    expect(c.tests[1].pass).toBe(false);
    expect(c.tests[1].rows[0].valueKg).toBeCloseTo(0.6, 9);
  });
  it("eccentricity: one pin off fails", () => {
    const c = verifyScale(setup, { ...good, eccentricity: { trueKg: 300, positions: [{ pin: "left", indicatedKg: 300.9 }, { pin: "right", indicatedKg: 300 }, { pin: "both", indicatedKg: 300 }] } });
    expect(c.tests[2].pass).toBe(false);
    expect(c.tests[2].rows[0].pass).toBe(false);
  });
  it("zero return: more than 0.5 e fails", () => {
    expect(verifyScale(setup, { ...good, zeroReturn: { afterLoadKg: 900, indicatedKg: 0.3 } }).tests[3].pass).toBe(false);
    expect(verifyScale(setup, { ...good, zeroReturn: { afterLoadKg: 900, indicatedKg: -0.25 } }).tests[3].pass).toBe(true);
  });
  it("incomplete without repeatability; creep optional and judged when given", () => {
    expect(verifyScale(setup, { ...good, repeatability: undefined }).overall).toBe("incomplete");
    const c = verifyScale(setup, { ...good, creep: { trueKg: 950, readings: [{ minutes: 0, indicatedKg: 950 }, { minutes: 30, indicatedKg: 950.7 }] } });
    expect(c.tests[4].name).toBe("creep");
    expect(c.tests[4].pass).toBe(false);
    expect(c.overall).toBe("fail");
  });
  it("gym plates: a pass is below what the plates can prove", () => {
    const c = verifyScale({ ...setup, plates: parsePlates("gym:2%") as PlateSpec }, good);
    expect(c.overall).toBe("pass");
    expect(c.provable).toBe(false);
    expect(c.tests[0].notes.join()).toMatch(/below what the plates can prove/);
    expect(certificateText(c)).toMatch(/OVERALL: PASS \(not provable with these plates\)/);
  });
  it("refuses an invalid interval count", () => {
    const c = verifyScale({ ...setup, intervalKg: 0.05 }, good); // 20000 e
    expect(c.intervalsValid).toBe(false);
    expect(c.notes[0]).toMatch(/100 to 10000 e/);
    expect(c.overall).not.toBe("pass");
  });
  it("SVG is well-formed with MPE lines and points; HTML embeds it", () => {
    const c = verifyScale(setup, good);
    const svg = certificateSvg(c);
    expect(svg.startsWith("<?xml")).toBe(true);
    expect(svg.match(/class="mpe"/g)?.length).toBe(2);
    expect(svg.match(/class="point weighing pass"/g)?.length).toBe(4);
    expect(svg.match(/class="point eccentricity/g)?.length).toBe(3);
    expect(svg).not.toMatch(/NaN|undefined/);
    const html = certificateHtml(c);
    expect(html).toMatch(/<svg xmlns/);
    expect(html).toMatch(/Verification: <span class="pass">PASS/);
  });
});

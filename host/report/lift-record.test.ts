import { describe, expect, it } from "vitest";
import { buildReport } from "./lift.ts";
import { flattenLiftRecord, liftRecordJson, liftRecordsCsv, scalarTree, snakeCase, type LiftRecordJson } from "./lift-record.ts";
import { demoLift } from "./source.ts";
import { liftRecordErrors, numbersInText } from "../testing/json-checks.ts";


describe("the lift record", () => {
  const rack = liftRecordJson(buildReport({ ...demoLift("rackpull"), bodyMassKg: 100 }, "kg"));
  const iso = liftRecordJson(buildReport(demoLift("isometric"), "lbf"));

  it("matches its JSON Schema for both kinds of lift, with no number written as text", () => {
    expect(liftRecordErrors(rack)).toEqual([]);
    expect(liftRecordErrors(iso)).toEqual([]);
    expect(numbersInText([rack, iso])).toEqual([]);
    expect(iso.model).not.toBeNull();
  });

  it("gives numbers in N and kg whatever unit the reader chose for the text", () => {
    const inKg = rack.analysis.weighedLoadN as number;
    const inLbf = liftRecordJson(buildReport(demoLift("rackpull"), "lbf")).analysis.weighedLoadN;
    expect(inKg).toBeCloseTo(4905, 0);
    expect(inLbf).toBe(inKg);
    expect(rack.analysis.weighedLoadKg as number).toBeCloseTo(4905 / 9.80665, 6);
    expect(rack.bodyWeightMultiple).toBeCloseTo(4905 / 9.80665 / 100, 6);
  });

  it("turns the analysis's 'not reached' (-1) and NaN into null, keeps booleans and nested objects, drops curves", () => {
    expect(scalarTree({ aMs: -1, bN: Number.NaN, cPct: -1.5, ok: true, curveN: [1, 2], fit: { kPerS: 3 } })).toEqual({ aMs: null, bN: null, cPct: -1.5, ok: true, fit: { kPerS: 3 } });
  });

  it("the schema refuses a number written as text, a missing field and an unknown one", () => {
    const withText = { ...rack, analysis: { ...rack.analysis, weighedLoadN: "481.0 kg" } };
    expect(liftRecordErrors(withText).join()).toMatch(/analysis\/weighedLoadN/);
    const { liftId: _gone, ...missing } = rack;
    expect(liftRecordErrors(missing).join()).toMatch(/liftId/);
    expect(liftRecordErrors({ ...rack, peak: 1 }).join()).toMatch(/additional properties/);
    const noWeighing = { ...rack, analysis: { found: true } } as LiftRecordJson;
    expect(liftRecordErrors(noWeighing).join()).toMatch(/weighedLoadN/);
  });
});

describe("one CSV row per lift", () => {
  it("snake_case headers that end with the unit", () => {
    expect(snakeCase("timeTo90PctMs")).toBe("time_to_90_pct_ms");
    expect(snakeCase("rfd100NPerS")).toBe("rfd_100_n_per_s");
    expect(snakeCase("impulse50NS")).toBe("impulse_50_n_s");
    expect(snakeCase("weighedLoadKg")).toBe("weighed_load_kg");
    expect(snakeCase("sampleRateHz")).toBe("sample_rate_hz");
  });

  it("every field of every record, empty where a record has none, model fields prefixed", () => {
    const rack = liftRecordJson(buildReport(demoLift("rackpull"), "kg"));
    const iso = liftRecordJson(buildReport(demoLift("isometric"), "kg"));
    const lines = liftRecordsCsv([rack, iso]).trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    const head = lines[0].split(",");
    expect(head).toContain("weighed_load_n");
    expect(head).toContain("rfd_100_n_per_s");
    expect(head.some((h) => h.startsWith("model_"))).toBe(true);
    const rackRow = lines[1].split(",");
    const isoRow = lines[2].split(",");
    expect(rackRow).toHaveLength(head.length);
    expect(Number(rackRow[head.indexOf("weighed_load_n")])).toBeCloseTo(4905, 0);
    expect(isoRow[head.indexOf("weighed_load_n")]).toBe("");
    expect(rackRow[head.indexOf("lifted_off")]).toBe("TRUE");
    expect(flattenLiftRecord(iso).get("kind")).toBe("isometric");
  });
});

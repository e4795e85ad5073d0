import { describe, expect, it } from "vitest";
import { checkName, gymWildcard, parseRackTopic, rackTopic } from "./topics.ts";

describe("gym topics", () => {
  it("round-trips a rack topic and refuses anything outside the grammar", () => {
    expect(parseRackTopic(rackTopic("north", "rack-01", "lifts"))).toEqual({ gym: "north", rack: "rack-01", kind: "lifts" });
    for (const bad of ["rackcell/north/rack-01", "rackcell/north/rack-01/frames/x", "other/north/r/frames", "rackcell/north/+/frames",
      "rackcell/north/r/heap", "rackcell//r/frames", "rackcell/north/#/frames"]) {
      expect(parseRackTopic(bad), bad).toBeUndefined();
    }
    expect(gymWildcard("north")).toBe("rackcell/north/+/+");
  });

  it("names: letters, digits, _ and -, 1 to 32", () => {
    expect(checkName("rack", "Rack_2-b")).toBe("Rack_2-b");
    for (const bad of ["", "a/b", "a+b", "a#", "x".repeat(33), "rack 1"]) expect(() => checkName("rack", bad)).toThrow(/not valid/);
  });
});

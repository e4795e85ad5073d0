import { describe, expect, it } from "vitest";
import { runCli as cli } from "../cli/testing/run-cli.ts";
import { DEFAULT_BOARD } from "../paths.ts";

describe("rackcell calibrate / verify (CLI): nonsense is refused before any board is touched", () => {
  it("non-increasing, negative, over capacity, too small a span", async () => {
    const r = await cli(["calibrate", "--board", DEFAULT_BOARD, "--points", "left:200,left:100,right:-5,both:2000", "--yes"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/masses on left must increase/);
    expect(r.stderr).toMatch(/must be positive/);
    expect(r.stderr).toMatch(/beyond the capacity of BOTH pins/);
    const span = await cli(["calibrate", "--board", DEFAULT_BOARD, "--points", "left:20,left:40,right:20,right:40", "--yes"]);
    expect(span.stderr).toMatch(/too small a span/);
  });
  it("bad plates and missing points say how to write them", async () => {
    expect((await cli(["calibrate", "--points", "left:200", "--plates", "granite"])).stderr).toMatch(/say calibrated, gym/);
    expect((await cli(["calibrate"])).stderr).toMatch(/--points "left:100,left:200/);
    expect((await cli(["verify", "--e", "1", "--creep", "soon"])).stderr).toMatch(/--creep wants <kg>@<minutes>/);
  });
});

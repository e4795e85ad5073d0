import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli as cli } from "../cli/testing/run-cli.ts";

describe("rackcell report (CLI)", () => {
  it("prints the metrics and writes SVG and PNG for a demo lift, in the unit asked", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-report-"));
    const r = await cli(["--units", "lbf", "report", "--demo", "isometric", "--svg", path.join(dir, "p.svg"), "--png", path.join(dir, "p.png")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/peak force \(gross\)\s+\d+\.\d lbf/);
    expect(r.stdout).toMatch(/RFD 0–100 ms\s+raw \d+ lbf\/s/);
    expect(fs.readFileSync(path.join(dir, "p.svg"), "utf8")).toContain('class="series total"');
    expect(fs.readFileSync(path.join(dir, "p.png")).subarray(1, 4).toString()).toBe("PNG");
    fs.rmSync(dir, { recursive: true, force: true });
  });
  it("reads a CSV of pin loads", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-report-"));
    const rows = ["time_ms,left_n,right_n"];
    for (let i = 0; i < 480; i++) {
      const t = i * 12.5;
      const W = 2450;
      const pin = i < 160 ? W : i < 192 ? W - ((i - 159) * W) / 32 : i < 272 ? 0 : W;
      rows.push(`${t},${(pin * 0.5 + (i % 2 ? 1 : -1)).toFixed(2)},${(pin * 0.5).toFixed(2)}`);
    }
    fs.writeFileSync(path.join(dir, "pull.csv"), `${rows.join("\n")}\n`);
    const r = await cli(["report", "--csv", path.join(dir, "pull.csv"), "--kind", "rackpull"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/weighed load\s+249\.\d kg/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  it("says what is missing", async () => {
    const r = await cli(["report"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--lift <id>, --csv <file> or --demo/);
  });
});

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { liftRecordErrors, numbersInText } from "../testing/json-checks.ts";
import { DEMO_SCENARIO } from "./commands/demo.ts";
import { buildProgram } from "./main.ts";
import { runCli } from "./testing/run-cli.ts";
import { verificationCertificateId } from "../verify/certificate-id.ts";
import { publicKeyHexOf, signedCertificateText } from "../testing/firmware/signer-files.ts";

/**
 * Every `--json` output of every command, from the bundled CLI (dist/rackcell.mjs) in a scratch
 * folder against the emulated board: numbers are numbers (no "201.2 kg", no "80"), units are in
 * the field names, and lift records match host/report/lift-record.schema.json.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-json-"));
const DB = path.join(dir, "r.db");

const cli = (args: string[], timeoutMs = 120_000) => runCli(["--db", DB, ...args], { bundle: true, cwd: dir, timeoutMs });

/** Runs a --json command and returns what it printed, parsed, after checking it has no number in text. */
async function jsonOf(args: string[], exitCodes = [0]): Promise<unknown> {
  const r = await cli(args);
  expect(exitCodes, `rackcell ${args.join(" ")} exited ${r.code}\n${r.stderr}`).toContain(r.code);
  expect(r.stdout.trim(), `rackcell ${args.join(" ")} printed nothing\n${r.stderr}`).not.toBe("");
  const value = JSON.parse(r.stdout) as unknown;
  expect(numbersInText(value), `rackcell ${args.join(" ")}`).toEqual([]);
  return value;
}

/** Full names ("export", "lifter show") of the commands that take --json. */
function commandsWithJson(cmd: Command, prefix = ""): string[] {
  return cmd.commands.flatMap((c) => {
    const name = `${prefix}${c.name()}`;
    const own = c.options.some((o) => o.long === "--json") ? [name] : [];
    return [...own, ...commandsWithJson(c, `${name} `)];
  });
}

const checked = new Set<string>();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("the check itself", () => {
  it("finds numbers written as text and measures with units, and leaves names, dates and ids alone", () => {
    const bad = { metrics: [{ label: "weighed load", value: "201.2 kg" }], fields: { sps: "80" }, rate: "1250 kg/s", share: "51.0 %", tolerance: "±.5 N" };
    expect(numbersInText(bad)).toEqual([
      '/metrics[0]/value: "201.2 kg" holds a measure with its unit',
      '/fields/sps: "80" is a number written as text',
      '/rate: "1250 kg/s" holds a measure with its unit',
      '/share: "51.0 %" holds a measure with its unit',
      '/tolerance: "±.5 N" holds a measure with its unit',
    ]);
    const fine = { board: "nodemcu-v3-2pin", date: "2026-12-04T19:10", port: "/dev/ttyUSB0", emulatedPort: "/tmp/rackcell-CcEc2h/ttyEMU0", build: "123456", calId: "cal-20261204-1910", notes: ["only 2 weighings"] };
    expect(numbersInText(fine)).toEqual([]);
  });
});

describe("every --json output is numbers, units in the names (bundled CLI, emulated board)", () => {
  beforeAll(async () => {
    // a session with a rack pull in the database, for report --lift and export --lifts
    const r = await cli(["record", "--seconds", "14", "--scenario", DEMO_SCENARIO, "--athlete", "Ana", "--body-weight", "80"], 90_000);
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);

  it("ports", async () => {
    checked.add("ports");
    const d = (await jsonOf(["ports", "--json"])) as { ports: unknown[] };
    expect(Array.isArray(d.ports)).toBe(true);
  });

  it("wiring", async () => {
    checked.add("wiring");
    const w = (await jsonOf(["wiring", "--json"])) as { sampleRateSps: number; channels: { sck: { gpio: number }; cellCapacityN: number }[] };
    expect(w.sampleRateSps).toBe(80);
    expect(w.channels.length).toBe(2);
    expect(w.channels[0].sck.gpio).toBeGreaterThanOrEqual(0);
  });

  it("keys init (a key made on the emulated board)", async () => {
    checked.add("keys");
    const k = (await jsonOf(["keys", "init", "--json"])) as { publicKeyHex: string; fingerprint: string };
    expect(k.publicKeyHex).toMatch(/^[0-9a-f]{64}$/);
    const list = (await jsonOf(["keys", "--json"])) as { keys: { publicKeyHex?: string; boardId: unknown }[] };
    expect(list.keys.map((x) => x.publicKeyHex)).toContain(k.publicKeyHex);
    expect(typeof list.keys[0].boardId).toBe("number");
  }, 60_000);

  it("check (a certificate signed with a known seed)", async () => {
    checked.add("check");
    const seed = Buffer.alloc(32, 9);
    fs.writeFileSync(path.join(dir, "lift.json"), signedCertificateText(seed));
    const r = (await jsonOf(["check", path.join(dir, "lift.json"), "--trust", publicKeyHexOf(seed), "--json"])) as { valid: number; knownKey: number; lifts: number };
    expect(r).toMatchObject({ valid: 1, knownKey: 1, lifts: 1 });
  });

  it("info", async () => {
    checked.add("info");
    const i = (await jsonOf(["info", "--json"])) as { rateSps: number; emulated: boolean; channels: { name: string; nPerCount: number }[] };
    expect(i.rateSps).toBe(80);
    expect(i.emulated).toBe(true);
    expect(i.channels.map((c) => c.name)).toEqual(["left", "right"]);
    expect(i.channels[0].nPerCount).toBeGreaterThan(0);
  });

  it("net (settings written to the emulated board: its status as saved, never a password; then a board without settings)", async () => {
    checked.add("net");
    type Net = { restarted: boolean; network: Record<string, unknown> };
    const set = (await jsonOf(["net", "--ssid", "Gym North", "--password", "wifi password", "--broker", "mqtt://127.0.0.1:1884", "--rack", "rack-01",
      "--gym", "north", "--mqtt-password", "rack secret", "--json"])) as Net;
    expect(set.restarted).toBe(true);
    expect(set.network).toMatchObject({ configured: true, ssid: "Gym North", brokerHost: "127.0.0.1", brokerPort: 1884, rack: "rack-01", gym: "north", state: "off" });
    for (const secret of ["wifi password", "rack secret"]) expect(JSON.stringify(set)).not.toContain(secret);
    const fresh = (await jsonOf(["net", "--json"])) as Net;
    expect(fresh.restarted).toBe(false);
    expect(fresh.network).toMatchObject({ configured: false, ssid: null, brokerPort: null, messagesSent: null });
  }, 60_000);

  it("report: demo lifts and a recorded one, each a valid lift record", async () => {
    checked.add("report");
    for (const kind of ["rackpull", "isometric"]) {
      const rec = await jsonOf(["--units", "lbf", "report", "--demo", kind, "--json"]);
      expect(liftRecordErrors(rec), kind).toEqual([]);
    }
    const lifts = (await jsonOf(["export", "--lifts", "--json"])) as { liftId: number; analysis: { weighedLoadKg: number } }[];
    const rec = (await jsonOf(["report", "--lift", String(lifts[0].liftId), "--json"])) as { bodyMassKg: number; analysis: { weighedLoadKg: number } };
    expect(liftRecordErrors(rec)).toEqual([]);
    expect(rec.analysis.weighedLoadKg).toBeCloseTo(200, 0);
    expect(rec.bodyMassKg).toBe(80);
  });

  it("export --lifts: one valid lift record per lift, and the same as CSV with units in the headers", async () => {
    checked.add("export");
    const lifts = (await jsonOf(["export", "--lifts", "--json"])) as { kind: string; athlete: string; analysis: { weighedLoadKg: number } }[];
    expect(lifts).toHaveLength(1);
    expect(lifts.map(liftRecordErrors)).toEqual([[]]);
    expect(lifts[0].kind).toBe("rackpull");
    expect(lifts[0].athlete).toBe("Ana");
    const csv = await cli(["export", "--lifts"]);
    expect(csv.code, csv.stderr).toBe(0);
    const [head, ...rows] = csv.stdout.trimEnd().split("\n");
    const cols = head.split(",");
    expect(rows).toHaveLength(1);
    for (const c of ["weighed_load_kg", "weighed_load_n", "time_to_lift_off_ms", "breakaway_rate_n_per_s", "hold_ms", "pull_asymmetry_pct", "sample_rate_hz"]) expect(cols).toContain(c);
    const cells = rows[0].split(",");
    expect(cells).toHaveLength(cols.length);
    expect(Number(cells[cols.indexOf("weighed_load_kg")])).toBeCloseTo(lifts[0].analysis.weighedLoadKg, 9);
  });

  it("calibrate", async () => {
    checked.add("calibrate");
    const run = (await jsonOf(["calibrate", "--points", "left:100,left:200,right:100,right:200", "--yes", "--no-save", "--json"])) as { ok: boolean; boardFit: { channel: string; nPerCount: number }[] };
    expect(run.ok).toBe(true);
    expect(run.boardFit.map((b) => b.channel)).toEqual(["left", "right"]);
    expect(run.boardFit[0].nPerCount).toBeGreaterThan(0);
  }, 180_000);

  it("verify (and the certificate.json it writes; exit code 1 = the scale failed, still a certificate)", async () => {
    checked.add("verify");
    const out = path.join(dir, "cert");
    const r = await cli(["verify", "--e", "0.5", "--loads", "100,300", "--repeat", "100", "--repeats", "3", "--eccentric", "100", "--yes", "--json", "--out", out, "--settle", "300", "--read", "300"]);
    expect([0, 1], r.stderr).toContain(r.code);
    const cert = JSON.parse(r.stdout) as { overall: string; tests: { name: string; rows: { position?: string; trueKg: number }[] }[] };
    expect(numbersInText(cert)).toEqual([]);
    expect(cert.tests.find((t) => t.name === "eccentricity")?.rows.map((r) => r.position)).toEqual(["left", "right", "both"]);
    const text = fs.readFileSync(path.join(out, "certificate.json"), "utf8");
    expect(numbersInText(JSON.parse(text))).toEqual([]);
    // a pass is named to the board by the certificate's id, for the lifts it signs
    if (cert.overall === "pass") expect(r.stderr).toContain(`verification certificate ${verificationCertificateId(text)}: the board names it`);
    else expect(r.stderr).not.toContain("verification certificate vc-");
  }, 180_000);

  it("covers every command that has --json", () => {
    expect(commandsWithJson(buildProgram()).sort()).toEqual([...checked].sort());
  });
});

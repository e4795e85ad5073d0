import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { repoRoot } from "../paths.ts";
import { Store } from "../store/store.ts";
import { SimRack } from "./loadgen.ts";
import { parseRacksFile } from "./racks-file.ts";
import { mosquittoTestBroker, type TestBroker } from "./test-brokers.ts";

/** `rackcell gym` from the bundled CLI, killed mid-session: what it committed stays. */
const CLI = path.join(repoRoot(), "dist", "rackcell.mjs");
const RACKS_JSON = { gym: "clitest", racks: { "rack-1": "rack-one-password" } };
const until = (fn: () => void, timeout = 20000) => vi.waitFor(fn, { timeout, interval: 50 });

function startGym(args: string[]): Promise<{ child: ChildProcess; port: number; stderr: () => string; stdout: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args, "--page-listen", "0"], { stdio: ["ignore", "pipe", "pipe"], cwd: os.tmpdir() });
    let err = "";
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /listening on port (\d+)/.exec(err);
      if (/recording gym/.test(err)) resolve({ child, port: m ? Number(m[1]) : -1, stderr: () => err, stdout: () => out });
    });
    child.once("exit", (code) => reject(new Error(`rackcell gym exited (${code}): ${err}`)));
  });
}

describe("rackcell gym (bundled CLI)", () => {
  let dir = "";
  let child: ChildProcess | null = null;
  let rack: SimRack | null = null;
  let broker: TestBroker | null = null;
  afterEach(async () => {
    await rack?.stop(false);
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await broker?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    rack = null;
    child = null;
    broker = null;
  });

  it("says what is missing: no racks file and no broker, or a bad racks file", () => {
    const r = spawnSync(process.execPath, [CLI, "gym", "--listen", "0"], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/needs --racks <file>/);
    const r1 = spawnSync(process.execPath, [CLI, "gym", "--broker", "mqtt://127.0.0.1:1"], { encoding: "utf8" });
    expect(r1.stderr).toMatch(/--broker needs --gym <name>/);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-gymcli-"));
    const bad = path.join(dir, "racks.json");
    fs.writeFileSync(bad, JSON.stringify({ gym: "g", racks: { "a/b": "long-enough" } }));
    const r2 = spawnSync(process.execPath, [CLI, "gym", "--listen", "0", "--racks", bad], { encoding: "utf8" });
    expect(r2.status).toBe(1);
    expect(r2.stderr).toMatch(/rack name "a\/b" is not valid/);
    expect(() => parseRacksFile(JSON.stringify({ gym: "g", racks: { a: "short" } }))).toThrow(/at least 8 characters/);
  });

  it("stops after --seconds and prints each rack's session, counts and seal", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-gymcli-"));
    const racksFile = path.join(dir, "racks.json");
    fs.writeFileSync(racksFile, JSON.stringify(RACKS_JSON));
    const db = path.join(dir, "gym.db");
    const g = await startGym(["--db", db, "gym", "--racks", racksFile, "--listen", "0", "--seconds", "3"]);
    child = g.child;
    const exited = new Promise<number | null>((resolve) => g.child.once("exit", resolve));
    rack = new SimRack({ url: `mqtt://127.0.0.1:${g.port}`, gym: "clitest", rack: "rack-1", password: "rack-one-password", reconnectMs: 0 });
    await rack.start();
    rack.lift(1300);
    expect(await exited).toBe(0);
    expect(g.stderr()).toMatch(/gym page: open http:\/\/127\.0\.0\.1:\d+\//);
    const line = g.stdout().trim();
    expect(line).toMatch(/^rack rack-1: session 1, \d+ frames, 1 lift\(s\); \d+ good · 0 corrupt · 0 missing .*; sealed [0-9a-f]{64}$/);
    const store = new Store(db);
    expect(store.auditSession(1).state).toBe("sealed");
    expect(store.getSession(1)!.frames).toBe(Number(/(\d+) frames/.exec(line)![1]));
    store.close();
  });

  it.each(["embedded", "mosquitto"] as const)("killed mid-session (%s broker) keeps every committed frame and lift", async (kind) => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-gymcli-"));
    const racksFile = path.join(dir, "racks.json");
    fs.writeFileSync(racksFile, JSON.stringify(RACKS_JSON));
    const db = path.join(dir, "gym.db");
    let url: string;
    if (kind === "embedded") {
      const g = await startGym(["--db", db, "gym", "--racks", racksFile, "--listen", "0"]);
      child = g.child;
      url = `mqtt://127.0.0.1:${g.port}`;
    } else {
      broker = await mosquittoTestBroker(parseRacksFile(JSON.stringify(RACKS_JSON)), dir);
      const g = await startGym(["--db", db, "gym", "--broker", broker.url, "--username", broker.hostUsername, "--password", broker.hostPassword, "--gym", "clitest"]);
      child = g.child;
      url = broker.url;
    }
    rack = new SimRack({ url, gym: "clitest", rack: "rack-1", password: "rack-one-password" });
    await rack.start();
    rack.lift(1234);
    rack.lift(1250);
    const store = new Store(db);
    let seen = 0;
    await until(() => {
      const s = store.listSessions()[0];
      expect(s).toBeDefined();
      seen = s.frames;
      expect(s.frames).toBeGreaterThan(150);
      expect(s.lifts).toBeGreaterThanOrEqual(2);
    });
    const exited = new Promise((resolve) => child!.once("exit", resolve));
    child!.kill("SIGKILL");
    await exited;
    const s = store.listSessions()[0];
    expect(s.frames).toBeGreaterThanOrEqual(seen);
    expect(s.good).toBeGreaterThan(0);
    expect(s.good).toBeLessThanOrEqual(s.frames); // counts are written at each commit
    expect(s.board).toBe("nodemcu-v3-2pin");
    const lifts = store.listLifts({ sessionId: s.id }).filter((l) => l.source === "board");
    expect(lifts.map((l) => l.peakForceN).sort()).toEqual([1234, 1250]);
    const frames = [...store.frames(s.id)];
    expect(frames.length).toBe(s.frames);
    for (let i = 1; i < frames.length; i++) expect(frames[i].idx).toBeGreaterThan(frames[i - 1].idx);
    expect(store.auditSession(s.id).state).toBe("recording"); // not sealed: `rackcell audit --seal` seals it late
    store.close();
  });
});

/**
 * The lifter and the host's history on the page: `rackcell web --athlete NAME` (the bundled CLI,
 * from a folder outside the repository) shows body-weight multiples beside the lift's force, and
 * the History panel shows the store's sessions and lifts (each once) with their seal and the
 * board's signature, as `rackcell history` and `rackcell audit` see them. The JSON at
 * HISTORY_PATH is checked without a browser too.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { liftFromRecord } from "../session/live.ts";
import { rememberKey } from "../store/board-keys.ts";
import { macChain, macKeyIdOf } from "../testing/firmware/signer-files.ts";
import { Store } from "../store/store.ts";
import { readHistory } from "./history.ts";
import { HISTORY_PATH } from "./protocol.ts";
import { BUNDLED_CLI, chromiumMissing, launchBrowser, startWebCli, screenshotDir } from "./testing/chromium.ts";

const SHOTS = screenshotDir(path.dirname(new URL(import.meta.url).pathname));
const missing = process.env.RACKCELL_WITH_BROWSER === "1" ? "" : chromiumMissing();
if (missing) console.warn(`SKIPPED host/web history browser test: ${missing}`);

// a board-detected rack pull of 180.2 kg (1766.8 N) and its HMAC signature records, the board's key registered in the store
const MAC_KEY = Buffer.alloc(32, 17);
const [{ liftRecord: E, signatureRecord: SIG }] = macChain(MAC_KEY, 1, 42, (e) => e.replace("weighed=1701.5", "weighed=1766.8"));

/** Mira (80 kg): session 1 sealed with a signed board lift and the host's row of the same lift; session 2 ended unsealed with an unsigned host lift. */
function storeWithHistory(): { dir: string; db: string; boardLiftId: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-web-history-"));
  const db = path.join(dir, "r.db");
  const store = new Store(db);
  let boardLiftId = 0;
  try {
    const mira = store.athlete("Mira");
    store.addBodyWeight(mira, 80, new Date(Date.now() - 86_400_000));
    const s1 = store.createSession({ channels: 2, board: "nodemcu-v3-2pin", athleteId: mira });
    const l = liftFromRecord(E, 12.5);
    boardLiftId = store.addLift(s1, { ...l, details: l.fields });
    store.addLift(s1, { ...l, source: "host", atS: 12.9, details: {} }); // the same lift as the host saw it
    store.addLiftSignature(s1, { boardLiftId: 11, boardBoot: 3, liftRecord: E, signatureRecord: SIG });
    rememberKey(store, { boardId: 42, board: "nodemcu-v3-2pin", key: { scheme: "hmac-sha256", keyId: macKeyIdOf(MAC_KEY), secretHex: MAC_KEY.toString("hex") }, seenIn: "keys init" });
    store.endSession(s1);
    store.sealSession(s1);
    const s2 = store.createSession({ channels: 2, board: "nodemcu-v3-2pin", athleteId: mira });
    store.addLift(s2, { source: "host", kind: "isometric", atS: 5, peakForceN: 2000, timeToPeakMs: 400, weighedLoadN: NaN, timeToLiftOffMs: NaN, holdMs: NaN });
    store.endSession(s2);
    store.createSession({ channels: 2, board: "nodemcu-v3-2pin" }); // another lifter's (none): not Mira's history
  } finally {
    store.close();
  }
  return { dir, db, boardLiftId };
}

describe("the host's history as JSON", () => {
  it("has Mira's weigh-in, her sessions newest first, each lift once, seals, signatures and PRs; numbers as numbers", () => {
    const { dir, db } = storeWithHistory();
    try {
      const h = readHistory(db, { athlete: "Mira" });
      expect(h.lifter).toEqual({ name: "Mira", bodyWeightKg: 80 });
      expect(h.lifters).toEqual([{ name: "Mira", bodyWeightKg: 80 }]);
      expect(h.sessions.map((s) => s.sessionId)).toEqual([2, 1]);
      const [s2, s1] = h.sessions;
      expect(s1).toMatchObject({ sealed: true, sealIntact: true, sealProblems: [], lifter: "Mira" });
      expect(s1.lifts).toHaveLength(1); // board row and host row are one lift
      expect(s1.lifts[0]).toMatchObject({ kind: "rack pull", signatureState: "verified", signatureText: "signed by board 42 ✓ (HMAC-SHA256, verified)", weighedLoadN: 1766.8, timeToLiftOffMs: 703 });
      expect(s2).toMatchObject({ sealed: false, sealIntact: false });
      expect(s2.lifts).toEqual([expect.objectContaining({ kind: "isometric", peakForceN: 2000, weighedLoadN: null, signatureState: "unsigned", signatureText: "not signed" })]);
      expect(h.prs.find((p) => p.cls === "isometric")?.peakForceN).toBe(2000);
      expect(h.prs.find((p) => p.cls.startsWith("rackpull"))?.loadKg).toBeCloseTo(180.16, 1);
      expect(readHistory(db).sessions).toHaveLength(3); // no lifter: every session
      expect(() => readHistory(db, { athlete: "Nobody" })).toThrow(/no athlete "Nobody" \(known: Mira/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a lift row changed after the seal: the session is sealed but no longer intact", () => {
    const { dir, db, boardLiftId } = storeWithHistory();
    try {
      const store = new Store(db);
      store.db.prepare("UPDATE lifts SET weighed_load_n = 2266.8 WHERE id = ?").run(boardLiftId);
      store.close();
      const s1 = readHistory(db, { athlete: "Mira" }).sessions[1];
      expect(s1.sealed).toBe(true);
      expect(s1.sealIntact).toBe(false);
      expect(s1.sealProblems.length).toBeGreaterThan(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rackcell web --athlete with an unknown lifter is refused before the page is served, naming the known ones", () => {
    const { dir, db } = storeWithHistory();
    try {
      const r = spawnSync(process.execPath, [BUNDLED_CLI, "--db", db, "web", "--listen", "0", "--athlete", "Nobody"], { cwd: dir, encoding: "utf8", timeout: 30_000 });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('no athlete "Nobody" (known: Mira; add one with `rackcell lifter weigh Nobody <kg>`)');
      expect(r.stdout).not.toMatch(/open http/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("no database yet: empty history, no lifter", () => {
    const none = path.join(os.tmpdir(), "rackcell-no-such-dir", "none.db");
    expect(readHistory(none)).toEqual({ lifter: null, lifters: [], sessions: [], prs: [] });
    expect(() => readHistory(none, { athlete: "Mira" })).toThrow(/no database at .*none\.db yet: weigh the lifter in with `rackcell lifter weigh Mira <kg>`/);
  });
});

describe.skipIf(missing !== "")("the page with a lifter (bundled CLI `web --athlete Mira`, emulated board)", () => {
  let cli: Awaited<ReturnType<typeof startWebCli>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let dir = "";
  beforeAll(async () => {
    const s = storeWithHistory();
    dir = s.dir;
    cli = await startWebCli(["--db", s.db, "--athlete", "Mira", "--scenario", "rackpull:kg=200,restS=3,holdS=1.5,afterS=4"]);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await cli?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("shows × body weight beside the load on the pins, and History with seals, signatures and PRs", async () => {
    const res = await fetch(new URL(HISTORY_PATH, cli.url));
    expect(res.status).toBe(200);
    const json = (await res.json()) as { lifter: { bodyWeightKg: unknown }; sessions: { durationS: unknown }[] };
    expect(typeof json.lifter.bodyWeightKg).toBe("number");
    expect(typeof json.sessions[0].durationS).toBe("number");
    const everyone = (await (await fetch(new URL(`${HISTORY_PATH}?athlete=`, cli.url))).json()) as { lifter: unknown; sessions: unknown[] };
    expect(everyone.lifter).toBeNull();
    expect(everyone.sessions).toHaveLength(3);
    const unknown = await fetch(new URL(`${HISTORY_PATH}?athlete=Nobody`, cli.url));
    expect(unknown.status).toBe(500);
    expect(((await unknown.json()) as { error: string }).error).toMatch(/no athlete "Nobody"/);

    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(cli.url);
    await page.waitForFunction(() => document.getElementById("history")?.dataset.state === "ok", null, { timeout: 20_000 });
    const history = (await page.textContent("#history"))!;
    expect(history).toContain("Mira, 80.0 kg body weight");
    const s1 = (await page.textContent('.session[data-session="1"]'))!;
    expect(s1).toMatch(/rack pull at 12\.\d s: on the pins 180\.2 kg \(× 2\.25 body weight\) — signed by board 42 ✓ \(HMAC-SHA256, verified\), sealed ✓/);
    expect(await page.locator('.session[data-session="1"] .history-lift').count()).toBe(1);
    const s2 = (await page.textContent('.session[data-session="2"]'))!;
    expect(s2).toMatch(/isometric at 5\.0 s: peak force 203\.9 kg \(× 2\.55 body weight\) — not signed, not sealed/);
    expect(await page.locator('.session[data-session="3"]').count()).toBe(0); // not Mira's
    expect(history).toMatch(/PRs.*isometric: 203\.9 kg \(× 2\.55 body weight\)/);

    await page.waitForSelector('.lift[data-kind="rack pull"]', { timeout: 45_000 });
    const last = (await page.textContent("#last-lift"))!;
    const m = /on the pins (\d+\.\d) kg ± \d+\.\d+ \(× (\d\.\d\d) body weight\)/.exec(last);
    expect(m, last).not.toBeNull();
    expect(Number(m![2])).toBeCloseTo(Number(m![1]) / 80, 2);
    expect(Number(m![2])).toBeGreaterThan(2.45);
    expect(Number(m![2])).toBeLessThan(2.52);
    expect(await page.textContent("#lift-list")).toMatch(/× 2\.\d\d body weight/);

    // another choice on the page, by keyboard: everyone's sessions, and no body weight to divide by
    await page.focus("#lifter");
    await page.selectOption("#lifter", "");
    await page.waitForSelector('.session[data-session="3"]');
    expect(await page.textContent("#lift-list")).not.toMatch(/body weight/);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("lifter");
    await page.selectOption("#lifter", "Mira");
    await page.waitForFunction(() => /× 2\.\d\d body weight/.test(document.getElementById("lift-list")?.textContent ?? ""));
    expect(await page.locator('.session[data-session="3"]').count()).toBe(0);

    await page.locator("#history").scrollIntoViewIfNeeded();
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, "host-history-laptop.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});

/**
 * The gym page in real headless Chromium: the bundled CLI's `rackcell gym` (embedded broker, started
 * from a folder outside the repository) with simulated racks publishing (host/gym/loadgen.ts).
 * Screenshots go to a temporary folder; RACKCELL_UPDATE_SCREENSHOTS=1 writes the README's copy in
 * host/gym/page/screenshots/ instead (a deliberate update).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLED_CLI, chromiumMissing, launchBrowser, LAPTOP, PHONE, UPDATE_SCREENSHOTS } from "../../web/testing/chromium.ts";
import { SimRack } from "../loadgen.ts";

const missing = process.env.RACKCELL_WITH_BROWSER === "1" ? "" : chromiumMissing();
if (missing) console.warn(`SKIPPED host/gym/page browser tests: ${missing}`);
const GYM = "north";
const RACKS: Record<string, string> = { "rack-01": "rack-one-password", "rack-02": "rack-two-password", "rack-03": "rack-three-password" };
const SIM_LOAD_N = 900; // what a simulated rack's pins carry (loadgen.ts)

/** `rackcell gym --racks … --listen 0 --page-listen 0` in a temporary folder; the broker's port and the page's URL. */
async function startGym(dir: string): Promise<{ child: ChildProcess; brokerUrl: string; pageUrl: string; stderr: () => string }> {
  const racksFile = path.join(dir, "racks.json");
  fs.writeFileSync(racksFile, JSON.stringify({ gym: GYM, racks: RACKS }));
  const child = spawn(process.execPath, [BUNDLED_CLI, "--db", path.join(dir, "gym.db"), "gym", "--racks", racksFile, "--listen", "0", "--page-listen", "0"],
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rackcell gym did not start within 30 s: ${err}`)), 30_000);
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      const broker = /listening on port (\d+)/.exec(err);
      const page = /gym page: open (http:\/\/\S+)/.exec(err);
      if (broker && page && /recording gym/.test(err)) {
        clearTimeout(timer);
        resolve({ child, brokerUrl: `mqtt://127.0.0.1:${broker[1]}`, pageUrl: page[1], stderr: () => err });
      }
    });
    child.once("exit", (code) => reject(new Error(`rackcell gym exited (${code}): ${err}`)));
  });
}

async function shoot(page: Page, dir: string, name: string): Promise<void> {
  const update = UPDATE_SCREENSHOTS;
  const out = update ? path.join(import.meta.dirname, "screenshots") : dir;
  fs.mkdirSync(out, { recursive: true });
  for (const [size, vp] of [["laptop", LAPTOP], ["phone", PHONE]] as const) {
    if (size === "phone" && update) continue; // the README shows the laptop view
    await page.setViewportSize(vp);
    await page.waitForTimeout(300);
    const file = path.join(out, `${name}-${size}.png`);
    await page.screenshot({ path: file });
    expect(fs.statSync(file).size).toBeGreaterThan(5000);
  }
  await page.setViewportSize(LAPTOP);
}

const tile = (rack: string) => `.tile[data-rack="${rack}"]`;
const attr = (page: Page, rack: string, name: string) => page.getAttribute(tile(rack), name);
const counts = (page: Page, rack: string, key: string) => page.getAttribute(`${tile(rack)} .counts`, `data-${key}`).then(Number);

describe.skipIf(missing !== "")("the gym page (bundled CLI, embedded broker, simulated racks)", () => {
  let dir = "";
  let gym: Awaited<ReturnType<typeof startGym>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  const sims = new Map<string, SimRack>();

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-gympage-"));
    gym = await startGym(dir);
    for (const [rack, password] of Object.entries(RACKS)) {
      const s = new SimRack({ url: gym.brokerUrl, gym: GYM, rack, password, reconnectMs: 200 });
      await s.start();
      sims.set(rack, s);
    }
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    for (const s of sims.values()) await s.stop(false);
    if (gym?.child.exitCode === null) {
      const exited = new Promise((r) => gym.child.once("exit", r));
      gym.child.kill("SIGINT");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (gym.child.exitCode === null) gym.child.kill("SIGKILL");
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("shows a tile per rack whose numbers move, a lift on its tile, a rack going offline, and opens a rack's lifter screen with live data", async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(gym.pageUrl);

    // a tile per rack, in name order, online, with the load on its pins
    await page.waitForFunction(() => document.querySelectorAll('.tile[data-online="true"]').length === 3, null, { timeout: 20_000 });
    expect(await page.locator(".tile").evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.rack))).toEqual(Object.keys(RACKS));
    for (const rack of Object.keys(RACKS)) {
      await page.waitForFunction((sel) => (document.querySelector(sel) as HTMLElement).dataset.liveTotalN !== "", tile(rack), { timeout: 10_000 });
      expect(Number(await attr(page, rack, "data-live-total-n"))).toBeCloseTo(SIM_LOAD_N, -1);
      expect(await page.textContent(`${tile(rack)} .load`)).toMatch(/^9\d\.\d kg$/); // 900 N ≈ 91.8 kg
      expect(await page.textContent(`${tile(rack)} .state`)).toBe("online");
    }
    // the numbers move: frames keep arriving (good counts grow), none corrupt, missing or duplicated
    const good1 = await counts(page, "rack-01", "good");
    await page.waitForFunction((sel) => Number((document.querySelector(sel) as HTMLElement).dataset.good) > 0, `${tile("rack-01")} .counts`);
    await page.waitForFunction(([sel, before]) => Number((document.querySelector(sel as string) as HTMLElement).dataset.good) > (before as number) + 80,
      [`${tile("rack-01")} .counts`, good1] as const, { timeout: 10_000 });
    for (const key of ["corrupt", "missing", "duplicates"]) expect(await counts(page, "rack-01", key)).toBe(0);
    expect(await page.textContent(`${tile("rack-01")} .last`)).toBe("no lift yet");

    // a lift on rack-02 shows on its tile (peak and weighed load), and in N when chosen
    sims.get("rack-02")!.lift(1500);
    await page.waitForFunction((sel) => (document.querySelector(sel) as HTMLElement).dataset.lifts === "1", tile("rack-02"), { timeout: 10_000 });
    expect(Number(await attr(page, "rack-02", "data-last-peak-force-n"))).toBe(1500);
    await page.selectOption("#units", "N");
    await page.waitForFunction((sel) => /pull peak 1500\.0 N/.test(document.querySelector(sel)!.textContent ?? ""), `${tile("rack-02")} .last`);
    expect(await page.textContent(`${tile("rack-02")} .last`)).toMatch(/^last lift: rack pull · on the pins 900\.0 N · pull peak 1500\.0 N \(\d+ s ago\)$/);
    await page.selectOption("#units", "kg");
    expect(await page.textContent(`${tile("rack-01")} .last`)).toBe("no lift yet");

    // rack-03 loses its WiFi: its last will marks it offline
    await sims.get("rack-03")!.linkDown();
    await page.waitForFunction((sel) => (document.querySelector(sel) as HTMLElement).dataset.online === "false", tile("rack-03"), { timeout: 15_000 });
    expect(await page.textContent(`${tile("rack-03")} .state`)).toBe("offline");
    expect(await page.textContent(`${tile("rack-03")} .load`)).toBe("—");
    expect(await attr(page, "rack-01", "data-online")).toBe("true");
    expect(await page.textContent("#status")).toMatch(/3 rack\(s\), 2 online/);
    await shoot(page, dir, "gym");

    // one click opens rack-01's lifter screen, fed from its MQTT stream through the host
    await page.click(tile("rack-01"));
    await page.waitForURL(/index\.html\?rack=rack-01$/);
    await page.waitForFunction(() => document.getElementById("status")?.textContent?.startsWith("Connected through the host"), null, { timeout: 20_000 });
    expect(await page.textContent("#status")).toContain(`rackcell/${GYM}/rack-01`);
    expect(await page.textContent("#board-info")).toContain("nodemcu-v3-2pin");
    const total = () => page.textContent('#readings .value[data-ch="total"]');
    await page.waitForFunction(() => /^9\d\.\d kg$/.test(document.querySelector('#readings .value[data-ch="total"]')?.textContent ?? ""), null, { timeout: 10_000 });
    expect(await total()).toMatch(/^9\d\.\d kg$/);
    const good = async () => Number(await page.getAttribute("#integrity", "data-good"));
    const before = await good();
    await page.waitForFunction((b) => Number(document.getElementById("integrity")!.dataset.good) > b + 40, before, { timeout: 10_000 });
    // a lift made on the rack now reaches its lifter screen
    sims.get("rack-01")!.lift(1700);
    await page.waitForSelector('.lift[data-kind="rack pull"]', { timeout: 15_000 });
    expect(await page.locator(".lift").count()).toBe(1);
    expect(await page.textContent("#lift-list")).toContain("board record ✓");
    expect(errors).toEqual([]);

    // back on the gym page, rack-01's tile has the lift too
    await page.goBack();
    await page.waitForFunction((sel) => (document.querySelector(sel) as HTMLElement | null)?.dataset.lifts === "1", tile("rack-01"), { timeout: 10_000 });
    expect(Number(await attr(page, "rack-01", "data-last-peak-force-n"))).toBe(1700);
    await page.close();
  });

  it("a rack's lifter screen says so when the rack is offline, and a rack the host never heard has no lifter screen", async () => {
    const page = await browser.context.newPage();
    await page.goto(new URL("index.html?rack=rack-02", gym.pageUrl).href);
    await page.waitForFunction(() => document.getElementById("status")?.textContent?.startsWith("Connected through the host"), null, { timeout: 20_000 });
    await sims.get("rack-02")!.linkDown();
    await page.waitForFunction(() => /offline \(its last will\)/.test(document.getElementById("status")?.textContent ?? ""), null, { timeout: 15_000 });
    sims.get("rack-02")!.linkUpAgain();
    await page.waitForFunction(() => document.getElementById("status")?.textContent?.startsWith("Connected through the host"), null, { timeout: 20_000 });
    await page.goto(new URL("index.html?rack=nobody", gym.pageUrl).href);
    await page.waitForFunction(() => /without a board/.test(document.getElementById("status")?.textContent ?? ""), null, { timeout: 10_000 });
    await page.close();
  });
});

/**
 * The page in real headless Chromium: through the host (the bundled CLI's `rackcell web`, started
 * from a folder outside the repository, with an emulated board), and straight to a board through
 * Web Serial (a fake navigator.serial bridged to an emulated board). Screenshots for the README
 * go to a temporary folder; RACKCELL_UPDATE_SCREENSHOTS=1 writes the README's copies in
 * host/web/screenshots/.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listBoards, loadBoard } from "../build/boards.ts";
import { startEmulator, type EmulatedBoardHandle } from "../cli/emulated.ts";
import { openSession } from "../cli/open-session.ts";
import { installFakeSerial } from "./testing/fake-serial.ts";
import { chromiumMissing, launchBrowser, LAPTOP, PHONE, startWebCli, screenshotDir } from "./testing/chromium.ts";
import { createRelay } from "./relay.ts";
import { serveWeb } from "./server.ts";

// `npm test` installs Chromium first (RACKCELL_WITH_BROWSER=1): there a missing browser fails the tests
const missing = process.env.RACKCELL_WITH_BROWSER === "1" ? "" : chromiumMissing();
if (missing) console.warn(`SKIPPED host/web browser tests: ${missing}`);
const SHOTS = screenshotDir(path.dirname(new URL(import.meta.url).pathname));

async function shoot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const [size, vp] of [["laptop", LAPTOP], ["phone", PHONE]] as const) {
    await page.setViewportSize(vp);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(SHOTS, `${name}-${size}.png`), fullPage: size === "laptop" });
  }
  await page.setViewportSize(LAPTOP);
}

/** Rows of the chart's canvas holding the total's line colour: a rack pull spans the chart, a resting bar does not. */
async function totalLineRows(page: Page): Promise<number> {
  return page.evaluate(() => {
    const c = document.querySelector("#chart canvas") as HTMLCanvasElement;
    const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    const rows = new Set<number>();
    for (let i = 0; i < d.length; i += 4) if (d[i] < 40 && d[i + 1] < 40 && d[i + 2] < 40 && d[i + 3] > 200) rows.add(Math.floor(i / 4 / c.width));
    return rows.size;
  });
}

const kgOnPins = (text: string) => Number(/on the pins (\d+\.\d) kg ± \d/.exec(text)?.[1]);

describe.skipIf(missing !== "")("the page through the host (bundled CLI in a folder outside the repository, emulated board)", () => {
  let cli: Awaited<ReturnType<typeof startWebCli>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => {
    cli = await startWebCli(["--scenario", "rackpull:kg=200,restS=3,holdS=1.5,afterS=4"]);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await cli?.stop();
  });

  it("shows the live pins, a rack pull on the chart and its metrics in the list; tares; completes a calibration and a verification", async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(cli.url);
    await page.waitForFunction(() => document.getElementById("status")?.textContent?.startsWith("Connected through the host"), null, { timeout: 20_000 });
    expect(await page.locator("#readings .label").allTextContents()).toEqual(["left", "right", "total"]);
    expect(await page.textContent("#board-info")).toContain("nodemcu-v3-2pin");

    await page.waitForSelector('.lift[data-kind="rack pull"]', { timeout: 45_000 });
    expect(await totalLineRows(page)).toBeGreaterThan(100); // from 200 kg down to 0 and back
    const last = (await page.textContent("#last-lift"))!;
    expect(kgOnPins(last)).toBeGreaterThan(199);
    expect(kgOnPins(last)).toBeLessThan(201.5);
    expect(last).toMatch(/time to lift-off 0\.\d\d s/);
    expect(last).toMatch(/hold 1\.\d\d s/);
    expect(last).toMatch(/re-weigh 20\d\.\d kg, difference -?\d\.\d kg/);
    expect(last).not.toMatch(/peak/i); // a rack pull has no "peak" beside its weighed load
    await page.click(".lift summary");
    const metrics = (await page.textContent("#lift-list"))!;
    expect(metrics).toContain("weighed load");
    expect(metrics).toContain("time to lift-off");
    expect(metrics).toContain("board record ✓");
    await shoot(page, "host-rack-pull");

    await page.selectOption("#units", "N");
    await page.waitForFunction(() => / N$/.test(document.querySelector('#readings [data-ch="total"]')?.textContent ?? ""));
    expect(await page.textContent("#last-lift")).toMatch(/on the pins 19\d\d\.\d N/);
    await page.selectOption("#units", "kg");

    // tare, by keyboard
    await page.focus("#tare");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => /^Tared: left zero -?\d+(\.\d)? counts, right zero/.test(document.getElementById("tare-status")?.textContent ?? ""), null, { timeout: 20_000 });
    await page.waitForFunction(() => Math.abs(parseFloat(document.querySelector('#readings [data-ch="total"]')?.textContent ?? "")) < 2);

    const liftsBefore = await page.locator(".lift").count();
    await page.click("text=Calibrate with plates");
    await page.fill("#cal-samples", "16");
    await page.click("#calibrate");
    await page.waitForFunction(() => document.getElementById("calibrate-out")?.dataset.result !== undefined, null, { timeout: 120_000 });
    const out = (await page.textContent("#calibrate-out"))!;
    expect(out, out).toContain("board fit = host fit");
    expect(out).toMatch(/saved on the board as cal-/);
    expect(await page.getAttribute("#calibrate-out", "data-result")).toBe("ok");
    await page.waitForFunction(() => /calibration\s*ok \(cal-/.test(document.getElementById("board-info")?.textContent ?? ""));
    await page.waitForTimeout(3000); // the detector closes a "lift" up to ≈ 2 s after its loads change
    expect(await page.locator(".lift").count()).toBe(liftsBefore); // the calibration's loads are not lifts
    await shoot(page, "host-calibrated");

    await page.click("text=Verify like a scale");
    await page.fill("#ver-loads", "100,300");
    await page.fill("#ver-repeat", "");
    await page.fill("#ver-eccentric", "100");
    await page.click("#verify");
    await page.waitForFunction(() => document.getElementById("verify-out")?.dataset.result !== undefined, null, { timeout: 120_000 });
    const cert = (await page.textContent("#verify-out"))!;
    expect(cert, cert).toMatch(/WEIGHING: PASS/);
    expect(cert).toMatch(/ECCENTRICITY: PASS/);
    expect(cert).toMatch(/REPEATABILITY: not done/);
    expect(await page.getAttribute("#verify-out", "data-result")).toBe("incomplete"); // no repeatability test asked for

    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    const csv = fs.readFileSync((await download.path())!, "latin1").split("\n");
    expect(csv[0]).toBe("time_s,left_N,right_N,total_N,left_raw,right_raw");
    expect(csv.length).toBeGreaterThan(1000);
    expect(errors).toEqual([]);
  }, 240_000);
});

describe.skipIf(missing !== "")("the page straight to the board with Web Serial (fake navigator.serial bridged to an emulated board)", () => {
  let board: EmulatedBoardHandle;
  let server: Awaited<ReturnType<typeof serveWeb>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => {
    board = await startEmulator({ scenario: "empty" });
    // the page's server without a board: the page must go to the board itself
    server = await serveWeb({ relay: createRelay(null, listBoards().map((b) => loadBoard(b))) });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await board?.close();
  });

  it("connects, tares, shows an isometric pull's and a rack pull's metrics, reconnects by itself after an unplug, calibrates with a person placing the plates", async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const serial = await installFakeSerial(page, board);
    await page.goto(server.url);
    await page.waitForFunction(() => /press “Connect over USB”/.test(document.getElementById("status")?.textContent ?? ""));
    await page.click("#connect-serial");
    await page.waitForFunction(() => document.getElementById("status")?.textContent?.startsWith("Connected with Web Serial: USB serial 1a86:7523"), null, { timeout: 20_000 });
    expect(serial.written.some((l) => /^C,\d+,info\*[0-9a-f]{4}$/.test(l))).toBe(true);
    // no host behind this page: no store to show
    expect(await page.getAttribute("#history", "data-state")).toBe("needs-host");
    expect(await page.textContent("#history")).toMatch(/History needs the host/);
    await page.click("#tare");
    await page.waitForFunction(() => /^Tared:/.test(document.getElementById("tare-status")?.textContent ?? ""), null, { timeout: 20_000 });

    // an isometric pull: peak, time to 90 %, the model's RFD and the flag that raw RFD at 80 SPS is unreliable
    await board.setScenario("isometric:fmax=3000,quietS=3,pullS=3,afterS=2");
    await page.waitForSelector('.lift[data-kind="isometric"]', { timeout: 45_000 }).catch(async (e: Error) => {
      throw new Error(`${e.message}\nlifts: ${await page.textContent("#lift-list")}`);
    });
    const iso = (await page.textContent("#last-lift"))!;
    expect(iso).toMatch(/peak force 3\d\d\.\d kg/);
    expect(iso).toMatch(/time to 90 % of peak \d+ ms/);
    expect(iso).toMatch(/RFD 0–100 ms \d+\.\d kg\/s \(model\)/);
    expect(iso, iso).toMatch(/RFD from \d\d Hz samples is unreliable/);
    await page.click('.lift[data-kind="isometric"] summary');
    const isoMetrics = (await page.textContent('.lift[data-kind="isometric"]'))!;
    expect(isoMetrics).toContain("model fit");
    expect(isoMetrics).toMatch(/RFD 0–50 ms.*raw .*\(unreliable\) \| model/);
    await shoot(page, "web-serial-isometric");
    await board.setScenario("rackpull:kg=150,emptyS=2,restS=3,holdS=1.5,afterS=4");
    await page.waitForSelector('.lift[data-kind="rack pull"]', { timeout: 45_000 });
    const kg = kgOnPins((await page.textContent("#last-lift"))!);
    expect(kg).toBeGreaterThan(149);
    expect(kg).toBeLessThan(151.5);
    await shoot(page, "web-serial");

    serial.unplug();
    await page.waitForFunction(() => /reconnecting by itself/.test(document.getElementById("status")?.textContent ?? ""), null, { timeout: 10_000 });
    const goodBefore = Number(await page.getAttribute("#integrity", "data-good"));
    await page.waitForTimeout(1500);
    serial.replug();
    await page.waitForFunction(() => document.getElementById("integrity")?.dataset.reconnects === "1", null, { timeout: 20_000 });
    await page.waitForFunction((n) => Number(document.getElementById("integrity")?.dataset.good) > n + 80, goodBefore, { timeout: 10_000 });
    expect(await page.textContent("#status")).toMatch(/^Connected with Web Serial/);

    // a calibration where a person places the plates: each instruction is shown, the pins are
    // loaded as it says, and the person answers with Enter on the focused button
    await page.click("text=Calibrate with plates");
    await page.fill("#cal-points", "left:120,right:120");
    await page.fill("#cal-samples", "16");
    await page.click("#calibrate");
    const prompts: string[] = [];
    for (;;) {
      await page.waitForFunction(() => !document.getElementById("place-prompt")!.hidden || document.getElementById("calibrate-out")!.dataset.result !== undefined, null, { timeout: 60_000 });
      if (await page.getAttribute("#calibrate-out", "data-result")) break;
      const text = (await page.textContent("#place-text"))!;
      prompts.push(text);
      const m = /Put (\d+) kg on the (LEFT|RIGHT) pin/.exec(text);
      await board.setScenario(m ? `weigh:kgL=${m[2] === "LEFT" ? m[1] : 0},kgR=${m[2] === "RIGHT" ? m[1] : 0},atS=0,placeS=0.3,dur=1000000` : "empty");
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("place-done");
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => document.getElementById("place-prompt")!.hidden);
    }
    expect(prompts).toEqual([
      "Take everything off the pins (empty bar removed)", "Put 120 kg on the LEFT pin", "Put 120 kg on the RIGHT pin", "Calibration done: take the plates off",
    ]);
    const cal = (await page.textContent("#calibrate-out"))!;
    expect(await page.getAttribute("#calibrate-out", "data-result"), cal).toBe("ok");
    expect(cal).toMatch(/saved on the board as cal-/);

    expect(errors).toEqual([]);
    serial.stop();
  }, 180_000);
});

describe.skipIf(missing !== "")("what the page says when it cannot reach the board", () => {
  let board: EmulatedBoardHandle;
  let server: Awaited<ReturnType<typeof serveWeb>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => {
    board = await startEmulator({ scenario: "empty" });
    server = await serveWeb({ relay: createRelay(null, []) });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await board?.close();
  });
  const status = (page: Page, re: RegExp) => page.waitForFunction((src) => new RegExp(src).test(document.getElementById("status")?.textContent ?? ""), re.source, { timeout: 15_000 });

  it("a browser without Web Serial: says which browser and how to use the host instead", async () => {
    const page = await browser.context.newPage();
    await page.addInitScript(() => Object.defineProperty(navigator, "serial", { configurable: true, value: undefined }));
    await page.goto(server.url);
    await status(page, /has no Web Serial \(it needs Chrome or Edge on a computer/);
    await page.click("#connect-serial");
    expect(await page.textContent("#status")).toMatch(/Start `rackcell web` and open the page it prints/);
    await page.close();
  });

  it("a port another program holds, then a board unplugged: says so and connects by itself once it can", async () => {
    const page = await browser.context.newPage();
    const serial = await installFakeSerial(page, board);
    serial.busy(true);
    await page.goto(server.url);
    await page.click("#connect-serial");
    await status(page, /could not be opened: another program is probably using it .* trying again/);
    serial.unplug();
    await status(page, /the board is absent \(unplugged\?\): plug it in/);
    serial.replug();
    serial.busy(false);
    await status(page, /^Connected with Web Serial/);
    serial.stop();
    await page.close();
  }, 60_000);
});

describe.skipIf(missing !== "")("the page through the host when the link misbehaves (emulated board in this process)", () => {
  let board: EmulatedBoardHandle;
  let opened: Awaited<ReturnType<typeof openSession>>;
  let server: Awaited<ReturnType<typeof serveWeb>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => {
    board = await startEmulator({ scenario: "empty" });
    opened = await openSession(board.path);
    server = await serveWeb({ relay: createRelay({ connection: opened.connection, board: loadBoard(opened.session.info.board), setScenario: (s) => board.setScenario(s) }, []) });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    opened?.session.close();
    await opened?.connection.close();
    await board?.close();
  });

  it("counts corrupt frames and a board reset, and reconnects by itself after the board is unplugged", async () => {
    const page = await browser.context.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => document.getElementById("status")?.textContent?.startsWith("Connected through the host"), null, { timeout: 20_000 });
    const counts = () => page.evaluate(() => ({ ...document.getElementById("integrity")!.dataset }));
    await board.fault({ kind: "bitFlip", rate: 0.001 });
    await page.waitForFunction(() => Number(document.getElementById("integrity")?.dataset.corrupt) > 0, null, { timeout: 20_000 });
    await board.fault({ kind: "bitFlip", rate: 0 });
    expect(await page.getAttribute("#integrity", "data-state")).toBe("warn");

    await board.fault({ kind: "reset" });
    await page.waitForFunction(() => Number(document.getElementById("integrity")?.dataset.resets) >= 1, null, { timeout: 20_000 });

    // unplugged for well over the host's 3 s silence limit, so a busy machine still sees the loss before the board is back
    await board.fault({ kind: "unplug", seconds: 10 });
    await page.waitForFunction(() => /The host lost the board .* it reconnects by itself/.test(document.getElementById("status")?.textContent ?? ""), null, { timeout: 20_000 });
    await page.waitForFunction(() => Number(document.getElementById("integrity")?.dataset.reconnects) >= 1, null, { timeout: 30_000 });
    const good = Number((await counts()).good);
    await page.waitForFunction((n) => Number(document.getElementById("integrity")?.dataset.good) > n + 80, good, { timeout: 20_000 });
    expect(await page.textContent("#status")).toMatch(/^Connected through the host/);
  }, 180_000);
});

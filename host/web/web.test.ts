import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeReplyOk, encodeRecord } from "../../shared/protocol/messages.ts";
import { encodeSample } from "../../shared/protocol/frame.ts";
import { bundleApp, serveWeb } from "./server.ts";
import { LiveModel } from "./live.ts";
import { DEFAULT_BOARD } from "../paths.ts";

const CHROMIUM = "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Chromium as host/tools/setup.sh installs it (RACKCELL_WITH_BROWSER=1), or the reason there is none. */
function ensureChromium(): string {
  if (fs.existsSync(CHROMIUM)) return "";
  if (process.env.RACKCELL_WITH_BROWSER === "1") {
    try {
      execFileSync("bash", ["host/tools/setup.sh"], { stdio: "inherit", env: { ...process.env, RACKCELL_WITH_BROWSER: "1" } });
    } catch (e) {
      return `installing chromium failed: ${(e as Error).message}`;
    }
    if (fs.existsSync(CHROMIUM)) return "";
  }
  return `${CHROMIUM} is absent: run RACKCELL_WITH_BROWSER=1 bash host/tools/setup.sh (installs Debian's chromium) to run the web page test`;
}
const skipReason = ensureChromium();
if (skipReason) console.warn(`SKIPPED host/web browser test: ${skipReason}`);

const frame = (seq: number, left: number, right: number) => `${encodeSample(seq, [100000 + seq, 200000 + seq], [0, 0], [left, right])}\n`;

describe("LiveModel (no browser)", () => {
  it("counts good, corrupt, missing and duplicate frames; sums the pins; keeps the peak", () => {
    const m = new LiveModel();
    for (const l of [frame(1, 100, 200), frame(2, 100, 250), "garbage*0000", frame(2, 100, 250), frame(5, 50, 50)]) m.line(l.trimEnd());
    expect([m.good, m.corrupt, m.duplicates, m.missing]).toEqual([3, 1, 1, 2]);
    expect(m.last?.totalN).toBeCloseTo(100, 6);
    expect(m.peakN).toBeCloseTo(350, 6);
  });
});

describe.skipIf(skipReason !== "")("web page in headless chromium with a fake Web Serial port", () => {
  let server: { url: string; close(): Promise<void> };
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-web-"));
    await bundleApp(dir);
    server = await serveWeb({ dir });
  });
  afterAll(async () => {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("connects, shows per-pin and total force, peak and counts, records a CSV", async () => {
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
    try {
      const page = await browser.newPage({ acceptDownloads: true });
      // Node side of the fake port: chunks for the page to read, lines the page wrote
      const toPage: number[][] = [];
      let wake: (() => void) | null = null;
      const written: string[] = [];
      const feed = (text: string) => {
        toPage.push([...Buffer.from(text, "latin1")]);
        wake?.();
      };
      await page.exposeBinding("__rcPull", async () => {
        while (toPage.length === 0) await new Promise<void>((r) => (wake = r));
        return toPage.shift();
      });
      await page.exposeBinding("__rcWrite", (_src, bytes: number[]) => {
        const line = Buffer.from(bytes).toString("latin1");
        written.push(line);
        const m = /^C,(\d+),info/.exec(line);
        if (m) feed(`${encodeReplyOk(Number(m[1]), ["board", DEFAULT_BOARD, "ch", "2", "sps", "80"])}\n`);
      });
      await page.addInitScript(() => {
        const w = window as unknown as { __rcPull(): Promise<number[] | undefined>; __rcWrite(b: number[]): Promise<void> };
        const port = {
          readable: new ReadableStream<Uint8Array>({
            async pull(c) {
              const chunk = await w.__rcPull();
              if (chunk) c.enqueue(new Uint8Array(chunk));
              else c.close();
            },
          }),
          writable: new WritableStream<Uint8Array>({ write: (chunk) => w.__rcWrite(Array.from(chunk)) }),
          open: async () => undefined,
          close: async () => undefined,
          getInfo: () => ({}),
        };
        Object.defineProperty(navigator, "serial", { configurable: true, value: { requestPort: async () => port, getPorts: async () => [port] } });
      });
      await page.goto(server.url);
      await page.click("#connect");
      await page.waitForFunction(() => document.getElementById("status")?.textContent === "Connected.");
      await page.waitForFunction((board) => document.getElementById("board-info")?.textContent?.includes(board), DEFAULT_BOARD);
      expect(written.some((l) => /^C,\d+,info\*[0-9a-f]{4}\n$/.test(l))).toBe(true);

      await page.click("#record");
      feed(encodeRecord("H", ["up", "5"]) + "\n");
      let seq = 10;
      for (let i = 0; i < 40; i++) feed(frame(seq++, 980.7, 1000.0)); // 200 kg in total
      feed("S#garbage*abcd\n");
      seq += 3; // three frames lost
      feed(frame(seq++, 1961.3, 2000.0)); // 402 kg: the peak
      feed(frame(seq++, 980.7, 1000.0));
      await page.waitForFunction(() => document.getElementById("count-good")?.textContent === "42");
      expect(await page.textContent("#left-force")).toBe("100.0 kg");
      expect(await page.textContent("#right-force")).toBe("102.0 kg");
      expect(await page.textContent("#total-force")).toBe("202.0 kg");
      expect(await page.textContent("#peak-force")).toBe("403.9 kg");
      expect(await page.textContent("#count-corrupt")).toBe("1");
      expect(await page.textContent("#count-missing")).toBe("3");
      await page.selectOption("#units", "N");
      await page.waitForFunction(() => document.getElementById("total-force")?.textContent === "1981 N");
      // the chart drew something
      const inked = await page.evaluate(() => {
        const c = document.getElementById("chart") as HTMLCanvasElement;
        const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n;
      });
      expect(inked).toBeGreaterThan(500);

      await page.click("#record"); // stop
      const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
      const csv = fs.readFileSync((await download.path())!, "utf8").trim().split("\n");
      expect(csv[0]).toBe("time_s,seq,left_raw,right_raw,left_n,right_n,total_n");
      expect(csv.length).toBe(43);
      expect(csv[1].split(",").slice(4)).toEqual(["980.7", "1000.0", "1980.7"]);
    } finally {
      await browser.close();
    }
  });
});

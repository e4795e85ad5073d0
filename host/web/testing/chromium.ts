/**
 * Debian's headless Chromium for the page's tests and bench, with a fresh profile each time, and
 * the bundled CLI's `rackcell web` started from a folder outside the repository.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const BUNDLED_CLI = path.join(REPO, "dist", "rackcell.mjs");
export const LAPTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** Why the browser tests cannot run here ("" when they can). */
export function chromiumMissing(): string {
  if (!fs.existsSync(CHROMIUM)) return `${CHROMIUM} is absent: run RACKCELL_WITH_BROWSER=1 bash host/tools/setup.sh (installs Debian's chromium)`;
  if (!fs.existsSync(path.join(REPO, "dist", "web", "app.js"))) return "dist/web is not built: run npm run build";
  return "";
}

export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const { chromium } = await import("playwright-core");
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, viewport: LAPTOP, acceptDownloads: true,
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** `node dist/rackcell.mjs web --listen 0 …` in a fresh temporary folder; resolves with the page's URL. */
export async function startWebCli(args: string[]): Promise<{ url: string; cwd: string; proc: ChildProcess; stderr: () => string; stop(): Promise<void> }> {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-web-cli-"));
  const proc = spawn(process.execPath, [BUNDLED_CLI, "web", "--listen", "0", ...args], { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RACKCELL_PORT: "" } });
  let out = "";
  let err = "";
  proc.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rackcell web printed no URL within 60 s: ${err}`)), 60_000);
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /open (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.once("exit", (code) => reject(new Error(`rackcell web exited (${code}): ${err}`)));
  });
  return {
    url, cwd, proc, stderr: () => err,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once("exit", r));
        proc.kill("SIGINT");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (proc.exitCode === null) proc.kill("SIGKILL");
      }
      fs.rmSync(cwd, { recursive: true, force: true });
    },
  };
}

/**
 * Where a test's screenshots go: the README's copies in `<testDir>/screenshots` only with
 * RACKCELL_UPDATE_SCREENSHOTS=1 (a deliberate update), otherwise a temporary folder, so that a
 * test run leaves the working tree as it was.
 */
export const UPDATE_SCREENSHOTS = process.env.RACKCELL_UPDATE_SCREENSHOTS === "1";

export function screenshotDir(testDir: string): string {
  if (UPDATE_SCREENSHOTS) return path.join(testDir, "screenshots");
  return fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-shots-"));
}

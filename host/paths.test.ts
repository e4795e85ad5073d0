import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_BOARD, repoRoot } from "./paths.ts";
import { loadBoard } from "./build/boards.ts";

const HERE_ROOT = path.resolve(import.meta.dirname, "..");

describe("paths", () => {
  it("repoRoot() is the folder of rackcell's package.json, from the sources", () => {
    expect(repoRoot()).toBe(HERE_ROOT);
    expect(JSON.parse(fs.readFileSync(path.join(repoRoot(), "package.json"), "utf8")).name).toBe("rackcell");
  });

  it("DEFAULT_BOARD names a board in boards/", () => {
    expect(loadBoard(DEFAULT_BOARD).name).toBe(DEFAULT_BOARD);
  });

  it("the bundled CLI finds the package from another folder: `rackcell web` serves the page and app.js", async () => {
    const bundle = path.join(HERE_ROOT, "dist", "rackcell.mjs");
    expect(fs.existsSync(bundle), "dist/rackcell.mjs: run the build").toBe(true);
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-paths-"));
    const child = spawn(process.execPath, [bundle, "web", "--listen", "0"], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    try {
      let err = "";
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL from rackcell web: ${err}`)), 30000);
        child.stderr.on("data", (d: Buffer) => {
          err += d.toString();
          const m = /open (http:\/\/\S+)/.exec(err);
          if (m) { clearTimeout(timer); resolve(m[1]); }
        });
        child.on("exit", (code) => reject(new Error(`rackcell web exited (${code}): ${err}`)));
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("<html");
      const app = await fetch(new URL("app.js", url));
      expect(app.status).toBe(200);
    } finally {
      child.kill("SIGINT");
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  }, 60000);
});

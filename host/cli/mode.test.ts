import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatedBoardHandle } from "./emulated.ts";

/** `rackcell mode`: the board switched to Chronojump's protocol still answers the host, keeps the mode on flash and switches back. */
const run = promisify(execFile);
const ROOT = path.join(import.meta.dirname, "..", "..");
const MAIN = path.join(import.meta.dirname, "main.ts");
const TSX = pathToFileURL(path.join(ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-mode-"));
let board: EmulatedBoardHandle;

function cli(args: string[]) {
  return run(process.execPath, ["--import", TSX, MAIN, "--db", path.join(dir, "r.db"), "--port", board.path, ...args], { cwd: dir, timeout: 60000 })
    .then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }));
}

beforeAll(async () => {
  board = await startEmulator({ scenario: "empty", clock: "realtime" });
  await new Promise((r) => setTimeout(r, 2500)); // the application starts 1.5 s after boot
}, 30000);
afterAll(async () => {
  await board?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("rackcell mode", () => {
  it("switches to chronojump, info shows it, and switches back", async () => {
    const to = await cli(["mode", "chronojump"]);
    expect(to.code, to.stderr).toBe(0);
    expect(to.stdout).toMatch(/Chronojump's force-sensor protocol now/);
    const info = await cli(["info"]);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toMatch(/protocol\s+chronojump/);
    const back = await cli(["mode", "rackcell"]);
    expect(back.code, back.stderr).toBe(0);
    expect((await cli(["info"])).stdout).toMatch(/protocol\s+rackcell/);
  }, 120000);

  it("refuses an unknown mode in one line", async () => {
    const r = await cli(["mode", "modbus"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/mode must be rackcell or chronojump \(got "modbus"\)/);
  });
});

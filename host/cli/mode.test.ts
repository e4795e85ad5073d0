import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatedBoardHandle } from "./emulated.ts";
import { runCli } from "./testing/run-cli.ts";

/** `rackcell mode`: the board switched to Chronojump's protocol still answers the host, keeps the mode on flash and switches back. */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-mode-"));
let board: EmulatedBoardHandle;

function cli(args: string[]) {
  return runCli(["--db", path.join(dir, "r.db"), "--port", board.path, ...args], { cwd: dir });
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

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startEmulatedBoard, type EmulatedBoard } from "../emulator/index.ts";
import { deploy, requiredModules, uploadSet } from "./deploy.ts";
import { DeployError, PromptSession, openRawPort, type RawPort } from "./prompt.ts";
import { DEFAULT_BOARD } from "../paths.ts";

/**
 * Deploy end to end against the emulated board on its pseudo-terminal: a fresh board (empty
 * flash) gets the firmware and boots it; a transfer cut mid-file leaves the old files; a board
 * without hx711 is refused with the module named.
 */
const BOARD = DEFAULT_BOARD;
let board: EmulatedBoard | undefined;
let port: RawPort | undefined;
let flashDir = "";

async function fresh(lfsPartitionBytes?: number): Promise<RawPort> {
  flashDir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-flash-"));
  board = await startEmulatedBoard({ board: BOARD, install: "none", pty: true, clock: "realtime", flashDir, ...(lfsPartitionBytes !== undefined ? { lfsPartitionBytes } : {}) });
  port = await openRawPort(board.path!);
  return port;
}

afterEach(async () => {
  await port?.close();
  await board?.close();
  port = undefined;
  board = undefined;
  if (flashDir) fs.rmSync(flashDir, { recursive: true, force: true });
});

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** A copy of build/ whose buildinfo.lua (and so its hash) differs: a "new build" to deploy over the old. */
function newerBuild(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-build-"));
  fs.cpSync("build", path.join(root, "build"), { recursive: true });
  const m = JSON.parse(fs.readFileSync(path.join(root, "build/manifest.json"), "utf8"));
  for (const f of m.files) {
    if (f.name !== "init.lua") continue;
    const file = path.join(root, m.luaDir, f.name);
    const data = Buffer.concat([fs.readFileSync(file), Buffer.from("-- newer build\n")]);
    fs.writeFileSync(file, data);
    f.bytes = data.length;
    f.sha256 = sha(data);
  }
  m.buildHash = "0123456789ab";
  fs.writeFileSync(path.join(root, "build/manifest.json"), JSON.stringify(m));
  return root;
}

describe("deploy to the emulated board", () => {
  it("required modules come from the firmware's calls; hx711 only for an hx711-module reader", () => {
    const { files } = uploadSet(BOARD);
    const need = requiredModules(files, true);
    expect(need).toEqual(expect.arrayContaining(["uart", "tmr", "node", "file", "hx711"]));
    expect(requiredModules(files, false)).not.toContain("hx711");
  });

  it("uploads to a fresh board, verifies every file, and the board boots the manifest's build", async () => {
    const p = await fresh();
    const progress: number[] = [];
    const res = await deploy(p, { board: BOARD, onProgress: (x) => progress.push(x.bytesDone) }, true);
    const manifest = JSON.parse(fs.readFileSync("build/manifest.json", "utf8"));
    expect(res.boot?.build).toBe(manifest.buildHash);
    expect(res.files.every((f) => f.verifiedBy === "sha256")).toBe(true);
    expect(progress[progress.length - 1]).toBe(res.bytes);
    for (const f of uploadSet(BOARD).files) expect(sha(fs.readFileSync(path.join(flashDir, f.name)))).toBe(f.sha256);
    expect(fs.readdirSync(flashDir).filter((n) => n.startsWith("_up_"))).toEqual([]);
  }, 180_000);

  it("an LFS image the board refuses is named, with how to make one for a real board; the board keeps running", async () => {
    const p = await fresh();
    const bogus = path.join(flashDir, "..", `bogus-${path.basename(flashDir)}.img`);
    fs.writeFileSync(bogus, "not an LFS image\n");
    try {
      const attempt = deploy(p, { board: BOARD, lfsImage: bogus, bootTimeoutMs: 8000 }, true);
      await expect(attempt).rejects.toThrow(DeployError);
      await expect(attempt).rejects.toThrow(/refused the LFS image: .+luac\.cross.+--lfs-image/);
      expect(fs.readFileSync(path.join(flashDir, "lfs.img"), "utf8")).toBe("not an LFS image\n");
      // still at the prompt: no restart happened
      const s = new PromptSession(p);
      await s.write('print("still", 1+1)\n');
      await s.expect(/still\t2/, 3000, "the prompt's answer");
      s.detach();
    } finally {
      fs.rmSync(bogus, { force: true });
    }
    expect(() => uploadSet(BOARD, ".", "/nonexistent/lfs.img")).toThrow(/no such LFS image/);
  }, 180_000);

  it("a transfer cut mid-file leaves the board with the old files", async () => {
    const p = await fresh();
    await deploy(p, { board: BOARD, reboot: false }, true);
    const before = Object.fromEntries(fs.readdirSync(flashDir).filter((n) => n.endsWith(".lua")).map((n) => [n, sha(fs.readFileSync(path.join(flashDir, n)))]));
    const root = newerBuild();
    let cut = false;
    const attempt = deploy(p, {
      board: BOARD, root, reboot: false, ackTimeoutMs: 1500,
      onProgress: (x) => {
        if (!cut && x.bytesDone > x.bytesTotal / 2) {
          cut = true;
          void board!.fault({ kind: "unplug", seconds: 3 });
        }
      },
    }, true);
    await expect(attempt).rejects.toThrow(DeployError);
    await expect(attempt).rejects.toThrow(/transfer cut|no answer|acknowledg|write failed/);
    const after = Object.fromEntries(Object.keys(before).map((n) => [n, sha(fs.readFileSync(path.join(flashDir, n)))]));
    expect(after).toEqual(before);
    fs.rmSync(root, { recursive: true, force: true });
  }, 240_000);

  it("a power cut during the upload leaves the old files; the next deploy replaces them", async () => {
    const p = await fresh();
    await deploy(p, { board: BOARD, reboot: false }, true);
    const initBefore = fs.readFileSync(path.join(flashDir, "init.lua"));
    const root = newerBuild();
    let cut = false;
    const attempt = deploy(p, {
      board: BOARD, root, reboot: false, ackTimeoutMs: 1500, restartRetries: 0,
      onProgress: (x) => {
        if (!cut && x.bytesDone > x.bytesTotal / 3) {
          cut = true;
          void board!.fault({ kind: "powerCut" });
        }
      },
    }, true);
    await expect(attempt).rejects.toThrow(DeployError);
    expect(fs.readFileSync(path.join(flashDir, "init.lua")).equals(initBefore)).toBe(true);
    // the board is back (the old application may start: deploy asks it for the prompt first)
    const again = await deploy(p, { board: BOARD, root, reboot: false }, true);
    expect(again.files.length).toBeGreaterThan(0);
    expect(fs.readFileSync(path.join(flashDir, "init.lua")).toString()).toContain("-- newer build");
    fs.rmSync(root, { recursive: true, force: true });
  }, 240_000);

  it("a power cut mid-upload is ridden out: the prompt is taken back and the upload carries on", async () => {
    const p = await fresh();
    await deploy(p, { board: BOARD, reboot: false }, true);
    const root = newerBuild();
    let cut = false;
    const logs: string[] = [];
    const res = await deploy(p, {
      board: BOARD, root, reboot: false, ackTimeoutMs: 1500, log: (l) => logs.push(l),
      onProgress: (x) => {
        if (!cut && x.bytesDone > x.bytesTotal / 2) {
          cut = true;
          void board!.fault({ kind: "powerCut" });
        }
      },
    }, true);
    expect(cut).toBe(true);
    expect(logs.join("\n")).toMatch(/restarted during the upload/);
    expect(res.files.every((f) => f.verifiedBy === "sha256")).toBe(true);
    expect(fs.readFileSync(path.join(flashDir, "init.lua")).toString()).toContain("-- newer build");
    fs.rmSync(root, { recursive: true, force: true });
  }, 240_000);

  it("a board whose LFS partition is too small is refused before the upload, with the node.setpartitiontable line that fixes it", async () => {
    const p = await fresh(0x10000);
    const image = fs.statSync(JSON.parse(fs.readFileSync("build/manifest.json", "utf8")).lfs.image).size;
    expect(image).toBeGreaterThan(0x10000);
    const attempt = deploy(p, { board: BOARD, lfsPartitionBytes: 0x30000 }, true);
    await expect(attempt).rejects.toMatchObject({ code: "LFS_PARTITION" });
    await expect(attempt).rejects.toThrow(`the board has an LFS partition of 65536 bytes (0x010000); the LFS image is ${image} bytes. At the board's prompt run:\n  node.setpartitiontable{lfs_size = 0x030000}\n`);
    expect(fs.readdirSync(flashDir).filter((n) => n.startsWith("_up_") || n === "lfs.img")).toEqual([]); // nothing was uploaded
    // The line it gives, typed at the prompt, makes the next deploy go through.
    const s = new PromptSession(p);
    await s.sync();
    await s.write("node.setpartitiontable{lfs_size = 0x030000}\n");
    await s.expect(/powered by Lua/, 8000, "the restart");
    s.detach();
    const res = await deploy(p, { board: BOARD, lfsPartitionBytes: 0x30000 }, true);
    expect(res.boot?.build).toBe(JSON.parse(fs.readFileSync("build/manifest.json", "utf8")).buildHash);
  }, 240_000);

  it("names a missing hx711 module and says how to get a build with it", async () => {
    const p = await fresh();
    // a NodeMCU build without hx711: the global is absent (the emulator always has the module,
    // so it is hidden at the prompt: the probe tests each module global for truth)
    const s = new PromptSession(p);
    await s.sync();
    await s.line("hx711=false");
    s.detach();
    const attempt = deploy(p, { board: BOARD }, true);
    await expect(attempt).rejects.toThrow(/lacks hx711/);
    await expect(attempt).rejects.toThrow(/nodemcu-build\.com|LUA_USE_MODULES_HX711/);
  }, 120_000);
});

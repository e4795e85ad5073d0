import { createHash } from "node:crypto";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { firmwareBoard, listBoards, loadBoard } from "./boards.ts";
import { buildLuaProject } from "./lua-build.ts";
import { toLuaLiteral } from "../testing/lua-values.ts";
import { bundleHost } from "./bundle.ts";
import { writeLfsImage } from "./lfs-image.ts";
import { MANIFEST_PATH, type Manifest } from "./manifest.ts";
import { repoRoot } from "../paths.ts";

/**
 * `npm run build`: type-checks everything, bundles the host (+ shared) into dist/ (JavaScript); firmware + shared → build/lua51 and
 * build/lua53 (flat NodeMCU names); the emulator's board side → build/emu; one board.lua per
 * board; and build/manifest.json, the list of files `deploy` uploads, with the build hash.
 */
process.chdir(repoRoot());

function step(name: string, fn: () => void): void {
  const t0 = Date.now();
  fn();
  console.log(`build: ${name} (${Date.now() - t0} ms)`);
}

/** Files reachable from init.lua through require("x"), plus the board and build info. */
export function firmwareClosure(luaDir: string, entry = "init"): string[] {
  const seen = new Set<string>();
  const visit = (mod: string) => {
    if (seen.has(mod)) return;
    const file = path.join(luaDir, `${mod}.lua`);
    if (!fs.existsSync(file)) return; // board/buildinfo are generated next to it
    seen.add(mod);
    for (const m of fs.readFileSync(file, "utf8").matchAll(/require\("([^"]+)"\)/g)) visit(m[1]);
  };
  visit(entry);
  return [...seen].map((m) => `${m}.lua`).sort();
}

/**
 * The LFS image against each board's partition. The emulator's stand-in image holds sources and
 * is not the size of NodeMCU's luac.cross image (≈101 KB for today's modules), but it must fit
 * the emulated board's partition as that image must fit the real one.
 */
function lfsReport(imageBytes: number, boards: { name: string; lfsPartitionBytes: number }[]): string[] {
  return boards.map((b) => {
    const pct = ((100 * imageBytes) / b.lfsPartitionBytes).toFixed(0);
    const verdict = imageBytes <= b.lfsPartitionBytes ? "fits" : "DOES NOT FIT: the board would refuse it (node.LFS.reload)";
    return `build: LFS image ${imageBytes} bytes (stand-in) in ${b.name}'s ${b.lfsPartitionBytes}-byte partition: ${pct} %, ${verdict}`;
  });
}

/**
 * How much stripping debug information saves (luac -s: no line numbers or local names; the code,
 * and so heap and speed, are the same): measured with this host's luac5.1 on the LFS modules,
 * the ratio NodeMCU's `luac.cross -f -s` applies to its own image.
 */
function strippedEstimate(luaDir: string, files: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-luac-"));
  try {
    const size = (strip: boolean) => {
      const out = path.join(dir, strip ? "s.luac" : "d.luac");
      execFileSync("luac5.1", [...(strip ? ["-s"] : []), "-o", out, ...files.map((f) => path.join(luaDir, f))]);
      return fs.statSync(out).size;
    };
    const full = size(false);
    const stripped = size(true);
    return `build: LFS modules as luac5.1 bytecode: ${full} bytes, ${stripped} stripped (-s): luac.cross -f -s keeps ${(100 * stripped / full).toFixed(0)} % of its image`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function main(): void {
  step("Lua 5.1 (firmware + shared)", () => buildLuaProject("tsconfig.lua51.json"));
  step("Lua 5.3 (firmware + shared)", () => buildLuaProject("tsconfig.lua53.json"));
  if (fs.existsSync("tsconfig.emu.json")) step("emulator board (Lua 5.1)", () => buildLuaProject("tsconfig.emu.json"));
  step("type-check host + shared (tsc)", () => {
    const res = spawnSync(process.execPath, [path.join("node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], { stdio: "inherit" });
    if (res.status !== 0) throw new Error("tsc found type errors");
  });
  step("host → dist (esbuild bundle)", () => bundleHost());

  const luaDir = "build/lua51";
  const files = firmwareClosure(luaDir);
  const hash = sha256(files.map((f) => fs.readFileSync(path.join(luaDir, f))).join("\n")).slice(0, 12);
  const version = (JSON.parse(fs.readFileSync("package.json", "utf8")) as { version: string }).version;
  fs.writeFileSync(path.join(luaDir, "buildinfo.lua"), `return ${toLuaLiteral({ version, hash })}\n`);
  const boards = listBoards();
  for (const name of boards) {
    const dir = path.join("build", "boards", name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "board.lua"), `return ${toLuaLiteral(firmwareBoard(loadBoard(name)))}\n`);
  }
  const all = [...files, "buildinfo.lua"];
  const lfsModules = writeLfsImage(luaDir, all, "build/lfs.img");
  const lfsBytes = fs.statSync("build/lfs.img").size;
  const manifest: Manifest = {
    version, buildHash: hash, luaDir, boards,
    /** The emulated board's LFS image (see lfs-image.ts) and the files that stay on SPIFFS. */
    lfs: { image: "build/lfs.img", bytes: lfsBytes, modules: lfsModules },
    spiffs: ["init.lua"],
    files: all.map((f) => {
      const data = fs.readFileSync(path.join(luaDir, f));
      return { name: f, bytes: data.length, sha256: sha256(data) };
    }),
  };
  fs.writeFileSync(MANIFEST_PATH, `${JSON.stringify(manifest, null, 2)}\n`);

  // Every Lua file must at least parse in its VM (loading under the NodeMCU profile is a test).
  for (const [dir, luac] of [["build/lua51", "luac5.1"], ["build/lua53", "luac5.3"]] as const) {
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith(".lua"))) {
      execFileSync(luac, ["-p", path.join(dir, f)]);
    }
  }
  const total = manifest.files.reduce((s, f) => s + f.bytes, 0);
  console.log(`build: firmware ${hash}: ${all.length} files, ${total} bytes (Lua 5.1), boards: ${boards.join(", ")}`);
  for (const line of lfsReport(lfsBytes, boards.map((b) => loadBoard(b)))) console.log(line);
  console.log(strippedEstimate(luaDir, lfsModules.map((m) => `${m}.lua`)));
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  try {
    main();
  } catch (e) {
    console.error(`build failed: ${(e as Error).message}`);
    process.exit(1);
  }
}

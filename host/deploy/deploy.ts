/**
 * `rackcell deploy`: uploads the built firmware (build/manifest.json + build/boards/<board>/board.lua
 * as board.lua) to a board at the bare NodeMCU prompt, then reboots it and checks the build hash.
 *   1. hand the UART to the prompt: the rackcell app's `prompt` command (harmless when no app runs),
 *      then sync with print("a","z") → "a\tz"
 *   2. probe the modules (globals) and name what is missing, with how to get a build that has it
 *   3. send the helper (lua-helper.ts), upload every file under _up_<name> as binary blocks
 *      acknowledged by the board (blocks.ts; `window` blocks in flight, never more than the
 *      256-byte RX ring holds), verify each (SHA-256 via crypto.fhash, else an on-board read-back
 *      Adler-32), and only when every file verified, swap them in: remove old, rename new. A
 *      transfer cut anywhere before the swap leaves every old file as it was.
 *   4. node.restart() and wait for the B record carrying the manifest's build hash.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { encodeCommand } from "../../shared/protocol/messages.ts";
import { openLine, splitFields } from "../../shared/protocol/frame.ts";
import { parsePairs } from "../../shared/protocol/keyvalue.ts";
import { B64_DIGITS } from "../../shared/protocol/wire-number.ts";
import { encodeFile } from "./blocks.ts";
import { CLEANUP_LINE, FREE_APP_LINE, HELPER_CHECK_LINE, HELPER_LINES, PROBE_LINE, PROBED_MODULES, TEMP_PREFIX, adler32, hashLine, missingModuleAdvice, swapLines } from "./lua-helper.ts";
import { DeployError, PromptSession, type RawPort } from "./prompt.ts";
import { readManifest as readBuildManifest, type Manifest } from "../build/manifest.ts";
import { checkPartition, readPartitionTable } from "./partition.ts";

export interface UploadFile { name: string; data: Buffer; sha256: string }

export interface DeployOptions {
  board: string;
  /** repository root holding build/ (default: cwd) */
  root?: string;
  blockSize?: number;
  /** blocks in flight; blockSize·window must stay ≤ 240 (the RX ring is 256 bytes) */
  window?: number;
  compress?: boolean;
  /** skip files whose hash on the board already matches (needs crypto) */
  skipUnchanged?: boolean;
  reboot?: boolean;
  bootTimeoutMs?: number;
  ackTimeoutMs?: number;
  /** carry on although modules are missing */
  force?: boolean;
  /**
   * an LFS image to upload instead of the build's (the build's is the emulator's stand-in format; a
   * real ESP8266 needs one from NodeMCU's `luac.cross -f`)
   */
  lfsImage?: string;
  /** the LFS partition the board definition asks for (bytes): the size the fix proposes when the image does not fit */
  lfsPartitionBytes?: number;
  /** how often to take the prompt back when the board restarts during the upload (default 2; 0: fail at once) */
  restartRetries?: number;
  /** how each file is checked on the board: SHA-256 by crypto.fhash ("auto" when crypto exists) or an on-board read-back Adler-32 */
  verify?: "auto" | "sha256" | "adler32";
  onProgress?: (p: { file: string; fileIndex: number; files: number; bytesDone: number; bytesTotal: number }) => void;
  log?: (line: string) => void;
}

export interface FileResult { name: string; bytes: number; wireBytes: number; seconds: number; skipped: boolean; verifiedBy: "sha256" | "adler32" | "unchanged" }

export interface DeployResult {
  modules: Record<string, boolean>;
  missing: string[];
  heap: number;
  files: FileResult[];
  uploadSeconds: number;
  bytes: number;
  wireBytes: number;
  buildHash: string;
  boot?: Record<string, string>;
}

/** Name of the LFS image on the board's SPIFFS, handed to node.LFS.reload. */
export const LFS_IMAGE_NAME = "lfs.img";

/** The build's manifest; a missing one is the user's input error (exit code and message). */
function manifestForDeploy(root: string): Manifest {
  try {
    return readBuildManifest(root);
  } catch (e) {
    throw new DeployError((e as Error).message, "INPUT");
  }
}

/** The files to upload: the manifest's (checked against their sha256) plus the board's board.lua. */
export function uploadSet(board: string, root = ".", lfsImage?: string): { manifest: Manifest; files: UploadFile[] } {
  const manifest = manifestForDeploy(root);
  if (!manifest.boards.includes(board)) throw new DeployError(`board "${board}" is not in the build (built: ${manifest.boards.join(", ")})`, "INPUT");
  // The firmware's modules go up as one LFS image (they would not fit in RAM as source); only
  // the files that stay on SPIFFS (init.lua) go up one by one. A manifest without an image
  // (older builds) uploads every module as a file.
  const spiffs = manifest.lfs ? manifest.files.filter((f) => (manifest.spiffs ?? []).includes(f.name)) : manifest.files;
  const files: UploadFile[] = spiffs.map((f) => {
    const data = fs.readFileSync(path.join(root, manifest.luaDir, f.name));
    const sha = createHash("sha256").update(data).digest("hex");
    if (sha !== f.sha256) throw new DeployError(`${f.name} changed since the build (sha256 differs from build/manifest.json): run \`npm run build\``, "INPUT");
    return { name: f.name, data, sha256: sha };
  });
  if (lfsImage !== undefined && !fs.existsSync(lfsImage)) throw new DeployError(`${lfsImage}: no such LFS image`, "INPUT");
  if (manifest.lfs || lfsImage !== undefined) {
    const image = fs.readFileSync(lfsImage ?? path.join(root, manifest.lfs!.image));
    files.push({ name: LFS_IMAGE_NAME, data: image, sha256: createHash("sha256").update(image).digest("hex") });
  }
  const boardLua = fs.readFileSync(path.join(root, "build", "boards", board, "board.lua"));
  files.push({ name: "board.lua", data: boardLua, sha256: createHash("sha256").update(boardLua).digest("hex") });
  for (const f of files) {
    if ((TEMP_PREFIX + f.name).length > 31) throw new DeployError(`${f.name}: name too long for NodeMCU's 31-byte file names with the ${TEMP_PREFIX} prefix`, "INPUT");
  }
  return { manifest, files };
}

/** Modules the firmware files call (name. in the code), plus hx711 when a channel reads through it. */
export function requiredModules(files: UploadFile[], boardUsesHx711Module: boolean): string[] {
  const text = files.map((f) => f.data.toString("latin1")).join("\n");
  const need = new Set<string>(["uart", "tmr", "node", "file"]);
  for (const m of PROBED_MODULES) if (m !== "hx711" && new RegExp(`\\b${m}\\.[a-zA-Z_]`).test(text)) need.add(m);
  if (boardUsesHx711Module) need.add("hx711");
  return PROBED_MODULES.filter((m) => need.has(m));
}

/** A sealed record of the rackcell app (sample, heartbeat, boot, …), wherever it sits in a line. */
const APP_LINE = /(?:^|[^A-Za-z0-9])([SBHEMR][,A-Za-z0-9_=.:/ +-]*\*[0-9a-f]{4})\r?$/m;

/** The board's boot banner or the app's boot record: the board restarted. */
export function boardRestarted(text: string): boolean {
  if (/powered by Lua|NodeMCU \d+\.\d+/.test(text)) return true;
  for (const line of text.split("\n")) {
    const at = line.indexOf("B,");
    if (at >= 0 && parseFields(line.slice(at))?.kind === "B") return true;
  }
  return false;
}

export function appRecordIn(text: string): boolean {
  for (const line of text.split("\n")) {
    const m = APP_LINE.exec(line);
    if (m && openLine(m[1]).error === "") return true;
  }
  return false;
}

/**
 * Gets the bare prompt: the app's `prompt` command (harmless without an app), then print("a","z").
 * A board that was just reset answers at the prompt for a moment before init.lua starts the app
 * (1500 ms in rackcell's init): so after the sync, listen `settleMs`; if the app shows up, ask
 * again.
 */
export async function handToPrompt(s: PromptSession, settleMs = 1800): Promise<void> {
  let id = 900000;
  for (let round = 0; round < 3; round++) {
    await s.sync(10, 700, async () => {
      // At a bare prompt the command line is an unfinished Lua statement (the interpreter waits
      // under ">> "), so a ";" line ends it with a harmless error.
      await s.write(`${encodeCommand(++id, "prompt", [])}\n`);
      await new Promise((r) => setTimeout(r, 150));
      await s.write(";\n");
    });
    if (settleMs <= 0) return;
    const mark = s.received;
    await new Promise((r) => setTimeout(r, settleMs));
    if (!appRecordIn(s.since(mark))) return;
  }
  throw new DeployError("the rackcell application keeps taking the UART back: hold the safe-mode pin low while resetting the board, then deploy", "NO_PROMPT");
}

export async function probeModules(s: PromptSession): Promise<{ modules: Record<string, boolean>; heap: number }> {
  const m = await s.call(PROBE_LINE, /_M((?:\t(?:true|false))+)\t(-?\d+)\r?\n/);
  const flags = m[1].split("\t").slice(1);
  const modules: Record<string, boolean> = {};
  PROBED_MODULES.forEach((name, i) => (modules[name] = flags[i] === "true"));
  return { modules, heap: Number(m[2]) };
}

/** Defines the helper at the prompt and checks every function arrived. */
export async function sendHelper(s: PromptSession): Promise<void> {
  await s.line(FREE_APP_LINE);
  for (const l of HELPER_LINES) {
    const out = await s.line(l);
    if (/Lua error|stdin:\d+:|not enough memory/.test(out)) throw new DeployError(`the board rejected the upload helper: ${out.trim().slice(-200)}`, "TRANSFER");
    // compiling a line leaves garbage; collect it while the prompt is idle rather than in a callback
    if (s.lastPrompt === "> ") await s.line("collectgarbage()");
  }
  const m = await s.call(HELPER_CHECK_LINE, /_OK\t(true|false)\r?\n/);
  if (m[1] !== "true") throw new DeployError("the upload helper did not define all its functions on the board", "TRANSFER");
}

/** Streams one file's blocks with `window` in flight; resolves with the board's byte count. */
export async function uploadBlocks(s: PromptSession, tempName: string, blocks: Buffer[], blockSize: number, window: number, ackTimeoutMs: number, onBlock: (i: number) => void): Promise<number> {
  await s.line(`collectgarbage() _r("${tempName}",${blocks.length},${blockSize})`);
  let sent = 0;
  const abort = /_RXERR[^\n]*\n/;
  const sendNext = async () => {
    await s.write(blocks[sent]);
    sent++;
  };
  while (sent < Math.min(window, blocks.length)) await sendNext();
  for (let acked = 0; acked < blocks.length; acked++) {
    let ack: string;
    try {
      ack = await s.take(1, ackTimeoutMs, abort);
    } catch (e) {
      throw new DeployError(`${tempName}: transfer cut at block ${acked + 1} of ${blocks.length} (${(e as Error).message}); the board keeps its old files`, "TRANSFER");
    }
    const want = B64_DIGITS[acked % 64];
    if (ack !== want) {
      const rxerr = ack === "_" ? await s.expect(/^RXERR ([^\n]*)\n/, 500, "_RXERR").catch(() => null) : null;
      if (rxerr) throw new DeployError(`${tempName}: the board's receiver failed at block ${acked + 1} of ${blocks.length}: ${rxerr[1].trim()}; the board keeps its old files`, "TRANSFER");
      const oom = await s.expect(/^:M (\d+)/, 300, "E:M").catch(() => null);
      if (ack === "E" && oom) throw new DeployError(`${tempName}: the board ran out of memory at block ${acked + 1} of ${blocks.length} (E:M ${oom[1]}: ${oom[1]} bytes in use) and restarts; the board keeps its old files`, "TRANSFER");
      throw new DeployError(`${tempName}: block ${acked + 1} acknowledged as ${JSON.stringify(ack)}, expected ${want}: the link lost bytes; the board keeps its old files`, "TRANSFER");
    }
    onBlock(acked);
    if (sent < blocks.length) await sendNext();
  }
  const m = await s.expect(/_RX(OK (\d+)|ERR[^\n]*)\r?\n/, ackTimeoutMs, "_RXOK");
  if (!m[2]) throw new DeployError(`${tempName}: board says ${m[0].trim()}`, "TRANSFER");
  return Number(m[2]); // printed from a callback: no prompt follows
}

export async function boardHash(s: PromptSession, name: string, algo: "sha256" | "adler32" = "sha256"): Promise<{ algo: string; value: string }> {
  const m = await s.call(hashLine(name, algo), /_H (sha256|adler32|none) ?([0-9a-f]*)\r?\n|Lua error[^\n]*\n/, 15000);
  if (!m[1]) return { algo: "none", value: m[0].trim() };
  return { algo: m[1], value: m[2] };
}

function parseFields(line: string): { kind: string; fields: Record<string, string> } | undefined {
  const o = openLine(line);
  if (o.error !== "") return undefined;
  const parts = splitFields(o.body);
  return { kind: parts[0], fields: parsePairs(parts, 1) };
}

/** What the board prints when node.LFS.reload refuses the image (the board does not restart then). */
const LFS_REFUSED = "_LFS_REFUSED ";

/** Waits for the app's B record after a restart (it may come glued to the prompt or to boot noise). */
export async function waitForBoot(s: PromptSession, timeoutMs: number): Promise<Record<string, string>> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const m = await s.expect(/([^\n]*)\n/, Math.max(1, timeoutMs - (Date.now() - t0)), "the B boot record");
    const line = m[1].replace(/\r$/, "");
    if (line.startsWith(LFS_REFUSED)) { // the echoed command line starts with "local e=", not with this
      throw new DeployError(
        `the board refused the LFS image: ${line.slice(LFS_REFUSED.length)}. The build's lfs.img is the emulated board's format; ` +
          "a real ESP8266 needs one made by NodeMCU's luac.cross: `luac.cross -f -o lfs.img $(ls build/lua51/*.lua | grep -v init.lua)`, " +
          "then `rackcell deploy --lfs-image lfs.img`. The files are on the board; it still runs the image it had.",
        "BOOT",
      );
    }
    for (let at = line.indexOf("B,"); at >= 0; at = line.indexOf("B,", at + 1)) {
      const rec = parseFields(line.slice(at));
      if (rec?.kind === "B") return rec.fields;
    }
  }
  throw new DeployError(`no B record within ${(timeoutMs / 1000).toFixed(0)} s after the restart`, "BOOT");
}

export async function deploy(port: RawPort, opts: DeployOptions, boardUsesHx711Module: boolean): Promise<DeployResult> {
  const log = opts.log ?? (() => undefined);
  const blockSize = opts.blockSize ?? 120;
  const window = opts.window ?? 2;
  if (blockSize * window > 240) throw new DeployError(`blockSize × window = ${blockSize * window} would overrun the board's 256-byte RX ring (keep ≤ 240)`, "INPUT");
  const ackTimeoutMs = opts.ackTimeoutMs ?? 3000;
  const { manifest, files } = uploadSet(opts.board, opts.root ?? ".", opts.lfsImage);
  const s = new PromptSession(port);
  try {
    log(`${port.path}: waiting for the NodeMCU prompt`);
    await handToPrompt(s);
    const { modules, heap } = await probeModules(s);
    const need = requiredModules(files, boardUsesHx711Module);
    const missing = need.filter((m) => !modules[m]);
    log(`modules: ${PROBED_MODULES.map((m) => `${m}${modules[m] ? "" : " (missing)"}`).join(", ")}; heap ${heap} bytes`);
    if (missing.length > 0) {
      const text = `the board's NodeMCU lacks ${missing.join(", ")}:\n${missing.map((m) => `  - ${missingModuleAdvice(m)}`).join("\n")}`;
      if (!opts.force) throw new DeployError(text, "MISSING_MODULES");
      log(`warning: ${text}`);
    }
    const image = files.find((f) => f.name === LFS_IMAGE_NAME);
    if (image) {
      const table = await readPartitionTable(s);
      if (table === undefined) log("warning: this NodeMCU has no node.getpartitiontable(): its LFS partition is not checked before the upload");
      else {
        log(`LFS partition ${table.lfsSize} bytes at 0x${table.lfsAddr.toString(16)}; image ${image.data.length} bytes`);
        checkPartition(table, image.data.length, opts.lfsPartitionBytes ?? 0);
      }
    }
    await sendHelper(s);
    const want = opts.verify ?? "auto";
    if (want === "sha256" && !modules.crypto) throw new DeployError("--verify sha256 needs the crypto module, which this board lacks", "MISSING_MODULES");
    const verifyAlgo = want === "auto" ? (modules.crypto ? "sha256" : "adler32") : want;
    const results: FileResult[] = [];
    const total = files.reduce((a, f) => a + f.data.length, 0);
    let done = 0;
    let wire = 0;
    const t0 = Date.now();
    const swapped: string[] = [];
    let restarts = 0;
    for (let i = 0; i < files.length; i++) {
      const f = files[i];
      const expected = verifyAlgo === "sha256" ? f.sha256 : String(adler32(f.data));
      if (opts.skipUnchanged && modules.crypto) {
        const h = await boardHash(s, f.name);
        if (h.algo === "sha256" && h.value === f.sha256) {
          results.push({ name: f.name, bytes: f.data.length, wireBytes: 0, seconds: 0, skipped: true, verifiedBy: "unchanged" });
          done += f.data.length;
          opts.onProgress?.({ file: f.name, fileIndex: i, files: files.length, bytesDone: done, bytesTotal: total });
          continue;
        }
      }
      const enc = encodeFile(f.data, { blockSize, compress: opts.compress ?? true });
      const temp = TEMP_PREFIX + f.name;
      const tf = Date.now();
      let ok = false;
      for (let attempt = 1; attempt <= 2 && !ok; attempt++) {
        const mark = s.received;
        let got: number;
        let h: { algo: string; value: string };
        try {
          got = await uploadBlocks(s, temp, enc.blocks, blockSize, window, ackTimeoutMs, (b) => {
            const partial = Math.min(f.data.length, Math.round(((b + 1) / enc.blocks.length) * f.data.length));
            opts.onProgress?.({ file: f.name, fileIndex: i, files: files.length, bytesDone: done + partial, bytesTotal: total });
          });
          wire += enc.blocks.length * blockSize;
          h = await boardHash(s, temp, verifyAlgo);
        } catch (e) {
          // A board whose application crashed restarts on its own (and starts the app again):
          // take the prompt back and send this file again; the files done so far stay done.
          const retries = opts.restartRetries ?? 2;
          if (restarts < retries && !boardRestarted(s.since(mark))) {
            // a restart shows its banner a moment after the link went quiet
            await s.expect(/powered by Lua|NodeMCU \d+\.\d+/, 6000, "a boot banner").catch(() => null);
          }
          if (restarts < retries && boardRestarted(s.since(mark))) {
            restarts++;
            log(`${f.name}: the board restarted during the upload (${(e as Error).message.slice(0, 80)}); taking the prompt back`);
            // init.lua starts the old application ≈1.5 s after boot: let it start (its B record) and
            // then ask it for the prompt, or it would take the UART in the middle of the next upload.
            await s.expect(/B,[^\n]*\*[0-9a-f]{4}/, 4000, "the application's B record").catch(() => null);
            await handToPrompt(s);
            await sendHelper(s);
            attempt--;
            continue;
          }
          throw e;
        }
        ok = got === f.data.length && h.algo === verifyAlgo && h.value === expected;
        if (!ok) log(`${f.name}: verification failed (attempt ${attempt}: ${got} bytes, ${h.algo} ${h.value}, expected ${expected}); ${attempt === 1 ? "sending again" : "giving up"}`);
      }
      if (!ok) throw new DeployError(`${f.name}: the uploaded copy does not verify (${verifyAlgo}); the board keeps its old files`, "VERIFY");
      done += f.data.length;
      swapped.push(f.name);
      results.push({ name: f.name, bytes: f.data.length, wireBytes: enc.blocks.length * blockSize, seconds: (Date.now() - tf) / 1000, skipped: false, verifiedBy: verifyAlgo });
      log(`${f.name}: ${f.data.length} bytes as ${enc.blocks.length * blockSize} on the wire, ${verifyAlgo} ok`);
    }
    const uploadSeconds = (Date.now() - t0) / 1000;
    // swap in, as few prompt lines as possible
    for (const l of swapLines(swapped)) {
      const m = await s.call(l, /_SW(OK|ERR [^\n]*)\r?\n/);
      if (m[1] !== "OK") throw new DeployError(`renaming failed: ${m[0].trim()}`, "VERIFY");
    }
    await s.line(CLEANUP_LINE);
    let boot: Record<string, string> | undefined;
    if (opts.reboot ?? true) {
      s.clear();
      // node.LFS.reload flashes the image and restarts the board; without an image, a plain restart.
      const lfs = files.some((f) => f.name === LFS_IMAGE_NAME);
      // On success reload restarts the board and never returns; a refused image returns the reason.
      await s.write(lfs ? `local e=node.LFS.reload("${LFS_IMAGE_NAME}") if e then print("${LFS_REFUSED}"..tostring(e)) end\n` : "node.restart()\n");
      boot = await waitForBoot(s, opts.bootTimeoutMs ?? 20000);
      const hash = boot.build ?? boot.hash ?? boot.buildHash ?? Object.values(boot).find((v) => v === manifest.buildHash);
      if (hash !== manifest.buildHash) {
        throw new DeployError(`the board booted build ${hash ?? "(no hash in the B record)"} instead of ${manifest.buildHash}`, "BOOT");
      }
      log(`board booted build ${manifest.buildHash}`);
    }
    return { modules, missing, heap, files: results, uploadSeconds, bytes: total, wireBytes: wire, buildHash: manifest.buildHash, boot };
  } finally {
    s.detach();
  }
}

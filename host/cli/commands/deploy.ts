import { Option, type Command } from "commander";
import cliProgress from "cli-progress";
import { loadBoard } from "../../build/boards.ts";
import { action } from "../run.ts";
import { examples, globalOptions, wholeNumber } from "../options.ts";
import { deploy } from "../../deploy/deploy.ts";
import { openRawPort } from "../../deploy/prompt.ts";
import { startEmulatedBoard } from "../../emulator/index.ts";
import { DEFAULT_BOARD, repoRoot } from "../../paths.ts";

interface DeployFlags {
  board: string;
  blockSize: number;
  window: number;
  compress: boolean;
  changedOnly?: boolean;
  reboot: boolean;
  force?: boolean;
  verify: "auto" | "sha256" | "adler32";
  lfsImage?: string;
}

export function register(program: Command): void {
  const cmd = program
    .command("deploy")
    .description("upload the built firmware to a board at the NodeMCU prompt (verified, atomic per build), reboot, check the build hash")
    .option("--board <name>", "board definition whose board.lua is uploaded", DEFAULT_BOARD)
    .option("--block-size <bytes>", "bytes per block on the wire (≤ 240 / window)", wholeNumber("--block-size", 1, 240), 120)
    .option("--window <n>", "blocks in flight before an acknowledgement", wholeNumber("--window", 1, 240), 2)
    .option("--no-compress", "send the files as they are (no LZ compression)")
    .option("--changed-only", "skip files whose SHA-256 on the board matches (needs crypto)")
    .option("--no-reboot", "do not restart the board after the upload")
    .option("--force", "upload although NodeMCU modules the firmware needs are missing")
    .option("--lfs-image <file>", "upload this LFS image instead of the build's (for a real board: made by NodeMCU's luac.cross -f)")
    .addOption(new Option("--verify <how>", "auto: SHA-256 by crypto.fhash when the board has crypto, else adler32 (on-board read-back)").choices(["auto", "sha256", "adler32"]).default("auto"))
    .action(action(async (flags: DeployFlags, c: Command) => {
      const g = globalOptions(c);
      const log = (s: string) => process.stderr.write(`${s}\n`);
      const board = loadBoard(flags.board);
      let emulator: { path: string; close(): Promise<void> | void } | undefined;
      let path = g.port;
      if (!path) {
        const started = await startEmulatedBoard({ board: board.name, install: "none", pty: true, clock: "realtime", onNotice: log });
        emulator = started as typeof started & { path: string };
        path = emulator.path;
        log(`No --port given: deploying to a fresh emulated board on ${path}. For a real board: --port /dev/ttyUSB0.`);
      }
      const port = await openRawPort(path, g.baud);
      const bar = new cliProgress.SingleBar({ format: "{bar} {percentage}% | {value}/{total} bytes | {file}", hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic);
      let started = false;
      try {
        const res = await deploy(port, {
          board: board.name, root: repoRoot(), blockSize: flags.blockSize, window: flags.window, compress: flags.compress,
          skipUnchanged: flags.changedOnly, reboot: flags.reboot, force: flags.force, verify: flags.verify, lfsImage: flags.lfsImage, lfsPartitionBytes: board.lfsPartitionBytes,
          log: (s) => (started ? undefined : log(s)),
          onProgress: (p) => {
            if (!started) {
              bar.start(p.bytesTotal, 0, { file: p.file });
              started = true;
            }
            bar.update(p.bytesDone, { file: `${p.file} (${p.fileIndex + 1}/${p.files})` });
          },
        }, board.channels.some((ch) => ch.reader === "hx711-module"));
        if (started) bar.stop();
        const kb = res.bytes / 1024;
        log(`deployed build ${res.buildHash}: ${res.files.length} files, ${res.bytes} bytes (${res.wireBytes} on the wire) in ${res.uploadSeconds.toFixed(1)} s = ${(res.uploadSeconds / kb).toFixed(3)} s/KB; verified by ${res.files.find((f) => !f.skipped)?.verifiedBy ?? "unchanged"}`);
        if (res.boot) log(`board booted: ${Object.entries(res.boot).map(([k, v]) => `${k}=${v}`).join(" ")}`);
      } catch (e) {
        if (started) bar.stop();
        log(`deploy failed: ${(e as Error).message}`);
        process.exitCode = 1;
      } finally {
        await port.close();
        await emulator?.close();
      }
    }));
  examples(cmd, [
    `rackcell deploy --port /dev/ttyUSB0 --board ${DEFAULT_BOARD}`,
    "rackcell deploy --port /dev/ttyUSB0 --changed-only",
    "rackcell deploy --port /dev/ttyUSB0 --lfs-image lfs.img   # image from luac.cross -f",
    "rackcell deploy                       # to a fresh emulated board",
  ]);
}

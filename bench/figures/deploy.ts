import { startEmulatedBoard } from "../../host/emulator/index.ts";
import { deploy, handToPrompt, uploadSet } from "../../host/deploy/deploy.ts";
import { openRawPort, PromptSession } from "../../host/deploy/prompt.ts";
import { DEFAULT_BOARD } from "../../host/paths.ts";

/**
 * Upload speed of `rackcell deploy` against a NodeMCU-Tool-style uploader, both measured in this
 * run on the same fresh emulated board (2-pin, 115200 baud, realtime clock so the emulator paces
 * the UART at the real byte rate, link through its pseudo-terminal), both uploading the same files
 * (build/manifest.json + board.lua) from the bare prompt:
 *   baseline   NodeMCU-Tool's way: a helper `__nmtwrite(s)` decoding base64 (encoder.fromBase64,
 *              its faster mode), then one `__nmtwrite("<base64>")` command of ≈232 characters per
 *              round trip, waiting for the prompt each time; no checksum.
 *   deploy     rackcell: binary LZ-compressed 120-byte blocks, 2 in flight, acknowledged by a
 *              uart.on("data") receiver, each file verified by SHA-256 on the board.
 * seconds_per_kb = upload phase (first block to last file verified) / KiB of file content.
 */
const BOARD = DEFAULT_BOARD;
const CMD_CHARS = 232;

async function baselineUpload(s: PromptSession, files: { name: string; data: Buffer }[]): Promise<number> {
  await s.line(`function __nmtwrite(s) file.write(encoder.fromBase64(s)) end`);
  const overhead = `__nmtwrite("")`.length;
  const per = Math.floor((CMD_CHARS - overhead) / 4) * 3; // bytes per command: base64 fits CMD_CHARS
  const t0 = Date.now();
  for (const f of files) {
    await s.line(`file.open("_nt_${f.name.slice(0, 20)}","w+")`);
    for (let i = 0; i < f.data.length; i += per) {
      await s.line(`__nmtwrite("${f.data.subarray(i, i + per).toString("base64")}")`, 5000);
    }
    await s.line("file.close()");
  }
  return (Date.now() - t0) / 1000;
}

export async function figures(): Promise<Record<string, number>> {
  const { files } = uploadSet(BOARD);
  const kb = files.reduce((a, f) => a + f.data.length, 0) / 1024;
  const board = await startEmulatedBoard({ board: BOARD, install: "none", pty: true, clock: "realtime" });
  try {
    const port = await openRawPort(board.path!);
    let baselineS: number;
    const s = new PromptSession(port);
    try {
      await handToPrompt(s);
      baselineS = await baselineUpload(s, files);
    } finally {
      s.detach();
    }
    const res = await deploy(port, { board: BOARD, reboot: false }, true);
    await port.close();
    const ours = res.uploadSeconds / kb;
    const base = baselineS / kb;
    return {
      "deploy.seconds_per_kb": ours,
      "deploy.baseline_seconds_per_kb": base,
      "deploy.speedup_vs_baseline": base / ours,
      "deploy.wire_bytes_per_file_byte": res.wireBytes / res.bytes,
    };
  } finally {
    await board.close();
  }
}

import { DEFAULT_BOARD } from "../../host/paths.ts";
import { loadBoard } from "../../host/build/boards.ts";
import { buildCertificate, certificateText, checkCertificate } from "../../host/sign/certificate.ts";
import { joinSignature } from "../../shared/board/signedlift-parse.ts";
import { EmuLink, nominalCalFile } from "../../host/testing/firmware/emu-link.ts";
import { keyFile, publicKeyHexOf } from "../../host/testing/firmware/signer-files.ts";

/**
 * Signing every lift on the board (firmware/signer.ts), measured on the emulated board (Lua 5.1,
 * LFS image, manual clock) during a rack pull while it streams 2 × 80 SPS, calibrated and tared:
 *
 * - sign.seconds_on_board: from the lift's E record to its signature's Y record (board time). ≤ 30.
 * - sign.heap_peak_kb: the firmware's Lua heap (stats().heapUsedBytes: above the boot baseline,
 *   × heapScale, after a full collect), highest of the readings every 100 ms while signing. ≤ 24.
 * - sign.heap_idle_kb: the same after the signature, once the signer released itself.
 * - sign.max_slice_instructions: the longest signing slice (one timer callback), as the signer
 *   measures it with tmr.now() on the emulator's instruction clock (1 µs per Lua VM instruction,
 *   plus the fixed cost of each NodeMCU call such as crypto.hash): its M notice "longest … us".
 * - sign.slices: timer callbacks the signature's computation took.
 * - sign.max_output_tick_us: the longest callback after it (the chain's flash write, the G and Y
 *   records: flash and uart.write, which busy-waits while the UART FIFO is full).
 * - sign.lost_samples: samples lost because of signing: sequence gaps seen by the host + conversions
 *   the board reports lost over the run, less the same count for the same seeded run on a board
 *   without a key (which loses one bit-banged conversion at the end of this lift, when liftlog
 *   writes the E record: not the signer's doing). Budget 0.
 * - sign.lost_samples_run: the count for the run with signing, for reference.
 * - sign.verify_ms: host, node:crypto: checking one single-lift certificate (parse, verify,
 *   figures, canonical form), mean of 200.
 */
const BOARD = DEFAULT_BOARD;

const nominalCal = () => nominalCalFile(loadBoard(BOARD), "nominal", "bench");

const SCENARIO = "rackpull:kg=200,emptyS=4,restS=3,holdS=1,afterS=45";

/** Lost samples over the same run without a key (nothing is signed). */
async function lostWithoutKey(untilUs: number): Promise<number> {
  const l = await EmuLink.start({ board: BOARD, scenario: SCENARIO, files: { "cal.txt": nominalCal() } });
  try {
    if (!(await l.until(() => l.records("B,").length > 0, 5000))) throw new Error("no B record");
    await l.advance(1500);
    if ((await l.command("tare"))[2] !== "ok") throw new Error("tare failed");
    await l.advance((untilUs - l.board.nowUs()) / 1000);
    const h = l.lastHeartbeat() ?? {};
    return l.stats.gaps + Number(h.lost0 ?? 0) + Number(h.lost1 ?? 0);
  } finally {
    await l.close();
  }
}

export async function figures(): Promise<Record<string, number>> {
  const seed = Buffer.alloc(32, 9);
  const pub = publicKeyHexOf(seed);
  const l = await EmuLink.start({ board: BOARD, scenario: SCENARIO, files: { "cal.txt": nominalCal(), "ed25519.key": keyFile(seed) } });
  try {
    if (!(await l.until(() => l.records("B,").length > 0, 5000))) throw new Error("no B record");
    await l.advance(1500);
    if ((await l.command("tare"))[2] !== "ok") throw new Error("tare failed");
    if (!(await l.until(() => l.records("E,").length > 0, 20_000, 50))) throw new Error("no lift");
    const eUs = l.board.nowUs();
    let heapPeak = 0;
    for (let t = 0; t < 40_000 && l.records("Y,").length < 2; t += 100) {
      await l.advance(100);
      heapPeak = Math.max(heapPeak, (await l.board.stats()).heapUsedBytes);
    }
    if (l.records("Y,").length < 2) throw new Error("no signature within 40 s");
    const g = joinSignature(l.records("G,")[0], l.records("Y,")[0], l.records("Y,")[1]);
    const seconds = (l.board.nowUs() - eUs) / 1e6;
    if (!(await l.until(() => l.records("M,signed lift").length > 0, 2000))) throw new Error("no signing notice");
    const notice = /in \d+ ms: (\d+) slices, longest (\d+) us, output (\d+) us/.exec(l.records("M,signed lift")[0]);
    if (notice === null) throw new Error(`notice: ${l.records("M,signed lift")[0]}`);
    await l.advance(2000);
    const idle = (await l.board.stats()).heapUsedBytes;
    const h = l.lastHeartbeat() ?? {};
    const lostRun = l.stats.gaps + Number(h.lost0 ?? 0) + Number(h.lost1 ?? 0);
    const lostBaseline = await lostWithoutKey(l.board.nowUs());
    const st = await l.board.stats();
    if (st.restarts !== 0) throw new Error(`the board restarted ${st.restarts} times`);
    const text = certificateText(buildCertificate(pub, [{ liftRecord: l.records("E,")[0], signatureRecord: g }]));
    if (!checkCertificate(text, [pub]).valid) throw new Error("the board's certificate does not verify");
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) checkCertificate(text, [pub]);
    return {
      "sign.seconds_on_board": seconds,
      "sign.heap_peak_kb": heapPeak / 1024,
      "sign.heap_idle_kb": idle / 1024,
      "sign.max_slice_instructions": Number(notice[2]),
      "sign.slices": Number(notice[1]),
      "sign.max_output_tick_us": Number(notice[3]),
      "sign.lost_samples": lostRun - lostBaseline,
      "sign.lost_samples_run": lostRun,
      "sign.verify_ms": (performance.now() - t0) / 200,
    };
  } finally {
    await l.close();
  }
}

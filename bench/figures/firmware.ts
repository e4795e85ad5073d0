import { loadBoard } from "../../host/build/boards.ts";
import { EmuLink, nominalCalFile } from "../../host/testing/firmware/emu-link.ts";
import { DEFAULT_BOARD } from "../../host/paths.ts";

/**
 * The firmware's budgets, measured on the emulated board (Lua 5.1, build/lfs.img + init.lua,
 * manual clock): one simulated hour of 2 × 80 SPS streaming, calibrated (nominal cells) and
 * tared, so every frame carries forces and goes through the lift detector — the production path.
 *
 * - firmware.heap_steady_kb: the board's "firmware heap" (stats().heapUsedBytes: Lua heap above
 *   the boot baseline, after a full collect) at 60 s, mean of 5 readings 1 s apart, in the 32-bit
 *   Lua 5.1 (the ESP8266's object sizes, read as they are).
 * - firmware.heap_steady_kb_64: the same first minute on Debian's 64-bit lua5.1, for comparison.
 * - firmware.heap_drift_kb_per_h: least-squares slope of that heap over 2…62 min (a reading a minute).
 * - firmware.instructions_per_frame: Lua VM instructions per frame over the hour, everything the
 *   firmware runs included (pairing, median, detector, formatting, checksum, uart.write, heartbeats).
 *   stats().firmwareInstructionsTotal when the emulator has it, else instructionsTotal, which also
 *   counts the emulator's stand-ins for NodeMCU's C functions (firmware.instructions_source: 1 / 0).
 * - firmware.max_callback_instructions: the longest single callback since power-on (app start included).
 * - link.bytes_per_frame: mean S line length, newline included.
 * - firmware.lost_samples_1h: sequence gaps seen by the host + conversions the board reports lost
 *   (H lost<i>). firmware.unpaired_1h: conversions of the faster chip that had no partner (the two
 *   HX711s run on their own ±1 % oscillators, so frames come at the slower chip's rate).
 */
const BOARD = DEFAULT_BOARD;

const nominalCal = () => nominalCalFile(loadBoard(BOARD), "nominal", "bench");

type Stats = Awaited<ReturnType<EmuLink["board"]["stats"]>> & { firmwareInstructionsTotal?: number };

function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) * (xs[i] - mx);
  }
  return sxy / sxx;
}

function startLink(): Promise<EmuLink> {
  return EmuLink.start({ board: BOARD, scenario: "empty:dur=4000", files: { "cal.txt": nominalCal() } });
}

/** Boot, tare, then the firmware heap at 60 s: mean of 5 readings 1 s apart, in KB. */
async function steadyHeapKb(l: EmuLink): Promise<number> {
  if (!(await l.until(() => l.records("B,").length > 0, 5000))) throw new Error("no B record");
  await l.advance(1500);
  const tare = await l.command("tare");
  if (tare[2] !== "ok") throw new Error(`tare: ${tare.join(",")}`);
  await l.advance(60_000 - l.board.nowUs() / 1000 - 4000);
  const steady: number[] = [];
  for (let i = 0; i < 5; i++) {
    await l.advance(1000);
    steady.push(((await l.board.stats()) as Stats).heapUsedBytes);
  }
  return steady.reduce((a, b) => a + b, 0) / steady.length / 1024;
}

/** The same first minute with the board in Debian's 64-bit lua5.1 (lua-vms.ts: RACKCELL_LUA51_VM). */
async function steadyHeapKb64(): Promise<number> {
  const before = process.env.RACKCELL_LUA51_VM;
  process.env.RACKCELL_LUA51_VM = "5.1-64";
  let l: EmuLink;
  try {
    l = await startLink(); // the VM is chosen when its process starts
  } finally {
    if (before === undefined) delete process.env.RACKCELL_LUA51_VM;
    else process.env.RACKCELL_LUA51_VM = before;
  }
  try {
    return await steadyHeapKb(l);
  } finally {
    await l.close();
  }
}

export async function figures(): Promise<Record<string, number>> {
  const heap64 = await steadyHeapKb64();
  const l = await startLink();
  try {
    const heapSteadyKb = await steadyHeapKb(l);
    // an hour (2…62 min): heap once a minute, instructions and frames from 2 min on
    await l.advance(120_000 - l.board.nowUs() / 1000);
    const s0 = (await l.board.stats()) as Stats;
    const f0 = l.stats.frames;
    const xs: number[] = [];
    const ys: number[] = [];
    for (let m = 2; m <= 62; m++) {
      if (m > 2) await l.advance(60_000);
      xs.push(l.board.nowUs() / 3.6e9);
      ys.push(((await l.board.stats()) as Stats).heapUsedBytes / 1024);
    }
    const s1 = (await l.board.stats()) as Stats;
    const frames = l.stats.frames - f0;
    const fw = s1.firmwareInstructionsTotal !== undefined && s0.firmwareInstructionsTotal !== undefined;
    const instr = fw ? s1.firmwareInstructionsTotal! - s0.firmwareInstructionsTotal! : s1.instructionsTotal - s0.instructionsTotal;
    const h = l.lastHeartbeat() ?? {};
    const lost = Number(h.lost0 ?? 0) + Number(h.lost1 ?? 0);
    const unpaired = Number(h.unp0 ?? 0) + Number(h.unp1 ?? 0);
    if (s1.restarts !== 0) throw new Error(`the board restarted ${s1.restarts} times`);
    return {
      "firmware.heap_steady_kb": heapSteadyKb,
      "firmware.heap_steady_kb_64": heap64,
      "firmware.heap_drift_kb_per_h": slope(xs, ys),
      "firmware.instructions_per_frame": instr / frames,
      "firmware.instructions_source": fw ? 1 : 0,
      "firmware.max_callback_instructions": s1.maxCallbackInstructions,
      "link.bytes_per_frame": l.stats.sBytes / l.stats.frames,
      "firmware.lost_samples_1h": l.stats.gaps + lost,
      "firmware.unpaired_1h": unpaired,
    };
  } finally {
    await l.close();
  }
}

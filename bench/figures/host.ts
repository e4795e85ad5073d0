import { createMedian3, median3Step } from "../../shared/filters/median3.ts";
import { decodeSample, encodeSample, openLine, SEQ_MODULUS } from "../../shared/protocol/frame.ts";
import { createDecodedLine, decodeLine } from "../../host/session/fast-decode.ts";
import { Session, type LineSource } from "../../host/session/session.ts";
import { STANDARD_GRAVITY_MPS2 } from "../../shared/units/force.ts";

/**
 * Host receive path on one core, over pre-generated frame lines (2 channels, calibrated, a
 * repeating rack pull so the lift detector does real work; one full sequence cycle so the data
 * wraps without gaps):
 *   host.frames_per_s                 Session.handleLine: checksum + decode + integrity + time +
 *                                     calibration re-check + live state + lift detector
 *   host.fast_decode_frames_per_s     the hot-path decoder alone (host/session/fast-decode.ts)
 *   host.shared_decode_frames_per_s   shared/protocol openLine + decodeSample alone (the definition)
 */
const NPC = [0.0123, 0.0119];
const ZERO = [-41230, 10332];

function rawAt(i: number): number[] {
  const W = 220 * STANDARD_GRAVITY_MPS2;
  const t = (i % 960) / 80; // a 12 s cycle: rest, pull, hold, set down
  let total = W;
  if (t >= 3 && t < 4) total = W * (1 - (t - 3));
  else if (t >= 4 && t < 7) total = 0;
  else if (t >= 7 && t < 7.5) total = W * (t - 7) * 2;
  total += ((i * 7919) % 13) * 0.3 - 1.8;
  return [0, 1].map((c) => Math.round(total / 2 / NPC[c] + ZERO[c]));
}

function makeLines(): string[] {
  const lines: string[] = new Array(SEQ_MODULUS);
  const med = [createMedian3(), createMedian3()];
  // The lines repeat: the median filter's history at line 0 is that of the cycle's last lines.
  for (const i of [SEQ_MODULUS - 2, SEQ_MODULUS - 1]) rawAt(i).forEach((r, c) => median3Step(med[c], r));
  for (let i = 0; i < SEQ_MODULUS; i++) {
    const raw = rawAt(i);
    const force = [0, 1].map((c) => NPC[c] * (median3Step(med[c], raw[c]) - ZERO[c])); // as the board does
    lines[i] = encodeSample(i, raw, [0, 0], force);
  }
  return lines;
}

function rate(lines: string[], minMs: number, body: (line: string) => void): number {
  for (let i = 0; i < lines.length; i++) body(lines[i]); // warm-up: one whole cycle, so seq runs on without a jump
  let n = 0;
  const t0 = process.hrtime.bigint();
  let elapsedMs = 0;
  while (elapsedMs < minMs) {
    for (let i = 0; i < lines.length; i++) body(lines[i]);
    n += lines.length;
    elapsedMs = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  return Math.round(n / (elapsedMs / 1000));
}

export async function figures(): Promise<Record<string, number>> {
  const lines = makeLines();
  let sink = 0;
  const shared = rate(lines, 1500, (l) => {
    const o = openLine(l);
    sink += decodeSample(o.body).seq;
  });
  const d = createDecodedLine();
  const fast = rate(lines, 1500, (l) => {
    sink += decodeLine(l, d);
  });
  const source: LineSource = { onLine: () => () => undefined, write: async () => undefined };
  const session = new Session(source, {
    sps: "80", ch: "2", k0: NPC[0].toFixed(9), z0: ZERO[0].toFixed(1), k1: NPC[1].toFixed(9), z1: ZERO[1].toFixed(1),
  });
  let lifts = 0;
  session.onEvent((e) => e.type === "lift" && lifts++);
  const full = rate(lines, 3000, (l) => session.handleLine(l));
  const c = session.counts;
  if (c.corrupt !== 0 || c.missing !== 0 || c.resets !== 0 || c.calibrationMismatches !== 0 || lifts === 0 || sink === 0) {
    throw new Error(`bench data did not run clean: ${JSON.stringify(c)}, lifts ${lifts}`);
  }
  return {
    "host.frames_per_s": full,
    "host.fast_decode_frames_per_s": fast,
    "host.shared_decode_frames_per_s": shared,
  };
}

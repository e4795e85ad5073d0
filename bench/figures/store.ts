import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { SEQ_MODULUS } from "../../shared/protocol/frame.ts";
import { Store } from "../../host/store/store.ts";
import { DEFAULT_BOARD } from "../../host/paths.ts";

/**
 * The store with an hour of 2-channel frames at 80 SPS (288,000), in a temporary database file:
 *   store.frames_per_s_insert         FrameWriter.add + its transactions (what `record` does)
 *   store.seal_seconds_per_hour       sealing that session when the recording ends (host/store/seal.ts)
 *   store.audit_seconds_per_hour      `rackcell audit` recomputing the same seal
 */
const FRAMES = 3600 * 80;

export async function figures(): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-bench-store-"));
  try {
    const store = new Store(path.join(dir, "bench.db"));
    const id = store.createSession({ channels: 2, board: DEFAULT_BOARD, note: "bench" });
    const w = store.frameWriter(id, { flushMs: 100 });
    let t = performance.now();
    for (let i = 0; i < FRAMES; i++) {
      const f = 1000 + ((i * 7919) % 97) * 0.1;
      w.add({ index: i, seq: i % SEQ_MODULUS, timeS: i / 80, channels: 2, raw: [120000 + i, 80000 - i], flags: [0, 0], forceN: [f, f + 1], totalN: 2 * f + 1 });
      if (i % 8000 === 7999) w.flush(); // the 100 ms timer does not run inside this loop
    }
    w.close();
    const insertS = (performance.now() - t) / 1000;
    store.endSession(id);
    t = performance.now();
    store.sealSession(id);
    const sealS = (performance.now() - t) / 1000;
    t = performance.now();
    const a = store.audit();
    const auditS = (performance.now() - t) / 1000;
    if (!a.intact || store.frameCount(id) !== FRAMES) throw new Error("the bench session did not audit intact");
    store.close();
    return {
      "store.frames_per_s_insert": Math.round(FRAMES / insertS),
      "store.seal_seconds_per_hour": sealS,
      "store.audit_seconds_per_hour": auditS,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

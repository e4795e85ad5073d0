import { SEQ_MODULUS } from "../../../shared/protocol/frame.ts";
import { Store } from "../store.ts";

/**
 * A child process for the kill test: records frames at ≈8000/s into argv[2] and prints
 * "committed <n>" after every commit, until it is killed.
 */
const store = new Store(process.argv[2]);
const sessionId = store.createSession({ channels: 2, board: "test", sps: 80 });
const writer = store.frameWriter(sessionId, {
  flushMs: 100,
  onCommit: (n) => process.stdout.write(`committed ${sessionId} ${n}\n`),
});
let i = 0;
setInterval(() => {
  for (let k = 0; k < 80; k++, i++) {
    writer.add({ index: i, seq: i % SEQ_MODULUS, timeS: i / 80, channels: 2, raw: [i, -i], flags: [0, 4], forceN: [i * 0.5, NaN], totalN: NaN });
  }
}, 10);

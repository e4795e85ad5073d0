import * as fs from "node:fs";
import { listKeys, type BoardKeyRow } from "../store/board-keys.ts";
import { Store } from "../store/store.ts";
import { connectBoard, type ConnectOptions } from "./board.ts";
import { formatCounts } from "./counts.ts";
import { LiveView, describeLift } from "./live-view.ts";
import type { GlobalOptions } from "./options.ts";
import { untilStopped } from "./run.ts";

export interface LiveRunOptions extends ConnectOptions {
  seconds?: number;
  /** Stop this long after the first lift (s); undefined: keep going. */
  afterLiftS?: number;
  plain?: boolean;
}

/** The lift keys the store holds (none without a database). */
function knownKeys(db: string): BoardKeyRow[] {
  if (!fs.existsSync(db)) return [];
  const store = new Store(db);
  try {
    return listKeys(store);
  } finally {
    store.close();
  }
}

/** `rackcell live` (and the demo): connect, show, stop on Ctrl-C, time, or after a lift. */
export async function runLive(g: GlobalOptions, o: LiveRunOptions): Promise<void> {
  const board = await connectBoard(g, o);
  const s = board.session;
  const title = `rackcell live — ${board.path}${board.emulator ? " (emulated)" : ""} — ${s.info.board || "board"} fw ${s.info.firmware} ${s.info.build}, ${s.info.sps} SPS, cal ${s.info.calibration || "?"}`;
  const view = new LiveView(s, { unit: g.units, title, plain: o.plain, keys: knownKeys(g.db) });
  let liftAt = 0;
  s.onEvent((e) => {
    if (e.type === "lift" && liftAt === 0) liftAt = Date.now();
  });
  view.start();
  const why = await untilStopped({
    seconds: o.seconds,
    done: () => o.afterLiftS !== undefined && liftAt > 0 && Date.now() - liftAt >= o.afterLiftS * 1000,
  });
  view.stop();
  await board.close();
  const lift = s.live.lastLift;
  process.stderr.write(`stopped (${why === "signal" ? "Ctrl-C" : why === "time" ? "time is up" : "lift done"}). frames: ${formatCounts(s.counts)}\n`);
  if (lift) process.stderr.write(`last lift: ${describeLift(lift, g.units)}\n`);
}

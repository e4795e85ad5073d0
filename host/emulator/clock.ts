/**
 * Pacing of the free-running clocks. The board's virtual time moves only when the host asks the
 * Lua process to run to a target; these loops ask on their own: "fast" as fast as the Lua process
 * goes (one chunk always queued ahead), "realtime" keeping virtual time on the wall clock (a few
 * ms of look-ahead, bytes handed out as their wall time comes). The manual clock needs no loop:
 * the caller's advance() moves it.
 */
export type ClockMode = "manual" | "fast" | "realtime";

/** What a pacing loop needs from the board facade. */
export interface PacedBoard {
  isClosed(): boolean;
  /** Runs `fn` alone against the Lua process (one conversation at a time). */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Virtual time the board has been asked to reach (µs). */
  targetUs(): number;
  /** Raises the target by `us` and starts the Lua process on it; resolves when it got there. */
  queueRun(us: number): { tUs: number; done: Promise<unknown> };
  /** Raises the target to tUs and waits for the Lua process to reach it. */
  stepTo(tUs: number): Promise<void>;
  /** Hands every byte completed by virtual time tUs to the host side. */
  release(tUs: number): void;
  /** A pending write to the pty that the loop should wait for (so output never piles up). */
  takeBackpressure(): Promise<void> | undefined;
}

export interface StopClock { stop(): void }

/** Virtual µs per round trip of the fast clock: fewer round trips; output still flows per chunk. */
const FAST_CHUNK_US = 100_000;
/** How far the realtime clock runs ahead of the wall clock, so bytes are ready when due. */
const REALTIME_LOOKAHEAD_US = 5000;

export function startClock(mode: ClockMode, board: PacedBoard, onError: (message: string) => void): StopClock {
  if (mode === "fast") return startFast(board, onError);
  if (mode === "realtime") return startRealtime(board, onError);
  return { stop() {} };
}

function startFast(board: PacedBoard, onError: (message: string) => void): StopClock {
  // Pipelined: one chunk is always queued ahead, so the Lua process starts on it while this
  // side handles the previous chunk's output (no idle round trip per chunk).
  let ahead: { tUs: number; done: Promise<unknown> } | undefined;
  const queue = () => {
    const q = board.queueRun(FAST_CHUNK_US);
    q.done.catch(() => {}); // a board closed meanwhile: nobody waits for it
    return q;
  };
  let stopped = false;
  const tick = async () => {
    if (stopped || board.isClosed()) return;
    try {
      await board.exclusive(async () => {
        if (ahead === undefined) ahead = queue();
        const next = queue();
        await ahead.done;
        board.release(ahead.tUs);
        ahead = next;
      });
      const bp = board.takeBackpressure();
      if (bp) await bp;
    } catch (e) {
      if (!board.isClosed()) onError((e as Error).message);
      return;
    }
    setImmediate(() => { void tick(); });
  };
  setImmediate(() => { void tick(); });
  return { stop() { stopped = true; } };
}

function startRealtime(board: PacedBoard, onError: (message: string) => void): StopClock {
  const wallStart = performance.now();
  const virtualStart = board.targetUs();
  const wallUs = () => (performance.now() - wallStart) * 1000 + virtualStart;
  let running = false;
  const loop = setInterval(() => {
    if (running || board.isClosed()) return;
    running = true;
    board.exclusive(() => board.stepTo(wallUs() + REALTIME_LOOKAHEAD_US))
      .catch((e: Error) => { if (!board.isClosed()) onError(e.message); })
      .finally(() => { running = false; });
  }, 4);
  const releaseTimer = setInterval(() => board.release(wallUs()), 1);
  return {
    stop() {
      clearInterval(loop);
      clearInterval(releaseTimer);
    },
  };
}

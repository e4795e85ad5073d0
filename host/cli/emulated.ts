/**
 * The emulated board (host/emulator, another developer's module), loaded on demand so the
 * tool starts fast when a real port is given.
 */
export interface EmulatedBoardHandle {
  path: string;
  close(): Promise<void> | void;
  stats?(): unknown;
  setScenario?(spec: string): void;
}

export interface EmulatorStartOptions {
  board?: string;
  scenario?: string;
  seed?: number;
  clock?: "realtime" | "fast" | "manual";
}

interface EmulatorModule {
  startEmulatedBoard(o: Record<string, unknown>): Promise<EmulatedBoardHandle>;
  runEmulateCommand(o: Record<string, unknown>): Promise<void>;
}

async function load(): Promise<EmulatorModule> {
  const where = "../emulator/index.ts";
  try {
    return (await import(where)) as EmulatorModule;
  } catch (err) {
    throw new Error(`the emulated board is not available in this build (${(err as Error).message}). Give a real board with --port PATH.`);
  }
}

export async function startEmulator(o: EmulatorStartOptions): Promise<EmulatedBoardHandle> {
  const m = await load();
  const opts: Record<string, unknown> = { pty: true, clock: o.clock ?? "realtime", install: "firmware", scenario: o.scenario ?? "empty" };
  if (o.board) opts.board = o.board;
  if (o.seed !== undefined) opts.seed = o.seed;
  return m.startEmulatedBoard(opts);
}

export async function runEmulate(o: Record<string, unknown>): Promise<void> {
  const m = await load();
  await m.runEmulateCommand(o);
}

import { execFile } from "node:child_process";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";

/**
 * Runs `rackcell` the way the CLI tests need: from source (through tsx's loader, so it works from
 * any folder) or from the bundle (dist/rackcell.mjs, as a user runs it), with RACKCELL_PORT cleared
 * so no test reaches for a real port. A non-zero exit is a result, not a throw.
 */
const run = promisify(execFile);
const ROOT = path.join(import.meta.dirname, "..", "..", "..");
const MAIN = path.join(ROOT, "host", "cli", "main.ts");
const TSX = pathToFileURL(path.join(ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;
export const BUNDLE = path.join(ROOT, "dist", "rackcell.mjs");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** run dist/rackcell.mjs instead of the source */
  bundle?: boolean;
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** node arguments that start rackcell from source, from any folder */
export const SOURCE_ENTRY = ["--import", TSX, MAIN];

export function runCli(args: string[], o: CliOptions = {}): Promise<CliResult> {
  const entry = o.bundle ? [BUNDLE] : SOURCE_ENTRY;
  return run(process.execPath, [...entry, ...args], {
    cwd: o.cwd, env: { ...process.env, RACKCELL_PORT: "", ...o.env }, timeout: o.timeoutMs ?? 60_000, maxBuffer: 1 << 26,
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

import type { Command } from "commander";
import { defaultDbPath } from "../store/store.ts";
import { parseUnit, type Unit } from "./units.ts";

/** The global options every command sees (`rackcell --port … --units … --db … <command>`). */
export interface GlobalOptions {
  port?: string;
  units: Unit;
  db: string;
  baud: number;
}

export function globalOptions(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals() as { port?: string; units?: string; db?: string; baud?: string };
  return {
    port: o.port ?? process.env.RACKCELL_PORT ?? undefined,
    units: parseUnit(o.units ?? "kg"),
    db: o.db ?? defaultDbPath(),
    baud: o.baud ? Number(o.baud) : 115200,
  };
}

export function positiveNumber(name: string) {
  return (text: string): number => {
    const v = Number(text);
    if (!(v > 0) || !Number.isFinite(v)) throw new Error(`${name} must be a positive number (got "${text}")`);
    return v;
  };
}

/** The examples block appended to a command's --help. */
export function examples(cmd: Command, lines: string[]): Command {
  return cmd.addHelpText("after", `\nExamples:\n${lines.map((l) => `  ${l}`).join("\n")}\n`);
}

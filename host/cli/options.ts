import { InvalidArgumentError, type Command } from "commander";
import { defaultDbPath } from "../store/store.ts";
import { FORCE_UNITS, forceUnitFromText, type ForceUnit } from "../../shared/units/force.ts";

/** The global options every command sees (`rackcell --port … --units … --db … <command>`). */
export interface GlobalOptions {
  port?: string;
  units: ForceUnit;
  db: string;
  baud: number;
}

export function globalOptions(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals() as { port?: string; units?: string; db?: string; baud?: string };
  return {
    port: o.port ?? process.env.RACKCELL_PORT ?? undefined,
    units: parseUnit(o.units ?? "kg"),
    db: o.db ?? defaultDbPath(),
    baud: o.baud ? baudRate(o.baud) : 115200,
  };
}

/** `--units`: kg, N or lbf in any letter case; anything else is refused with the choices. */
export function parseUnit(text: string): ForceUnit {
  const unit = forceUnitFromText(text);
  if (unit === "") throw new Error(`unknown unit "${text}": use ${FORCE_UNITS.slice(0, -1).join(", ")} or ${FORCE_UNITS[FORCE_UNITS.length - 1]}`);
  return unit;
}

function baudRate(text: string): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--baud must be a whole number of bits per second, e.g. 115200 (got "${text}")`);
  return v;
}

/**
 * Option parsers. They throw commander's InvalidArgumentError, which commander reports as one
 * line ("error: option '--x <n>' argument 'abc' is invalid. …") instead of a stack trace.
 */
export function positiveNumber(name: string) {
  return (text: string): number => {
    const v = Number(text);
    if (text.trim() === "" || !(v > 0) || !Number.isFinite(v)) throw new InvalidArgumentError(`${name} must be a positive number (got "${text}")`);
    return v;
  };
}

/** A whole number within [min, max]. */
export function wholeNumber(name: string, min: number, max: number) {
  return (text: string): number => {
    const v = Number(text);
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    if (text.trim() === "" || !Number.isInteger(v) || v < min || v > max) throw new InvalidArgumentError(`${name} must be a whole number ${range} (got "${text}")`);
    return v;
  };
}

/** The examples block appended to a command's --help. */
export function examples(cmd: Command, lines: string[]): Command {
  return cmd.addHelpText("after", `\nExamples:\n${lines.map((l) => `  ${l}`).join("\n")}\n`);
}

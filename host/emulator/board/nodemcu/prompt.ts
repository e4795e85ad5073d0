/**
 * The interactive interpreter of NodeMCU (app/lua53/lua.c, dojob): one input line per
 * low-priority task; "=expr" means "return expr"; a chunk whose compile error ends in '<eof>'
 * waits for more lines under the ">> " prompt; results are printed with the global print,
 * errors as print("Lua error: ", traceback) — at the prompt an error never restarts the board.
 */
import { runFirmware } from "../kernel.ts";
import { PRIO_LOW, post } from "../events.ts";
import { calln } from "../varargs";
import { consoleOut } from "./console.ts";

let pending: string | undefined;

export const promptState = {
  /** The firmware's global environment (set at each boot by the sandbox). */
  env: undefined as Record<string, unknown> | undefined,
};

export function resetPrompt(): void {
  pending = undefined;
}

/** get_prompt() of lua.c: the globals _PROMPT / _PROMPT2 when they are strings, else "> " / ">> ". */
export function currentPrompt(): string {
  const custom = promptState.env?.[pending !== undefined ? "_PROMPT2" : "_PROMPT"];
  if (type(custom) === "string" || type(custom) === "number") return tostring(custom);
  return pending !== undefined ? ">> " : "> ";
}

export function queueLine(text: string): void {
  post(PRIO_LOW, dojob, text);
}

function incomplete(err: string): boolean {
  const mark = "'<eof>'";
  return string.sub(err, -mark.length) === mark;
}

/** l_print(): the global print with every value, nils included (values as {n, ...}). */
function printValues(values: unknown[], n: number): void {
  const env = promptState.env;
  if (env === undefined) return;
  const p = env.print as (this: void, ...a: unknown[]) => void;
  runFirmware(() => calln(p, values, n), "interactive");
}

function dojob(this: void, arg: unknown): void {
  const line = arg as string;
  const env = promptState.env;
  if (env === undefined) return;
  let chunk: string;
  if (pending !== undefined) chunk = `${pending}\n${line}`;
  else if (string.sub(line, 1, 1) === "=") chunk = `return ${string.sub(line, 2)}`;
  else chunk = line;
  const [f, err] = loadstring(chunk, "=stdin");
  if (f === undefined && incomplete(err as string)) {
    pending = chunk;
  } else {
    pending = undefined;
    if (f === undefined) {
      printValues(["Lua error: ", err], 2);
    } else {
      setfenv(f, env);
      const [outcome, results] = runFirmware(f as (this: void) => unknown, "interactive");
      if (outcome === "abort") return;
      if (outcome === "error") printValues(["Lua error: ", results[0]], 2);
      else {
        const n = (results as unknown as { n: number }).n;
        if (n > 0) printValues(results, n);
      };
    }
  }
  // lua_writestring(prompt): through output_redirect, like print.
  consoleOut(currentPrompt());
}

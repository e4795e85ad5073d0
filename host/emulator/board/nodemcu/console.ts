/**
 * The interpreter's output: output_redirect (app/modules/node.c) for print and the prompt after
 * a line, which node.output() can send to a Lua function through a pipe instead of (or besides)
 * the UART. On the UART it goes through uart0_putc (consoleWrite in uart.ts: LF → CR LF).
 */
import { api, apiError, runFirmware } from "../kernel.ts";
import { PRIO_MED, post } from "../events.ts";
import { consoleWrite } from "./uart.ts";

type PipeCb = (this: void, pipe: unknown) => unknown;

/** node.output's state: the stdout pipe (undefined: the UART) and serial_debug. */
const OUT = {
  pipe: undefined as Record<string, unknown> | undefined,
  buf: "",
  cb: undefined as PipeCb | undefined,
  posted: false,
  writtenSinceCall: false,
  serialDebug: true,
};

/** output_redirect(): print's and the interpreter's output. */
export function consoleOut(s: string): void {
  if (OUT.pipe === undefined) {
    consoleWrite(s);
    return;
  }
  if (OUT.serialDebug) consoleWrite(s);
  OUT.buf = OUT.buf + s;
  OUT.writtenSinceCall = true;
  postReader();
}

function postReader(): void {
  if (OUT.posted || OUT.cb === undefined) return;
  OUT.posted = true;
  post(PRIO_MED, runReader);
}

/** The pipe's reader task (pipe.c): reposted when it returns true, or by default when written meanwhile. */
function runReader(this: void): void {
  OUT.posted = false;
  const cb = OUT.cb;
  const pipe = OUT.pipe;
  if (cb === undefined || pipe === undefined) return;
  OUT.writtenSinceCall = false;
  const [outcome, results] = runFirmware(cb as (this: void, ...a: unknown[]) => unknown, "interactive", pipe);
  if (outcome !== "ok") return;
  const ret = (results as unknown as Record<number, unknown>)[1];
  if (ret === true || (ret === undefined && OUT.writtenSinceCall && OUT.buf.length > 0)) postReader();
}

/** pobj:read([size | "c" | "c+"]): a record from the front of the stdout pipe; nil when empty. */
function pipeRead(_self: unknown, spec?: unknown): string | undefined {
  if (OUT.buf.length === 0) return undefined;
  let n = OUT.buf.length;
  if (type(spec) === "number") {
    n = Math.min(n, Math.max(1, Math.floor(spec as number)));
  } else {
    const s = spec === undefined ? "\n+" : (spec as string);
    if (type(s) !== "string" || s.length < 1 || s.length > 2 || (s.length === 2 && string.sub(s, 2, 2) !== "+")) {
      return apiError("bad argument #1 to 'read' (invalid size/end_char)");
    }
    const [at] = string.find(OUT.buf, string.sub(s, 1, 1), 1, true);
    if (at !== undefined) {
      const keep = s.length === 2;
      const rec = string.sub(OUT.buf, 1, keep ? at : at - 1);
      OUT.buf = string.sub(OUT.buf, at + 1);
      return rec;
    }
  }
  const rec = string.sub(OUT.buf, 1, n);
  OUT.buf = string.sub(OUT.buf, n + 1);
  return rec;
}

function makePipe(): Record<string, unknown> {
  const read = api(pipeRead, 5);
  const pipe: Record<string, unknown> = { read };
  pipe.reader = api((_self: unknown, spec?: unknown) => (() => pipeRead(pipe, spec)), 5);
  pipe.unread = api((_self: unknown, s: unknown) => { OUT.buf = `${tostring(s)}${OUT.buf}`; }, 5);
  return pipe;
}

/** node.output(fn, serial_debug): fn(pipe) reads the interpreter's output; nil restores the UART. */
export const nodeOutput = api((fn?: unknown, serialDebug?: unknown) => {
  OUT.serialDebug = !(type(serialDebug) === "number" && serialDebug === 0);
  if (type(fn) === "function") {
    OUT.pipe = makePipe();
    OUT.cb = fn as PipeCb;
    OUT.buf = "";
  } else {
    OUT.pipe = undefined;
    OUT.cb = undefined;
    OUT.buf = "";
    OUT.serialDebug = true;
  }
}, 10);

/** Boot/reset: output back to the UART. */
export function resetConsole(): void {
  OUT.pipe = undefined;
  OUT.cb = undefined;
  OUT.buf = "";
  OUT.posted = false;
  OUT.serialDebug = true;
}

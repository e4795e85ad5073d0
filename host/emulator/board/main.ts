/**
 * Entry of the emulator's Lua process (lua5.1 build/emu/emu_main.lua): reads the config line,
 * then serves Node's commands in lock-step (see link.ts for the protocol). Node owns time: this
 * process only runs when told "U <µs>", and answers "D <µs>" when it got there.
 */
import { K, runUntil } from "./kernel.ts";
import { flush, log, send } from "./link.ts";
import { command, startBoard, type BoardConfig } from "./board.ts";
import { rxFromHostHex } from "./nodemcu/uart.ts";
import { toJson } from "./json.ts";

function parseLiteral(text: string): unknown {
  const [f, err] = loadstring(`return ${text}`);
  if (f === undefined) return error(`emu: bad literal: ${err}`, 0);
  return f();
}

function serve(): void {
  for (;;) {
    const line = io.stdin.read("*l") as string | undefined;
    if (line === undefined) return;
    const op = string.sub(line, 1, 1);
    const rest = string.sub(line, 3);
    if (op === "U") {
      runUntil(tonumber(rest) as number);
      send(`D ${string.format("%.3f", K.now)}`);
      flush();
    } else if (op === "R") {
      rxFromHostHex(rest);
    } else if (op === "K") {
      const [ok, res] = pcall(() => command(parseLiteral(rest) as Record<string, unknown>));
      send(`K ${ok ? toJson(res) : toJson({ ok: false, error: tostring(res) })}`);
      flush();
    } else if (op === "I") {
      startBoard(parseLiteral(rest) as BoardConfig);
      send("K {\"ok\":true}");
      flush();
    } else if (op === "X") {
      return;
    } else if (line !== "") {
      log(`unknown command: ${line}`);
      flush();
    }
  }
}

const [ok, err] = xpcall(serve, (e: unknown) => debug.traceback(tostring(e), 2));
if (!ok) {
  log(`emulator crashed: ${tostring(err)}`);
  flush();
  os.exit(3);
}

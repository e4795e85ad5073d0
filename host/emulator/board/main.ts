/**
 * Entry of the emulator's Lua process (lua5.1 build/emu/emu_main.lua): reads the config line,
 * then serves Node's commands in lock-step (see link.ts for the protocol). Node owns time: this
 * process only runs when told "U <µs>", and answers "D <µs>" when it got there.
 */
import { K, hooks } from "./kernel.ts";
import { runUntil } from "./events.ts";
import { deferred, flush, log, send } from "./link.ts";
import { tcpFromNode } from "./nodemcu/tcp.ts";
import { command, startBoard, type BoardConfig } from "./board.ts";
import { rxFromHostHex } from "./nodemcu/uart.ts";
import { toJson } from "./json.ts";

function parseLiteral(text: string): unknown {
  const [f, err] = loadstring(`return ${text}`);
  if (f === undefined) return error(`emu: bad literal: ${err}`, 0);
  return f();
}

/** The parent's pid, from /proc (Lua 5.1 has no getppid): -1 where there is no /proc. */
function parentPid(): number {
  const [f] = io.open("/proc/self/stat", "r");
  if (f === undefined) return -1;
  const s = (f.read("*l") as string | undefined) ?? "";
  f.close();
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so look after the last ")".
  const [ppid] = string.match(s, "%)%s+%S+%s+(%d+)[^%)]*$");
  return ppid === undefined ? -1 : (tonumber(ppid) ?? -1);
}

const PARENT = parentPid();
let lastPollClock = os.clock();

/**
 * A long run of events (a big advance(), fast clock) reads no command for a while: every 0.25 s
 * of CPU, check that the process that started us is still there; when it is gone (we were
 * re-parented) exit, instead of simulating on for nobody.
 */
hooks.poll = () => {
  const c = os.clock();
  if (c - lastPollClock < 0.25) return;
  lastPollClock = c;
  if (PARENT > 0 && parentPid() !== PARENT) os.exit(4);
};

function serve(): void {
  for (;;) {
    const line = deferred.length > 0 ? deferred.shift() : io.stdin.read("*l") as string | undefined;
    if (line === undefined) return;
    const op = string.sub(line, 1, 1);
    const rest = string.sub(line, 3);
    if (op === "U") {
      runUntil(tonumber(rest) as number);
      send(`D ${string.format("%.3f", K.now)}`);
      flush();
    } else if (op === "R") {
      rxFromHostHex(rest);
    } else if (op === "N") {
      tcpFromNode(rest);
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

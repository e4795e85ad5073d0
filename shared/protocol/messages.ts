import { openLine, sealLine, splitFields } from "./frame.ts";
import { joinPairs } from "./keyvalue.ts";

/**
 * Text messages between host and board, all sealed lines (see frame.ts):
 *   host → board   C,<id>,<name>[,arg…]                 a command; id 1..999999 chosen by the host
 *   board → host   R,<id>,ok[,key=value…]               acknowledgement with results
 *                  R,<id>,err,<reason>                   refusal, with a reason a person can read
 *                  H,key=value…                          heartbeat
 *                  B,key=value…                          boot: the application started
 *                  E,key=value…                          lift event / summary
 *                  M,<text>                              a notice (e.g. uncalibrated)
 * Values never contain ',' or '*' (key=value fields: keyvalue.ts); reasons use spaces. A command line stays under
 * MAX_COMMAND_BYTES because NodeMCU hands a line to Lua in pieces of at most 255 bytes.
 */
export const MAX_COMMAND_BYTES = 200;

export interface Command {
  id: number;
  name: string;
  args: string[];
  /** "" when the line is a well-formed command. */
  error: string;
}

function isDigits(text: string): boolean {
  if (text.length === 0 || text.length > 6) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

export function encodeCommand(id: number, name: string, args: string[]): string {
  let body = `C,${id},${name}`;
  for (let i = 0; i < args.length; i++) body = `${body},${args[i]}`;
  return sealLine(body);
}

export function decodeCommand(line: string): Command {
  const cmd: Command = { id: -1, name: "", args: [], error: "" };
  if (line.length > MAX_COMMAND_BYTES) {
    cmd.error = "line too long";
    return cmd;
  }
  const opened = openLine(line);
  if (opened.error !== "") {
    cmd.error = opened.error;
    return cmd;
  }
  const fields = splitFields(opened.body);
  if (fields[0] !== "C" || fields.length < 3) {
    cmd.error = "not a command";
    return cmd;
  }
  if (!isDigits(fields[1])) {
    cmd.error = "bad command id";
    return cmd;
  }
  let id = 0;
  for (let i = 0; i < fields[1].length; i++) id = id * 10 + (fields[1].charCodeAt(i) - 48);
  cmd.id = id;
  cmd.name = fields[2];
  for (let i = 3; i < fields.length; i++) cmd.args[i - 3] = fields[i];
  return cmd;
}

export function encodeReplyOk(id: number, pairs: string[]): string {
  const kv = joinPairs(pairs);
  let body = `R,${id},ok`;
  for (let i = 0; i < kv.length; i++) body = `${body},${kv[i]}`;
  return sealLine(body);
}

export function encodeReplyError(id: number, reason: string): string {
  return sealLine(`R,${id},err,${reason}`);
}

/** A K,key=value,… line (heartbeat, boot, event). */
export function encodeRecord(kind: string, pairs: string[]): string {
  const kv = joinPairs(pairs);
  let body = kind;
  for (let i = 0; i < kv.length; i++) body = `${body},${kv[i]}`;
  return sealLine(body);
}

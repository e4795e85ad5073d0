import { encodeCommand } from "../../shared/protocol/messages.ts";
import { openLine, splitFields } from "../../shared/protocol/frame.ts";
import { TransportError } from "./errors.ts";
import type { LineLink } from "./link.ts";

/**
 * The handshake: send `C,<id>,info` every `retryMs` until a valid `R,<id>,ok,…` answers.
 * It survives what a board says when it is opened: ROM output at 74880 baud (garbage at 115200),
 * half a line from a board that was mid-stream, the boot banner, frames, heartbeats.
 * When it gives up it says why, from what it saw: only garbage (wrong baud), a NodeMCU prompt or
 * Lua error (no rackcell firmware), valid lines but no reply, or silence.
 */
export interface HandshakeOptions {
  timeoutMs?: number;
  retryMs?: number;
  baudRate?: number;
  /** Command ids: the session's allocator, so ids never collide with its commands. */
  nextId?: () => number;
}

export interface HandshakeResult {
  /** The reply's key=value fields (board, build, sps, calibration…). */
  fields: Record<string, string>;
  /** Lines seen before the reply, by kind, for diagnostics. */
  seen: { valid: number; garbage: number; nodemcu: number; sample: string[] };
  elapsedMs: number;
}

/** Lines that a NodeMCU without rackcell prints: the prompt, our command echoed, a Lua error, its banner. */
const NODEMCU_HINTS = [/^>>? /, /^> ?$/, /Lua error/i, /^stdin:\d+:/, /powered by Lua/i, /^NodeMCU /, /unexpected symbol near/, /'=' expected near/];

export function looksLikeNodeMcuPrompt(line: string): boolean {
  return NODEMCU_HINTS.some((re) => re.test(line));
}

let fallbackId = 0;
const defaultNextId = () => (fallbackId = (fallbackId % 999999) + 1);

export function replyFields(fields: string[], from: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = from; i < fields.length; i++) {
    const eq = fields[i].indexOf("=");
    if (eq > 0) out[fields[i].slice(0, eq)] = fields[i].slice(eq + 1);
    else out[fields[i]] = "";
  }
  return out;
}

export function handshake(link: LineLink, options: HandshakeOptions = {}): Promise<HandshakeResult> {
  const timeoutMs = options.timeoutMs ?? 6000;
  const retryMs = options.retryMs ?? 400;
  const baud = options.baudRate ?? 115200;
  const nextId = options.nextId ?? defaultNextId;
  const t0 = Date.now();
  const sent = new Set<number>();
  const seen = { valid: 0, garbage: 0, nodemcu: 0, sample: [] as string[] };
  const bytesAtStart = link.counts().bytes;

  return new Promise<HandshakeResult>((resolve, reject) => {
    let done = false;
    const finish = (err: Error | null, result?: HandshakeResult) => {
      if (done) return;
      done = true;
      clearInterval(timer);
      clearTimeout(deadline);
      unsubscribe();
      if (err) reject(err);
      else resolve(result!);
    };
    const unsubscribe = link.onLine((raw) => {
      let opened = openLine(raw);
      let line = raw;
      if (opened.error !== "" && /^(?:>>? )+\S/.test(raw)) {
        // A record glued to the Lua prompt (the app prints it right after "> " at boot).
        const rest = raw.replace(/^(?:>>? )+/, "");
        const again = openLine(rest);
        if (again.error === "" && again.body.charCodeAt(0) !== 67) {
          opened = again;
          line = rest;
        }
      }
      if (opened.error !== "") {
        const text = line.replace(/\r$/, "");
        if (/^[\x20-\x7e\t]{4,}$/.test(text) && !/^>+ C,/.test(text) && seen.sample.length < 3 && !seen.sample.includes(text.slice(0, 80))) seen.sample.push(text.slice(0, 80));
        if (looksLikeNodeMcuPrompt(line)) seen.nodemcu++;
        else if (line.replace(/\r$/, "").length > 0) seen.garbage++;
        return;
      }
      if (opened.body.charCodeAt(0) === 67 /* C */) {
        seen.nodemcu++; // our own command echoed back: an interpreter prompt, not rackcell
        return;
      }
      seen.valid++;
      if (opened.body.charCodeAt(0) !== 82 /* R */) return;
      const fields = splitFields(opened.body);
      const id = Number(fields[1]);
      if (!sent.has(id)) return; // an answer to someone else's (or an earlier session's) command
      if (fields[2] === "ok") finish(null, { fields: replyFields(fields, 3), seen, elapsedMs: Date.now() - t0 });
      else finish(new TransportError("NO_REPLY", `${link.path}: the board refused \`info\`: ${fields.slice(3).join(",")}`));
    });
    const send = () => {
      const id = nextId();
      sent.add(id);
      link.write(encodeCommand(id, "info", [])).catch((err: Error) => finish(err));
    };
    const timer = setInterval(send, retryMs);
    const deadline = setTimeout(() => {
      const bytes = link.counts().bytes - bytesAtStart;
      finish(explainSilence(link.path, baud, seen, bytes, timeoutMs));
    }, timeoutMs);
    send();
  });
}

export function explainSilence(path: string, baud: number, seen: HandshakeResult["seen"], bytes: number, timeoutMs: number): TransportError {
  const secs = (timeoutMs / 1000).toFixed(1);
  if (seen.nodemcu > 0 && (seen.valid === 0 || seen.nodemcu >= 2 * seen.valid)) {
    return new TransportError("NO_FIRMWARE", `${path}: a NodeMCU answers with its Lua prompt (it echoes our commands and reports Lua errors), so the rackcell firmware is not running on it. Install it with \`rackcell deploy --port ${path}\`; if it is installed, it stopped or the board is in safe mode: reset the board and watch its output${seen.sample.length > 0 ? ` (it said: ${seen.sample.map((l) => JSON.stringify(l)).join(", ")})` : ""}.`);
  }
  if (seen.valid > 0) {
    return new TransportError("NO_REPLY", `${path}: the board sends valid rackcell lines (${seen.valid}) but did not answer \`info\` within ${secs} s: its firmware may be too old (update with \`rackcell deploy\`) or busy.`);
  }
  if (bytes > 0) {
    return new TransportError("WRONG_BAUD", `${path}: no valid frames at ${baud} baud: wrong baud rate? (${bytes} bytes of garbage in ${secs} s; the rackcell firmware talks at 115200, the ESP8266 boot ROM at 74880).`);
  }
  return new TransportError("SILENT", `${path}: nothing received in ${secs} s. Is the board powered and is this its port? (\`rackcell ports\` lists the candidates.)`);
}

import type { BuildInfo } from "./types/rackcell.d.ts";

// The board's fast writer for the line format of shared/protocol/frame.ts. It produces exactly the
// bytes of encodeSample / sealLine (firmware/framer.test.ts checks this against the shared codec
// on many inputs, in Lua 5.1 and 5.3), at a fraction of the cost: encodeSample takes ≈1,340 Lua VM
// instructions per 2-channel frame (its Fletcher-16 alone ≈770, one lualib charCodeAt call per
// byte), this one ≈250, because digit codes come from string.byte of one constant string (%c), the body is one string.format call and
// the checksum reads the bytes eight at a time with string.byte and reduces modulo 255 once, and
// text is made by one string.format call (no intermediate strings: TSTL's `a + b + c` would make one
// per `..`).
// Lua-only (string.byte multiple returns): the host uses frame.ts.
import { SEQ_MODULUS } from "../shared/protocol/frame.ts";
// The digits as one constant string (in flash with LFS): a table of 64 one-letter strings would cost ~1.7 KB of heap.
import { B64_DIGITS as B64_TEXT } from "../shared/protocol/wire-number.ts";

const sbyte = string.byte;
const floor = math.floor;
const sfmt = string.format;

// Fletcher-16 (moduli 255) of a string, as frame.ts's fletcher16.
function checksum(s: string): number {
  const n = s.length;
  let s1 = 0;
  let s2 = 0;
  let i = 1;
  while (i + 7 <= n) {
    const [a, b, c, d, e, f, g, h] = sbyte(s, i, i + 7);
    s1 = s1 + a; s2 = s2 + s1;
    s1 = s1 + b; s2 = s2 + s1;
    s1 = s1 + c; s2 = s2 + s1;
    s1 = s1 + d; s2 = s2 + s1;
    s1 = s1 + e; s2 = s2 + s1;
    s1 = s1 + f; s2 = s2 + s1;
    s1 = s1 + g; s2 = s2 + s1;
    s1 = s1 + h; s2 = s2 + s1;
    i = i + 8;
  }
  while (i <= n) {
    s1 = s1 + sbyte(s, i);
    s2 = s2 + s1;
    i = i + 1;
  }
  return (s2 % 255) * 256 + (s1 % 255);
}

// "*cccc": the seal suffix of a body.
function sealSuffix(body: string): string {
  return sfmt("*%04x", checksum(body));
}

// sealLine(body) of frame.ts.
function seal(body: string): string {
  return sfmt("%s*%04x", body, checksum(body));
}

// formatFixed(x, 1): one decimal, half away from zero, "" for NaN/infinite (|x| < 1e9).
function fmt1(x: number): string {
  if (x !== x || x === 1 / 0 || x === -1 / 0) return "";
  if (x < 0) {
    const scaledNeg = floor(-x * 10 + 0.5);
    const wholeNeg = floor(scaledNeg / 10);
    return sfmt(scaledNeg > 0 ? "-%d.%d" : "%d.%d", wholeNeg, scaledNeg - wholeNeg * 10);
  }
  const scaled = floor(x * 10 + 0.5);
  const whole = floor(scaled / 10);
  return sfmt("%d.%d", whole, scaled - whole * 10);
}

// formatInt(x) for |x| < 1e9.
function fmtInt(x: number): string {
  if (x < 0) {
    const v = floor(-x + 0.5);
    return v > 0 ? sfmt("-%d", v) : "0";
  }
  return sfmt("%d", floor(x + 0.5));
}

// The 4 base64 digits of a raw 24-bit reading (offset binary, clamped), as character codes.
function raw4(raw: number): LuaMultiReturn<[number, number, number, number]> {
  let v = raw + 8388608; // offset binary
  if (v > 16777215) v = 16777215;
  if (v < 0) v = 0;
  const d4 = v % 64;
  v = (v - d4) / 64;
  const d3 = v % 64;
  v = (v - d3) / 64;
  const d2 = v % 64;
  return $multi(sbyte(B64_TEXT, (v - d2) / 64 + 1), sbyte(B64_TEXT, d2 + 1), sbyte(B64_TEXT, d3 + 1), sbyte(B64_TEXT, d4 + 1));
}

// The body of encodeSample(seq, raws, flags, forces) for 1..4 channels (raws are integers).
function sampleBody(seq: number, raws: number[], flags: number[], forces: number[], nch: number): string {
  let s = seq % SEQ_MODULUS;
  const q3 = s % 64;
  s = (s - q3) / 64;
  const q2 = s % 64;
  const q1 = (s - q2) / 64;
  if (nch === 2) {
    const [a1, a2, a3, a4] = raw4(raws[0]);
    const [b1, b2, b3, b4] = raw4(raws[1]);
    return sfmt("S%c%c%c%c%c%c%c%c%c%c%c%c%c,%s,%s", sbyte(B64_TEXT, q1 + 1), sbyte(B64_TEXT, q2 + 1), sbyte(B64_TEXT, q3 + 1),
      a1, a2, a3, a4, sbyte(B64_TEXT, flags[0] + 1), b1, b2, b3, b4, sbyte(B64_TEXT, flags[1] + 1), fmt1(forces[0]), fmt1(forces[1]));
  }
  let packed = sfmt("S%c%c%c", sbyte(B64_TEXT, q1 + 1), sbyte(B64_TEXT, q2 + 1), sbyte(B64_TEXT, q3 + 1));
  let tail = "";
  for (let ch = 0; ch < nch; ch++) {
    const [d1, d2, d3, d4] = raw4(raws[ch]);
    packed = sfmt("%s%c%c%c%c%c", packed, d1, d2, d3, d4, sbyte(B64_TEXT, flags[ch] + 1));
    tail = sfmt("%s,%s", tail, fmt1(forces[ch]));
  }
  return packed + tail;
}

// package.loaded (`package` is a reserved word in TypeScript): for releasing transient modules.
function loaded(): Record<string, unknown> {
  return (_G as unknown as { package: { loaded: Record<string, unknown> } }).package.loaded;
}

// Modules released from package.loaded: those loaded only now and then (commands, collector,
// calibration file, lift log, the protocol codec), the stateless ones app and sampler import (detector,
// window, median, clock unwrapping, this one: the functions they use stay referenced as their
// locals, the module tables go, as long as the modules' own functions do not read them;
// a transient module that requires one again gets a fresh copy), and board.lua (compiled into
// RAM from SPIFFS; app keeps what it needs in ctx.board). Not app, sampler, sink or the protocol in
// use: they hold the state.
const TRANSIENT = "commands collect calstore flashfile netcmd board_netcfg liftlog mode cj_commands units_force board_calfile board_liftrecord calibration_fit protocol_messages protocol_keyvalue protocol_frame protocol_wire_number protocol_checksum lualib_bundle analysis_window filters_median3 board_unwrap analysis_detector framer board";

// Releases the transient modules and collects, so they cost no heap while streaming.
function unloadTransient(): void {
  const l = loaded();
  // names from one constant string (a table of names would stay resident)
  for (const [name] of string.gmatch(TRANSIENT, "%S+")) l[name] = undefined;
  collectgarbage("collect");
}

// require() of a module that is not TypeScript (board.lua, buildinfo.lua, written by the build).
function requireData(name: string): unknown {
  const [ok, value] = pcall(require, name);
  return ok ? value : undefined;
}

// The build's version and hash (buildinfo.lua, in LFS: read when needed, nothing kept in RAM).
function buildInfo(): BuildInfo {
  const b = requireData("buildinfo") as BuildInfo | undefined;
  return b ?? { version: "?", hash: "?" };
}

// One export list: the module's own calls reach these as locals, not through its table, so the
// table is garbage once app.start drops the module from package.loaded (see TRANSIENT).
export { checksum, sealSuffix, seal, fmt1, fmtInt, sampleBody, loaded, unloadTransient, requireData, buildInfo };

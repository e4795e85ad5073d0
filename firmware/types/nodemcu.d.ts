/**
 * NodeMCU (ESP8266, Lua 5.1) modules used by the rackcell firmware, typed from the NodeMCU
 * documentation (docs/modules/*.md of nodemcu-firmware, release branch) so that misuse fails
 * to compile. Module functions are called with a dot (`@noSelf`); object methods (timers,
 * file handles) are called with a colon, which the explicit `this` parameter tells TSTL.
 * Only what the firmware and the emulator use is declared: a missing declaration is a prompt
 * to check the documentation, not to add `any`.
 */
/// <reference types="@typescript-to-lua/language-extensions" />

/** @noSelf */
declare namespace uart {
  /** Returns the baud rate actually set. echo 0 stops the interpreter echoing input. */
  function setup(id: 0 | 1, baud: number, databits: 5 | 6 | 7 | 8, parity: number, stopbits: number, echo?: 0 | 1): number;
  /**
   * "data": with a number n (0..255) the callback gets every n bytes (0 = every byte); with a
   * one-character string the callback gets the data up to and including that character, or
   * 255 bytes when it does not come. run_input 0 keeps the input away from the Lua interpreter.
   * Calling with only the method unregisters the callback.
   */
  function on(method: "data", sizeOrEndChar: number | string, callback: (data: string) => void, runInput: 0 | 1): void;
  function on(method: "data"): void;
  function write(id: 0 | 1, ...data: (string | number)[]): void;
  function getconfig(id: 0 | 1): LuaMultiReturn<[number, number, number, number]>;
  const PARITY_NONE: number;
  const STOPBITS_1: number;
}

/** A timer object from tmr.create(); methods are called with ':' on the board. */
interface NodeMcuTimer {
  /** register + start; returns true on success. */
  alarm(this: NodeMcuTimer, intervalMs: number, mode: number, callback: (timer: NodeMcuTimer) => void): boolean;
  register(this: NodeMcuTimer, intervalMs: number, mode: number, callback: (timer: NodeMcuTimer) => void): void;
  start(this: NodeMcuTimer): boolean;
  stop(this: NodeMcuTimer): boolean;
  unregister(this: NodeMcuTimer): void;
  interval(this: NodeMcuTimer, intervalMs: number): void;
  /** [running, mode], or nil when not registered. */
  state(this: NodeMcuTimer): LuaMultiReturn<[boolean, number]> | undefined;
}

/** @noSelf */
declare namespace tmr {
  const ALARM_SINGLE: number;
  const ALARM_SEMI: number;
  const ALARM_AUTO: number;
  function create(): NodeMcuTimer;
  /** System time in µs, masked to 31 bits: wraps every 2^31 µs (≈35.8 min). */
  function now(): number;
  /** Busy-waits; avoid beyond a few ms (watchdog). */
  function delay(us: number): void;
  function wdclr(): void;
  /** Uptime in seconds (does not wrap). */
  function time(): number;
}

/** @noSelf */
declare namespace node {
  /** Free heap in bytes. */
  function heap(): number;
  /** Asynchronous: the board resets shortly after the call returns. */
  function restart(): void;
  function chipid(): number;
  /** Hardware random source: () → [0, 1); (n) → integer in [1, n]; (l, u) → integer in [l, u]. */
  function random(l?: number, u?: number): number;
  function flashid(): number;
  /** [rawcode, reason, exccause, …]; reason 0 power-on, 1 hw watchdog, 2 exception, 3 sw watchdog, 4 sw restart, 5 deep-sleep wake, 6 external reset. */
  function bootreason(): LuaMultiReturn<[number, number]>;
  /** "hw" | "sw_version" | "build_config" groups (NodeMCU ≥ 3.0). */
  function info(group: "hw" | "sw_version" | "build_config"): LuaTable<string, string | number | boolean>;
  /** Replaces the default handler that prints the error and restarts. */
  function setonerror(handler: (message: string) => void): void;
  function startupcounts(): void;
  /** @noSelf */
  namespace egc {
    const NOT_ACTIVE: number;
    const ON_ALLOC_FAILURE: number;
    const ON_MEM_LIMIT: number;
    const ALWAYS: number;
    function setmode(mode: number, level?: number): void;
    function meminfo(): LuaMultiReturn<[number, number, number]>;
  }
  /** @noSelf */
  namespace task {
    const LOW_PRIORITY: number;
    const MEDIUM_PRIORITY: number;
    const HIGH_PRIORITY: number;
    function post(priority: number, fn: () => void): void;
  }
}

/** A file handle from file.open(); methods are called with ':'. */
interface NodeMcuFile {
  /** Reads up to n bytes (default 1024), or up to and including a one-character delimiter; nil at EOF. */
  read(this: NodeMcuFile, nOrEndChar?: number | string): string | undefined;
  readline(this: NodeMcuFile): string | undefined;
  /** true on success, nil when the write failed (flash full, power). */
  write(this: NodeMcuFile, data: string): true | undefined;
  writeline(this: NodeMcuFile, data: string): true | undefined;
  seek(this: NodeMcuFile, whence?: "set" | "cur" | "end", offset?: number): number | undefined;
  flush(this: NodeMcuFile): void;
  close(this: NodeMcuFile): void;
}

/** @noSelf */
declare namespace file {
  /** nil when the file cannot be opened (missing for "r", more than the open-file limit, bad name). */
  function open(name: string, mode?: "r" | "w" | "a" | "r+" | "w+" | "a+"): NodeMcuFile | undefined;
  function exists(name: string): boolean;
  function remove(name: string): void;
  /** true on success; fails when the target exists. */
  function rename(oldName: string, newName: string): boolean;
  /** name → size in bytes. */
  function list(pattern?: string): LuaTable<string, number>;
  /** [remaining, used, total] bytes. */
  function fsinfo(): LuaMultiReturn<[number, number, number]>;
  function getcontents(name: string): string | undefined;
  function putcontents(name: string, data: string): true | undefined;
  function stat(name: string): { size: number; name: string } | undefined;
}

/** @noSelf */
declare namespace gpio {
  const OUTPUT: number;
  const INPUT: number;
  const INT: number;
  const HIGH: 1;
  const LOW: 0;
  const PULLUP: number;
  const FLOAT: number;
  function mode(pin: number, mode: number, pullup?: number): void;
  function read(pin: number): 0 | 1;
  function write(pin: number, level: 0 | 1): void;
  /** Interrupt on "up" | "down" | "both" | "low" | "high" | "none"; cb(level, whenUs, eventCount). */
  function trig(pin: number, type: "up" | "down" | "both" | "low" | "high" | "none", callback?: (level: number, whenUs: number, eventCount: number) => void): void;
}

/** @noSelf */
declare namespace hx711 {
  function init(clkPin: number, dataPin: number): void;
  /** 0 = A/128, 1 = B/32, 2 = A/64. Busy-waits for data ready; raises "ADC timeout!". */
  function read(mode: 0 | 1 | 2): number;
  /**
   * Reads in the data-ready interrupt into buffers of `samples` (1..400) and calls back with the
   * samples packed as 3-byte little-endian signed integers, the raw 32-bit µs time of the last
   * sample (not masked: negative after ≈35.8 min), and how many samples were dropped because the
   * previous buffer had not been handed to Lua yet.
   */
  function start(mode: 0 | 1 | 2, samples: number, callback: (packed: string, timeUs: number, dropped: number) => void): void;
  function stop(): void;
}

/** @noSelf */
declare namespace struct {
  function pack(format: string, ...values: (number | string)[]): string;
  function unpack(format: string, data: string, offset?: number): LuaMultiReturn<number[]>;
  function size(format: string): number;
}

/** @noSelf */
declare namespace bit {
  function band(a: number, ...b: number[]): number;
  function bor(a: number, ...b: number[]): number;
  function bxor(a: number, ...b: number[]): number;
  function bnot(a: number): number;
  function lshift(a: number, n: number): number;
  function rshift(a: number, n: number): number;
  function arshift(a: number, n: number): number;
  function isset(a: number, position: number): boolean;
}

/** @noSelf */
declare namespace crypto {
  /** Binary digest; algorithms include "MD5", "SHA1", "SHA256", "SHA512". */
  function hash(algo: string, data: string): string;
  /** Binary digest of a whole file. */
  function fhash(algo: string, fileName: string): string;
  function hmac(algo: string, data: string, key: string): string;
}

/** @noSelf */
declare namespace encoder {
  function toHex(binary: string): string;
  function fromHex(hex: string): string;
  function toBase64(binary: string): string;
  function fromBase64(b64: string): string;
}

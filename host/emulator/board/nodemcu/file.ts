/**
 * file (SPIFFS as NodeMCU's file module shows it): flat names of at most 31 bytes (longer names
 * raise "filename invalid"), at most 4 open files (the 5th open returns nil), rename fails when
 * the target exists. File objects have read/readline/write/writeline/seek/flush/close; the old
 * module-level calls (file.read, file.write, ...) act on the last opened file.
 */
import { api, apiError, cost } from "../kernel.ts";
import { FLASH_TOTAL, MAX_NAME, exists, flashOpDone, forget, hostPath, listNames, sizeOf, touch, usedBytes } from "../flash.ts";

export const MAX_OPEN = 4;
const READ_CHUNK = 1024;

interface Handle {
  name: string;
  h: LuaFile | undefined;
  writable: boolean;
}

const open: Handle[] = [];
let last: Handle | undefined;

function checkName(name: unknown, argn: number, fname: string): string {
  if (type(name) !== "string") return apiError(`bad argument #${argn} to '${fname}' (string expected, got ${type(name)})`);
  const s = name as string;
  if (s.length > MAX_NAME || s.length === 0 || string.find(s, "\0", 1, true)[0] !== undefined) {
    return apiError(`bad argument #${argn} to '${fname}' (filename invalid)`);
  }
  return s;
}

const MODES: Record<string, string> = { r: "rb", w: "wb", a: "ab", "r+": "r+b", "w+": "w+b", "a+": "a+b" };

function closeHandle(fh: Handle): void {
  if (fh.h === undefined) return;
  fh.h.close();
  fh.h = undefined;
  const i = open.indexOf(fh);
  if (i >= 0) open.splice(i, 1);
}

/** Reset / power loss: every open file is closed (what was written stays). */
export function closeAllFiles(): void {
  for (const fh of [...open]) closeHandle(fh);
  last = undefined;
}

export function openCount(): number {
  return open.length;
}

function getFile(self: unknown): Handle {
  const fh = (self as { __fh?: Handle }).__fh;
  if (fh === undefined || fh.h === undefined) return apiError("open a file first");
  return fh;
}

function readFrom(fh: Handle, what: unknown): string | undefined {
  const h = fh.h as LuaFile;
  let n = READ_CHUNK;
  let endChar: string | undefined;
  if (type(what) === "number") n = Math.floor(what as number);
  else if (type(what) === "string") {
    endChar = string.sub(what as string, 1, 1);
  }
  if (n <= 0) return undefined;
  let data: string | undefined;
  if (endChar === undefined) {
    data = h.read(n) as string | undefined;
  } else {
    // Up to and including the delimiter, at most a chunk.
    const start = h.seek("cur")[0] as number;
    const chunk = h.read(READ_CHUNK) as string | undefined;
    if (chunk !== undefined) {
      const at = string.find(chunk, endChar, 1, true)[0];
      data = at !== undefined ? string.sub(chunk, 1, at) : chunk;
      h.seek("set", start + data.length);
    }
  }
  if (data === undefined || data.length === 0) return undefined;
  cost(20 + 0.1 * data.length);
  return data;
}

function writeTo(fh: Handle, data: unknown): true | undefined {
  if (type(data) !== "string" && type(data) !== "number") return apiError("bad argument #1 to 'write' (string expected)");
  const s = tostring(data);
  if (!fh.writable) return undefined;
  if (usedBytes() + s.length > FLASH_TOTAL) return undefined;
  cost(30 + 0.3 * s.length);
  (fh.h as LuaFile).write(s);
  (fh.h as LuaFile).flush();
  flashOpDone();
  return true;
}

const methods: Record<string, unknown> = {
  read: api((self: unknown, what?: unknown) => readFrom(getFile(self), what), 10),
  readline: api((self: unknown) => readFrom(getFile(self), "\n"), 10),
  write: api((self: unknown, data: unknown) => writeTo(getFile(self), data), 10),
  writeline: api((self: unknown, data: unknown) => {
    const fh = getFile(self);
    if (writeTo(fh, `${tostring(data)}\n`) === undefined) return undefined;
    return true;
  }, 10),
  seek: api((self: unknown, whence?: unknown, offset?: unknown) => {
    const fh = getFile(self);
    const w = (whence ?? "cur") as "set" | "cur" | "end";
    if (w !== "set" && w !== "cur" && w !== "end") return apiError("bad argument #1 to 'seek' (invalid option)");
    const [pos] = (fh.h as LuaFile).seek(w, Math.floor((offset ?? 0) as number));
    return pos === undefined ? undefined : pos;
  }, 10),
  flush: api((self: unknown) => {
    const fh = getFile(self);
    (fh.h as LuaFile).flush();
    return true;
  }, 50),
  close: api((self: unknown) => {
    const fh = (self as { __fh?: Handle }).__fh;
    if (fh === undefined || fh.h === undefined) return;
    cost(200);
    const wrote = fh.writable;
    closeHandle(fh);
    if (last === fh) last = undefined;
    if (wrote) flashOpDone();
  }, 10),
};
const fileMeta = { __index: methods, __tostring: () => "file.obj" };

function doOpen(nameArg: unknown, modeArg?: unknown): Record<string, unknown> | undefined {
  const name = checkName(nameArg, 1, "open");
  const mode = (modeArg ?? "r") as string;
  const hostMode = MODES[mode];
  if (hostMode === undefined) return undefined;
  cost(300);
  if (open.length >= MAX_OPEN) return undefined;
  if (!exists(name) && string.sub(mode, 1, 1) === "r") return undefined;
  const [h] = io.open(hostPath(name), hostMode);
  if (h === undefined) return undefined;
  const writable = mode !== "r";
  if (writable) touch(name);
  const fh: Handle = { name, h, writable };
  open.push(fh);
  last = fh;
  const obj = setmetatable({ __fh: fh }, fileMeta);
  if (string.sub(mode, 1, 1) === "w") flashOpDone();
  return obj as unknown as Record<string, unknown>;
}

export function createFileModule(): Record<string, unknown> {
  const onLast = (fn: (this: void, self: unknown, ...a: unknown[]) => unknown) =>
    (...a: unknown[]) => {
      if (last === undefined) return apiError("open a file first");
      return fn({ __fh: last }, ...a);
    };
  return {
    open: api(doOpen, 10),
    exists: api((name: unknown) => exists(checkName(name, 1, "exists")), 50),
    remove: api((nameArg: unknown) => {
      const name = checkName(nameArg, 1, "remove");
      cost(2000);
      for (const fh of [...open]) if (fh.name === name) closeHandle(fh);
      if (exists(name)) {
        os.remove(hostPath(name));
        forget(name);
        flashOpDone();
      }
    }, 10),
    rename: api((a: unknown, b: unknown) => {
      const from = checkName(a, 1, "rename");
      const to = checkName(b, 2, "rename");
      cost(2000);
      if (!exists(from) || exists(to)) return false;
      os.rename(hostPath(from), hostPath(to));
      forget(from);
      touch(to);
      flashOpDone();
      return true;
    }, 10),
    list: api((pattern?: unknown) => {
      cost(500);
      const out: Record<string, number> = {};
      for (const n of listNames()) {
        if (type(pattern) === "string" && string.find(n, pattern as string)[0] === undefined) continue;
        out[n] = sizeOf(n);
      }
      return out;
    }, 10),
    fsinfo: api(() => {
      const used = usedBytes();
      return $multi(FLASH_TOTAL - used, used, FLASH_TOTAL);
    }, 200),
    stat: api((nameArg: unknown) => {
      const name = checkName(nameArg, 1, "stat");
      if (!exists(name)) return undefined;
      return { name, size: sizeOf(name), time: { year: 1970, mon: 1, day: 1, hour: 0, min: 0, sec: 0 }, is_dir: false, is_rdonly: false, is_hidden: false, is_sys: false, is_arch: false };
    }, 100),
    getcontents: api((nameArg: unknown) => {
      const name = checkName(nameArg, 1, "getcontents");
      if (!exists(name) || open.length >= MAX_OPEN) return undefined;
      const [h] = io.open(hostPath(name), "rb");
      if (h === undefined) return undefined;
      const data = (h.read("*a") as string | undefined) ?? "";
      h.close();
      cost(300 + 0.1 * data.length);
      return data;
    }, 10),
    putcontents: api((nameArg: unknown, data: unknown) => {
      const obj = doOpen(nameArg, "w+");
      if (obj === undefined) return undefined;
      const fh = (obj as { __fh: Handle }).__fh;
      const ok = writeTo(fh, data);
      closeHandle(fh);
      if (last === fh) last = undefined;
      cost(200);
      flashOpDone();
      return ok;
    }, 10),
    read: api(onLast((self, what) => readFrom(getFile(self), what)), 10),
    readline: api(onLast((self) => readFrom(getFile(self), "\n")), 10),
    write: api(onLast((self, data) => writeTo(getFile(self), data)), 10),
    writeline: api(onLast((self, data) => writeTo(getFile(self), `${tostring(data)}\n`)), 10),
    close: api(() => {
      if (last === undefined) return;
      const fh = last;
      const wrote = fh.writable;
      closeHandle(fh);
      last = undefined;
      if (wrote) flashOpDone();
    }, 10),
    flush: api(onLast((self) => { (getFile(self).h as LuaFile).flush(); return true; }), 10),
    seek: api(onLast((self, whence, offset) => {
      const fh = getFile(self);
      return (fh.h as LuaFile).seek(((whence ?? "cur") as "set"), Math.floor((offset ?? 0) as number))[0];
    }), 10),
    format: api(() => {
      closeAllFiles();
      for (const n of listNames()) { os.remove(hostPath(n)); forget(n); }
      flashOpDone();
    }, 10),
  };
}

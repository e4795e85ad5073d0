/**
 * The board's flash file system (SPIFFS: flat names ≤ 31 bytes) kept as a directory on the host,
 * so it persists across resets and emulator restarts and can be inspected. Names are stored
 * percent-encoded where the host would object ("a/b.lua" → "a%2Fb.lua"). Writes go straight to
 * the host file: data written before a power cut stays, like flash.
 */
export const MAX_NAME = 31;
export const FLASH_TOTAL = 3_444_000;

export const F = {
  dir: ".",
  /** Mutating operations still allowed before the power is cut (undefined: no cut armed). */
  cutAfter: undefined as number | undefined,
  /** Called when an armed cut triggers (board.ts powers the board off). */
  onCut: () => {},
  ops: 0,
};

const names: Record<string, boolean> = {};

export function encodeName(name: string): string {
  const [s] = string.gsub(name, "[^%w%._%-]", (c: string) => string.format("%%%02X", string.byte(c)));
  return s;
}

function decodeName(host: string): string {
  const [s] = string.gsub(host, "%%(%x%x)", (h: string) => string.char(tonumber(h, 16) as number));
  return s;
}

export function hostPath(name: string): string {
  return `${F.dir}/${encodeName(name)}`;
}

export function mountFlash(dir: string): void {
  F.dir = dir;
  os.execute(`mkdir -p '${dir}'`);
  const [p] = io.popen(`ls -1A '${dir}'`);
  if (p !== undefined) {
    for (const [line] of p.lines()) {
      if (line !== "" && string.sub(line, 1, 1) !== ".") names[decodeName(line)] = true;
    }
    p.close();
  }
}

/** Known to the index, or put into the directory from outside since it was mounted. */
export function exists(name: string): boolean {
  if (names[name] === true) return true;
  const [h] = io.open(hostPath(name), "rb");
  if (h === undefined) return false;
  h.close();
  names[name] = true;
  return true;
}

export function touch(name: string): void {
  names[name] = true;
}

export function forget(name: string): void {
  delete names[name];
}

export function listNames(): string[] {
  const out: string[] = [];
  for (const n in names) out.push(n);
  table.sort(out);
  return out;
}

export function sizeOf(name: string): number {
  const [f] = io.open(hostPath(name), "rb");
  if (f === undefined) return 0;
  const [size] = f.seek("end");
  f.close();
  return (size as number | undefined) ?? 0;
}

export function usedBytes(): number {
  let used = 0;
  for (const n of listNames()) used += Math.ceil(sizeOf(n) / 256) * 256 + 256;
  return used;
}

/**
 * Every mutating flash operation calls this after it completed: when a power cut is armed and
 * this was the last allowed operation, the power goes now (the callback is aborted).
 */
export function flashOpDone(): void {
  F.ops += 1;
  if (F.cutAfter === undefined) return;
  F.cutAfter -= 1;
  if (F.cutAfter <= 0) {
    F.cutAfter = undefined;
    F.onCut();
  }
}

/**
 * node.LFS — the Lua Flash Store as the emulated board has it. Code in LFS lives in flash, so
 * its functions and constants take no heap: the image's modules are compiled at boot before the
 * heap baseline is measured. The image format is the build's stand-in for luac.cross output
 * (host/build/lfs-image.ts: "RCLFS1\n" then per module "<name>\n<length>\n<source>").
 * reload(image) copies the image into the LFS partition (a hidden file of the flash directory,
 * kept across resets) and restarts, like NodeMCU; require() finds LFS modules after SPIFFS files
 * (the loader order of NodeMCU's _init.lua).
 */
import { apiError, api } from "../kernel.ts";
import { exists, hostPath, F } from "../flash.ts";
import { B, REASON } from "../state.ts";

export const LFS_MAGIC = "RCLFS1\n";
const PARTITION = ".lfs-partition";
/** The partition table (node.setpartitiontable's record), kept on the flash like the board's. */
const TABLE = ".partition-table";

/**
 * Where LFS and SPIFFS sit in the 4 MB flash (byte offsets; sizes in bytes). lfs_size comes from
 * the board definition until node.setpartitiontable changes it; 0 means no LFS, as a firmware
 * built without LUA_FLASH_STORE has.
 */
export const PT = { lfs_addr: 0x0a0000, lfs_size: 0, spiffs_addr: 0x100000, spiffs_size: 0x100000 };
const FLASH_BYTES = 0x400000;
const PAGE = 0x2000;

/** Reads the stored table, or starts from the board's LFS size (startBoard). */
export function loadPartitionTable(defaultLfsBytes: number): void {
  PT.lfs_size = defaultLfsBytes;
  const text = readHost(`${F.dir}/${TABLE}`);
  if (text === undefined) return;
  const [a, b, c, d] = string.match(text, "^(%d+) (%d+) (%d+) (%d+)");
  if (d === undefined) return;
  PT.lfs_addr = tonumber(a) as number;
  PT.lfs_size = tonumber(b) as number;
  PT.spiffs_addr = tonumber(c) as number;
  PT.spiffs_size = tonumber(d) as number;
}

function savePartitionTable(): void {
  const [h] = io.open(`${F.dir}/${TABLE}`, "wb");
  if (h === undefined) return;
  h.write(`${PT.lfs_addr} ${PT.lfs_size} ${PT.spiffs_addr} ${PT.spiffs_size}\n`);
  h.close();
}

export const getPartitionTable = api(() => ({ lfs_addr: PT.lfs_addr, lfs_size: PT.lfs_size, spiffs_addr: PT.spiffs_addr, spiffs_size: PT.spiffs_size }), 10);

/**
 * node.setpartitiontable{lfs_addr=, lfs_size=, spiffs_addr=, spiffs_size=}: any of the four,
 * multiples of 8 KB, regions inside the flash and apart; a Lua error otherwise. A valid table is
 * stored and the board restarts; a moved or resized LFS region is empty (reload the image).
 */
export const setPartitionTable = api((t: unknown) => {
  if (type(t) !== "table") return apiError("bad argument #1 to 'setpartitiontable' (table expected)");
  const rec = t as Record<string, unknown>;
  const next = { lfs_addr: PT.lfs_addr, lfs_size: PT.lfs_size, spiffs_addr: PT.spiffs_addr, spiffs_size: PT.spiffs_size };
  for (const k of ["lfs_addr", "lfs_size", "spiffs_addr", "spiffs_size"] as const) {
    const v = rec[k];
    if (v === undefined) continue;
    if (type(v) !== "number" || (v as number) < 0 || (v as number) % PAGE !== 0) return apiError(`${k} must be a multiple of 8K`);
    next[k] = v as number;
  }
  const lfsEnd = next.lfs_addr + next.lfs_size;
  const spiffsEnd = next.spiffs_addr + next.spiffs_size;
  if (lfsEnd > FLASH_BYTES || spiffsEnd > FLASH_BYTES) return apiError("partition beyond the end of flash");
  if (next.lfs_size > 0 && next.lfs_addr < lfsEnd && next.spiffs_addr < lfsEnd && next.lfs_addr < spiffsEnd) return apiError("LFS and SPIFFS partitions overlap");
  const lfsMoved = next.lfs_addr !== PT.lfs_addr || next.lfs_size !== PT.lfs_size;
  PT.lfs_addr = next.lfs_addr;
  PT.lfs_size = next.lfs_size;
  PT.spiffs_addr = next.spiffs_addr;
  PT.spiffs_size = next.spiffs_size;
  savePartitionTable();
  if (lfsMoved) os.remove(`${F.dir}/${PARTITION}`);
  B.requestReset(REASON.SOFT_RESTART, 1000);
}, 500);

export interface LfsStore {
  names: string[];
  fns: Record<string, (this: void, ...a: unknown[]) => unknown>;
  bytes: number;
}

function parseImage(img: string): LuaMultiReturn<[{ name: string; source: string }[] | undefined, string | undefined]> {
  if (string.sub(img, 1, LFS_MAGIC.length) !== LFS_MAGIC) return $multi(undefined, "not an LFS image");
  const mods: { name: string; source: string }[] = [];
  let pos = LFS_MAGIC.length + 1;
  while (pos <= img.length) {
    const [nl1] = string.find(img, "\n", pos, true);
    if (nl1 === undefined) return $multi(undefined, "truncated LFS image");
    const name = string.sub(img, pos, nl1 - 1);
    const [nl2] = string.find(img, "\n", nl1 + 1, true);
    if (nl2 === undefined) return $multi(undefined, "truncated LFS image");
    const len = tonumber(string.sub(img, nl1 + 1, nl2 - 1));
    if (len === undefined) return $multi(undefined, "bad LFS image");
    mods.push({ name, source: string.sub(img, nl2 + 1, nl2 + len) });
    pos = nl2 + len + 1;
  }
  return $multi(mods, undefined);
}

function readHost(path: string): string | undefined {
  const [h] = io.open(path, "rb");
  if (h === undefined) return undefined;
  const s = (h.read("*a") as string | undefined) ?? "";
  h.close();
  return s;
}

/** Compiles the flashed image (if any) into the firmware's environment. */
export function loadLfs(env: Record<string, unknown>): LfsStore {
  const store: LfsStore = { names: [], fns: {}, bytes: 0 };
  const img = readHost(`${F.dir}/${PARTITION}`);
  // An image larger than the region (flashed before the table shrank it) is not there for the board.
  if (img === undefined || img.length > PT.lfs_size) return store;
  const [mods] = parseImage(img);
  if (mods === undefined) return store;
  store.bytes = img.length;
  for (const m of mods) {
    const [f] = loadstring(m.source, `@${m.name}.lua`);
    if (f === undefined) continue;
    setfenv(f, env);
    store.names.push(m.name);
    store.fns[m.name] = f as (this: void, ...a: unknown[]) => unknown;
  }
  return store;
}

/** Writes an image straight into the partition (what `install: "firmware"` does before boot). */
export function flashLfsImage(data: string): void {
  const [h] = io.open(`${F.dir}/${PARTITION}`, "wb");
  if (h === undefined) return;
  h.write(data);
  h.close();
}

export function createLfsModule(store: LfsStore): Record<string, unknown> {
  const get = api((name?: unknown) => {
    if (name === undefined) return $multi(0, 0x40200000, 0, PT.lfs_size);
    return store.fns[name as string];
  }, 5);
  return {
    get,
    list: api(() => [...store.names], 5),
    reload: api((image: unknown) => {
      if (type(image) !== "string") return apiError("bad argument #1 to 'reload' (string expected)");
      if (!exists(image as string)) return `cannot open ${image as string}`;
      const data = readHost(hostPath(image as string)) ?? "";
      const [mods, err] = parseImage(data);
      if (mods === undefined) return err;
      // lflash.c procFirstPass: an image larger than the LFS region is refused; the old one stays.
      if (data.length > PT.lfs_size) return "LFS Image too big for configured LFS region";
      flashLfsImage(data);
      B.requestReset(REASON.SOFT_RESTART, 1000);
      return undefined;
    }, 200),
  };
}

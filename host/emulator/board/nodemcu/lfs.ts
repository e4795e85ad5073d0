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
  if (img === undefined) return store;
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
    if (name === undefined) return $multi(0, 0x40200000, 0, 0x20000);
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
      flashLfsImage(data);
      B.requestReset(REASON.SOFT_RESTART, 1000);
      return undefined;
    }, 200),
  };
}

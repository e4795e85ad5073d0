import { afterEach, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import type { EmulatorOptions } from "./index.ts";
import { atPrompt, type PromptDriver } from "./prompt-driver.ts";
import { encodeLfsImage } from "../build/lfs-image.ts";
import { loadBoard } from "../build/boards.ts";
import { DEFAULT_BOARD } from "../paths.ts";

/**
 * The LFS partition as NodeMCU has it: node.getpartitiontable() reports it, node.LFS.reload
 * refuses an image larger than it (and keeps the old one), node.setpartitiontable changes it
 * (checked, stored on the flash, restart; a resized region is empty).
 */
const drivers: PromptDriver[] = [];
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.close()));
});

async function prompt(opts: EmulatorOptions = {}, files: Record<string, Buffer | string> = {}): Promise<PromptDriver> {
  const d = await atPrompt(opts, files);
  drivers.push(d);
  return d;
}

const image = (bytes: number) => encodeLfsImage([{ name: "big", source: Buffer.from(`return "${"x".repeat(bytes)}"\n`) }]);
const PT = 'local p = node.getpartitiontable() print(p.lfs_addr, p.lfs_size, p.spiffs_addr, p.spiffs_size)';

describe("LFS partition", () => {
  it("node.getpartitiontable() reports the board definition's partition", async () => {
    const { send } = await prompt();
    const size = loadBoard(DEFAULT_BOARD).lfsPartitionBytes;
    expect(await send(PT)).toBe(`${PT}\r\n${0xa0000}\t${size}\t${0x100000}\t${0x100000}\r\n> `);
  });

  it("node.LFS.reload refuses an image larger than the partition and keeps the old one", async () => {
    const small = encodeLfsImage([{ name: "hello", source: Buffer.from('return { hi = function() return "old" end }\n') }]);
    const { send } = await prompt({ lfsPartitionBytes: 0x10000 }, { "small.img": small, "big.img": image(0x10000) });
    expect(await send('=node.LFS.reload("small.img")', 2000)).toContain("NodeMCU 3.0.0.0");
    expect(await send("=require('hello').hi()")).toBe("=require('hello').hi()\r\nold\r\n> ");
    expect(await send('=node.LFS.reload("big.img")', 2000)).toBe('=node.LFS.reload("big.img")\r\nLFS Image too big for configured LFS region\r\n> ');
    expect(await send("=require('hello').hi()")).toBe("=require('hello').hi()\r\nold\r\n> ");
  });

  it("node.setpartitiontable checks the table, stores it, restarts, and the region it resized is empty", async () => {
    const img = encodeLfsImage([{ name: "hello", source: Buffer.from('return { hi = function() return "lfs" end }\n') }]);
    const { send, dir } = await prompt({ lfsPartitionBytes: 0x10000 }, { "lfs.img": img });
    expect(await send('=node.LFS.reload("lfs.img")', 2000)).toContain("NodeMCU 3.0.0.0");
    expect(await send("node.setpartitiontable{lfs_size = 0x1000}")).toContain("Lua error: \tlfs_size must be a multiple of 8K");
    expect(await send("node.setpartitiontable{lfs_size = 0x80000}")).toContain("Lua error: \tLFS and SPIFFS partitions overlap");
    expect(await send("node.setpartitiontable{lfs_size = 0x20000}", 2000)).toContain("NodeMCU 3.0.0.0");
    expect(await send(PT)).toBe(`${PT}\r\n${0xa0000}\t${0x20000}\t${0x100000}\t${0x100000}\r\n> `);
    expect(await send("=node.LFS.list and #node.LFS.list()")).toBe("=node.LFS.list and #node.LFS.list()\r\n0\r\n> ");
    expect(fs.readFileSync(path.join(dir, ".partition-table"), "utf8")).toBe(`${0xa0000} ${0x20000} ${0x100000} ${0x100000}\n`);
  });
});

import { describe, expect, it } from "vitest";
import { checkPartition, partitionFix } from "./partition.ts";

describe("LFS partition fix", () => {
  const table = { lfsAddr: 0x0a0000, lfsSize: 0x10000, spiffsAddr: 0x100000, spiffsSize: 0x100000 };

  it("grows LFS in place when SPIFFS starts after the grown region", () => {
    expect(partitionFix(table, 0x20000)).toBe("node.setpartitiontable{lfs_size = 0x020000}");
    expect(partitionFix(table, 100_000)).toBe("node.setpartitiontable{lfs_size = 0x01a000}"); // rounded up to 8 KB pages
  });

  it("moves SPIFFS up (keeping its end) when the grown region would reach into it", () => {
    const tight = { lfsAddr: 0x0f0000, lfsSize: 0, spiffsAddr: 0x100000, spiffsSize: 0x100000 };
    expect(partitionFix(tight, 0x20000)).toBe("node.setpartitiontable{lfs_addr = 0x0f0000, lfs_size = 0x020000, spiffs_addr = 0x110000, spiffs_size = 0x0f0000}");
  });

  it("passes an image that fits and names a missing partition", () => {
    expect(() => checkPartition(table, 0x10000, 0x20000)).not.toThrow();
    expect(() => checkPartition({ ...table, lfsSize: 0 }, 1000, 0)).toThrow(/no LFS partition \(0 bytes\).*\n  node\.setpartitiontable\{lfs_size = 0x002000\}/);
  });
});

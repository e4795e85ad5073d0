/**
 * The board's LFS partition, read before anything is uploaded: NodeMCU's partition is 0 unless
 * the firmware build or node.setpartitiontable sets it, and node.LFS.reload refuses an image
 * larger than it ("LFS Image too big for configured LFS region") only after the whole upload.
 * So deploy asks node.getpartitiontable() first and, when the image does not fit, stops with the
 * exact node.setpartitiontable{…} line that makes it fit.
 */
import { DeployError, type PromptSession } from "./prompt.ts";

export interface PartitionTable { lfsAddr: number; lfsSize: number; spiffsAddr: number; spiffsSize: number }

/** NodeMCU's flash pages: partition addresses and sizes are multiples of 8 KB. */
const PAGE = 0x2000;

export const PARTITION_LINE = 'local p=node.getpartitiontable and node.getpartitiontable() ' +
  'if p then print("_PT",p.lfs_addr,p.lfs_size,p.spiffs_addr,p.spiffs_size) else print("_PT none") end';

const hex = (n: number) => `0x${n.toString(16).padStart(6, "0")}`;

/** The node.setpartitiontable line that gives `table` an LFS region of `lfsBytes` (SPIFFS moved up only if it must). */
export function partitionFix(table: PartitionTable, lfsBytes: number): string {
  const size = Math.ceil(lfsBytes / PAGE) * PAGE;
  const lfsEnd = table.lfsAddr + size;
  if (table.spiffsAddr >= lfsEnd || table.spiffsAddr + table.spiffsSize <= table.lfsAddr) {
    return `node.setpartitiontable{lfs_size = ${hex(size)}}`;
  }
  // SPIFFS starts inside the grown region: it moves to the end of it, keeping where it ends.
  const spiffsEnd = table.spiffsAddr + table.spiffsSize;
  return `node.setpartitiontable{lfs_addr = ${hex(table.lfsAddr)}, lfs_size = ${hex(size)}, spiffs_addr = ${hex(lfsEnd)}, spiffs_size = ${hex(spiffsEnd - lfsEnd)}}`;
}

/** Reads the partition table at the prompt; undefined on a firmware without node.getpartitiontable. */
export async function readPartitionTable(s: PromptSession): Promise<PartitionTable | undefined> {
  const m = await s.call(PARTITION_LINE, /_PT(?: none|\t(\d+)\t(\d+)\t(\d+)\t(\d+))\r?\n/);
  if (m[1] === undefined) return undefined;
  return { lfsAddr: Number(m[1]), lfsSize: Number(m[2]), spiffsAddr: Number(m[3]), spiffsSize: Number(m[4]) };
}

/**
 * Refuses (DeployError "LFS_PARTITION") when an image of `imageBytes` does not fit the board's
 * LFS partition; the message carries the fix, sized for `wantBytes` (the board definition's
 * partition, at least the image).
 */
export function checkPartition(table: PartitionTable, imageBytes: number, wantBytes: number): void {
  if (imageBytes <= table.lfsSize) return;
  const fix = partitionFix(table, Math.max(wantBytes, imageBytes));
  const now = table.lfsSize === 0 ? "no LFS partition (0 bytes)" : `an LFS partition of ${table.lfsSize} bytes (${hex(table.lfsSize)})`;
  throw new DeployError(
    `the board has ${now}; the LFS image is ${imageBytes} bytes. At the board's prompt run:\n  ${fix}\n` +
    "(the board restarts with the new table; if SPIFFS moved, its files are gone), then deploy again.",
    "LFS_PARTITION",
  );
}

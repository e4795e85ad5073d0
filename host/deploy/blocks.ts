/**
 * What goes over the wire while a file uploads: the file cut into fixed-size blocks, each block
 * [seq][len][payload][padding]. seq is one of 64 printable characters (block number mod 64), which
 * the board sends back as the acknowledgement; len (0..blockSize-2) is the payload's byte count.
 *
 * The payload is a run of LZ sequences the board's helper decodes (see lua-helper.ts):
 *   token   high nibble: literal count (15 → +1 byte), low nibble: match length − 2 (0 = no match, 15 → +1 byte)
 *   literals
 *   offset  2 bytes little-endian, only when there is a match: how far before the block's start
 *           the copied bytes begin (1..WINDOW)
 * Matches copy from the board's window only: the last WINDOW bytes of the file written before
 * this block (never from the block's own output, never straddling its start). So the board
 * decodes a block into a table of pieces, joins them once and writes once: little garbage in
 * the callback (1 KB window: 2 KB would gain 8 % on our Lua, at twice the heap). Every block is
 * self-contained given the window. With compression off the same format carries literals only.
 */
import { B64_DIGITS } from "../../shared/protocol/wire-number.ts";

export const WINDOW = 1024;
export const MIN_MATCH = 3;

export interface BlockOptions {
  /** bytes per block on the wire, ≤ 255 (uart.on("data", n) takes 0..255) */
  blockSize: number;
  compress: boolean;
}

export interface EncodedFile {
  blocks: Buffer[];
  /** payload bytes (before framing) */
  payloadBytes: number;
}

function tokenBytes(lit: number, mlen: number): number {
  let n = 1 + lit;
  if (lit >= 15) n += 1;
  if (mlen > 0) {
    n += 2;
    if (mlen - 2 >= 15) n += 1;
  }
  return n;
}

function writeSeq(out: number[], data: Buffer, litStart: number, lit: number, mlen: number, off: number): void {
  const ml = mlen > 0 ? mlen - 2 : 0;
  out.push((Math.min(lit, 15) << 4) | Math.min(ml, 15));
  if (lit >= 15) out.push(lit - 15);
  for (let i = 0; i < lit; i++) out.push(data[litStart + i]);
  if (mlen > 0) {
    if (ml >= 15) out.push(ml - 15);
    out.push(off & 255, off >> 8);
  }
}

/** Longest literal run / match one sequence can carry: 15 + 255. */
const MAX_RUN = 270;

/** Encodes one file into blocks (see the header). */
export function encodeFile(data: Buffer, opt: BlockOptions): EncodedFile {
  const cap = opt.blockSize - 2;
  if (opt.blockSize > 255 || cap < 20) throw new Error("blockSize must be 22..255");
  const blocks: Buffer[] = [];
  let payloadBytes = 0;
  let pos = 0;
  // hash chains over 3-byte prefixes for the match search
  const head = new Map<number, number[]>();
  const key = (i: number) => (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
  let indexed = 0;
  const indexUpTo = (p: number) => {
    for (; indexed < p && indexed + 2 < data.length; indexed++) {
      const k = key(indexed);
      let list = head.get(k);
      if (!list) head.set(k, (list = []));
      list.push(indexed);
      if (list.length > 64) list.shift();
    }
  };
  while (pos < data.length || blocks.length === 0) {
    const blockStart = pos;
    const out: number[] = [];
    let litStart = pos;
    const flushFits = (lit: number, mlen: number) => out.length + tokenBytes(lit, mlen) <= cap;
    while (pos < data.length) {
      // best match at pos
      let bestLen = 0;
      let bestOff = 0;
      if (opt.compress && pos + MIN_MATCH <= data.length) {
        indexUpTo(pos);
        const cands = head.get(key(pos)) ?? [];
        for (let c = cands.length - 1; c >= 0; c--) {
          const q = cands[c];
          if (q < blockStart - WINDOW) break;
          const off = pos - q;
          let limit = Math.min(data.length - pos, MAX_RUN, off); // no overlap with its own output
          if (q >= blockStart) continue; // from earlier blocks only: the board copies from its window
          limit = Math.min(limit, blockStart - q);
          let l = 0;
          while (l < limit && data[q + l] === data[pos + l]) l++;
          if (l > bestLen) {
            bestLen = l;
            bestOff = blockStart - q;
          }
        }
      }
      const lit = pos - litStart;
      if (bestLen >= MIN_MATCH && flushFits(lit, bestLen)) {
        writeSeq(out, data, litStart, lit, bestLen, bestOff);
        pos += bestLen;
        litStart = pos;
        continue;
      }
      if (lit === MAX_RUN) {
        // literal run at its longest (it fitted when it grew): close it, carry on in this block
        writeSeq(out, data, litStart, lit, 0, 0);
        litStart = pos;
        continue;
      }
      if (flushFits(lit + 1, 0)) {
        pos++;
        continue;
      }
      break; // block full
    }
    const lit = pos - litStart;
    if (lit > 0) writeSeq(out, data, litStart, lit, 0, 0);
    const block = Buffer.alloc(opt.blockSize, 0);
    block[0] = B64_DIGITS.charCodeAt(blocks.length % 64);
    block[1] = out.length;
    Buffer.from(out).copy(block, 2);
    blocks.push(block);
    payloadBytes += out.length;
    if (data.length === 0) break;
  }
  return { blocks, payloadBytes };
}

/** The board's decoder, in TypeScript: used by the tests to prove the format round-trips. */
export function decodeBlocks(blocks: Buffer[]): Buffer {
  const outAll: number[] = [];
  for (const b of blocks) {
    const len = b[1];
    const s = b.subarray(2, 2 + len);
    const blockStart = outAll.length;
    let i = 0;
    while (i < s.length) {
      const t = s[i++];
      let l = t >> 4;
      let m = t & 15;
      if (l === 15) l += s[i++];
      for (let k = 0; k < l; k++) outAll.push(s[i++]);
      if (m > 0) {
        if (m === 15) m += s[i++];
        m += 2;
        const off = s[i] | (s[i + 1] << 8);
        i += 2;
        const from = blockStart - off;
        if (off < 1 || off > WINDOW || from + m > blockStart) throw new Error("bad match");
        for (let k = 0; k < m; k++) outAll.push(outAll[from + k]);
      }
    }
  }
  return Buffer.from(outAll);
}

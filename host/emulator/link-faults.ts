import { seededRandom } from "../random.ts";

/**
 * Faults of the serial cable between board and host: bytes dropped, bits flipped (both from one
 * seeded random source, so a run repeats from its seed) and the cable out for a while. Applied to
 * both directions by the board facade; counts what it did for BoardStats.injected.
 */
export interface LinkFaultCounts { bytesDropped: number; bitsFlipped: number; unplugs: number; bytesLostUnplugged: number; lineFeedsMade: number }

export class LinkFaults {
  byteDropRate = 0;
  bitFlipRate = 0;
  readonly counts: LinkFaultCounts = { bytesDropped: 0, bitsFlipped: 0, unplugs: 0, bytesLostUnplugged: 0, lineFeedsMade: 0 };
  private readonly random: () => number;
  /** Unplugged over [fromUs, untilUs) of virtual time, or (wall) until replug(); untilUs -1: plugged in. */
  private fromUs = 0;
  private untilUs = -1;
  private untilReplug = false;

  constructor(seed: number) {
    this.random = seededRandom(seed * 7919 + 17);
  }

  /** The cable goes out at virtual time `fromUs` for `seconds` of virtual time. */
  unplugVirtual(fromUs: number, seconds: number): void {
    this.counts.unplugs++;
    this.untilReplug = false;
    this.fromUs = fromUs;
    this.untilUs = fromUs + seconds * 1e6;
  }

  /** The cable goes out now and stays out until replug() (free-running clocks: wall time). */
  unplugUntilReplug(): void {
    this.counts.unplugs++;
    this.untilReplug = true;
    this.untilUs = Number.MAX_SAFE_INTEGER;
  }

  replug(): void {
    this.untilUs = -1;
    this.untilReplug = false;
  }

  /** Is the cable out at virtual time tUs? */
  unpluggedAt(tUs: number): boolean {
    if (this.untilUs < 0) return false;
    if (this.untilReplug) return true;
    return tUs >= this.fromUs && tUs < this.untilUs;
  }

  /** The bytes as they arrive at the other end of the cable at virtual time tUs. */
  apply(data: Buffer, tUs: number): Buffer {
    if (this.unpluggedAt(tUs)) {
      this.counts.bytesLostUnplugged += data.length;
      return Buffer.alloc(0);
    }
    if (this.byteDropRate <= 0 && this.bitFlipRate <= 0) return data;
    const out: number[] = [];
    for (const b of data) {
      if (this.byteDropRate > 0 && this.random() < this.byteDropRate) { this.counts.bytesDropped++; continue; }
      let v = b;
      if (this.bitFlipRate > 0 && this.random() < this.bitFlipRate) {
        v ^= 1 << Math.floor(this.random() * 8);
        this.counts.bitsFlipped++;
        if (v === 0x0a) this.counts.lineFeedsMade++;
      }
      out.push(v);
    }
    return Buffer.from(out);
  }
}

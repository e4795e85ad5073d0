import { SEQ_MODULUS, seqDistance } from "../../shared/protocol/frame.ts";

/**
 * Sequence bookkeeping: unwraps the 18-bit sequence number into a running index and counts what
 * did not arrive. A gap of d means d − 1 frames missing; seq equal to the last one (or slightly
 * behind it) is a duplicate; a big jump is the board restarting (counted as a reset). The index
 * keeps growing across restarts so a session's frames stay in order.
 */
/** What a session counts about its stream (kept per session by the store too). */
export interface IntegrityCounts {
  /** Intact, in-order sample frames. */
  good: number;
  /** Lines whose checksum failed, or sample lines that did not decode. */
  corrupt: number;
  /** Frames that never arrived intact (sequence gaps). */
  missing: number;
  duplicates: number;
  /** Board restarts seen (boot record or sequence jump). */
  resets: number;
  reconnects: number;
  /** Frames whose force disagrees with the force re-derived from raw counts. */
  calibrationMismatches: number;
}

export const DUPLICATE = -1;
export const RESTARTED = 0;

/** A jump backwards by at most this is a repeated frame; further back is a restart (links do not reorder). */
const LATE_WINDOW = 4;
/** A jump forward beyond this is a restart too (half the sequence space, ≈27 min at 80 SPS). */
const MAX_GAP = SEQ_MODULUS / 2;

export class SeqTracker {
  good = 0;
  missing = 0;
  duplicates = 0;
  resets = 0;
  lastSeq = -1;
  /** Running index of the last accepted frame (0 for the first). */
  index = -1;

  /** How far the index advanced (1 = no gap), RESTARTED for the first frame of a run, or DUPLICATE. */
  accept(seq: number): number {
    if (this.lastSeq < 0) {
      this.lastSeq = seq;
      this.index++;
      this.good++;
      return RESTARTED;
    }
    const d = seqDistance(this.lastSeq, seq);
    if (d === 0 || (d > SEQ_MODULUS - LATE_WINDOW)) {
      this.duplicates++;
      return DUPLICATE;
    }
    this.good++;
    this.lastSeq = seq;
    if (d > MAX_GAP) {
      this.resets++;
      this.index++;
      return RESTARTED;
    }
    this.missing += d - 1;
    this.index += d;
    return d;
  }

  /** The board restarted (boot record): the next frame starts a new run without counting a gap. */
  restart(): void {
    if (this.lastSeq >= 0) this.resets++;
    this.lastSeq = -1;
  }
}

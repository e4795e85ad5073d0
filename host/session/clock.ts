/**
 * Maps frames to session time. Between frames time advances by (index step) / rate, where the
 * rate starts at the board's nominal sps and is then measured from heartbeats (board time and
 * sequence number, ≥ 5 s apart): HX711 crystals run at 80 or ≈92 SPS, and the board's own clock
 * is better than the host's arrival times. A run that starts after a restart or a long silence is
 * placed by the host's wall clock (frames lost in between cannot be counted from seq).
 */
export class SeqClock {
  /** Samples per second in use. */
  rate: number;
  readonly nominal: number;
  timeS = 0;
  private started = false;
  private wallAtLastMs = 0;
  private anchor: { seq: number; boardMs: number } | null = null;

  constructor(nominalSps: number) {
    this.nominal = nominalSps;
    this.rate = nominalSps;
  }

  /** Time of a frame `step` indices after the last (step 0: first of a run, placed by wall time). */
  advance(step: number, wallMs: number): number {
    if (!this.started) {
      this.started = true;
      this.timeS = 0;
    } else if (step === 0) {
      const wallGap = (wallMs - this.wallAtLastMs) / 1000;
      this.timeS += Math.max(1 / this.rate, wallGap);
    } else {
      this.timeS += step / this.rate;
    }
    this.wallAtLastMs = wallMs;
    return this.timeS;
  }

  /** A heartbeat: the board's sequence counter (unwrapped index) at board time `boardMs`. */
  heartbeat(index: number, boardMs: number): void {
    if (!Number.isFinite(index) || !Number.isFinite(boardMs)) return;
    if (this.anchor === null || boardMs < this.anchor.boardMs) {
      this.anchor = { seq: index, boardMs };
      return;
    }
    const dt = (boardMs - this.anchor.boardMs) / 1000;
    if (dt < 5) return;
    const measured = (index - this.anchor.seq) / dt;
    if (measured > this.nominal * 0.8 && measured < this.nominal * 1.25) this.rate = measured;
  }

  /** The board restarted: its clock and counter start over. */
  restart(): void {
    this.anchor = null;
  }
}

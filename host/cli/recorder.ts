import type { Session } from "../session/session.ts";
import type { IntegrityCounts } from "../session/integrity.ts";
import type { Store } from "../store/store.ts";

/** Writes a session into the store: every frame, every lift, integrity counts at each commit. */
export class Recorder {
  readonly sessionId: number;
  private readonly writer;
  /** integrity counts of the recording itself (the session's, less what came before it) */
  readonly counts: () => IntegrityCounts;
  constructor(private readonly store: Store, private readonly session: Session, meta: { port: string; athleteId?: number; note?: string }) {
    const info = session.info;
    this.sessionId = store.createSession({
      port: meta.port, board: info.board, firmware: info.firmware, build: info.build, boot: info.boot, sps: info.sps,
      channels: info.channels, channelNames: info.channelNames,
      calibration: { state: info.calibration, id: info.calibrationId, nPerCount: info.nPerCount, zeroCounts: info.zeroCounts },
      athleteId: meta.athleteId, note: meta.note,
    });
    // The session counted frames since it connected; the recording holds only those from now on.
    const base = { ...session.counts };
    this.counts = () => {
      const c = session.counts;
      return {
        good: c.good - base.good, corrupt: c.corrupt - base.corrupt, missing: c.missing - base.missing, duplicates: c.duplicates - base.duplicates,
        resets: c.resets - base.resets, reconnects: c.reconnects - base.reconnects, calibrationMismatches: c.calibrationMismatches - base.calibrationMismatches,
      };
    };
    this.writer = store.frameWriter(this.sessionId, {
      onCommit: () => store.updateIntegrity(this.sessionId, this.counts()),
    });
    session.onFrame((f) => this.writer.add(f));
    session.onEvent((e) => {
      if (e.type === "lift") {
        const l = e.lift;
        store.addLift(this.sessionId, { ...l, details: l.fields });
      } else if (e.type === "signature") {
        store.addLiftSignature(this.sessionId, e.signed);
      }
    });
  }

  get frames(): number {
    return this.writer.committed;
  }

  /** Ends the session and seals it into the chain (host/store/seal.ts); returns the seal. */
  finish(): string {
    this.session.finish();
    this.writer.close();
    this.store.endSession(this.sessionId, this.counts());
    return this.store.sealSession(this.sessionId);
  }
}

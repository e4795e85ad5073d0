import type { Session } from "../session/session.ts";
import type { Store } from "../store/store.ts";

/** Writes a session into the store: every frame, every lift, integrity counts at each commit. */
export class Recorder {
  readonly sessionId: number;
  private readonly writer;
  constructor(private readonly store: Store, private readonly session: Session, meta: { port: string; athleteId?: number; note?: string }) {
    const info = session.info;
    this.sessionId = store.createSession({
      port: meta.port, board: info.board, firmware: info.firmware, build: info.build, boot: info.boot, sps: info.sps,
      channels: info.channels, channelNames: info.channelNames,
      calibration: { state: info.calibration, id: info.calibrationId, nPerCount: info.nPerCount, zeroCounts: info.zeroCounts },
      athleteId: meta.athleteId, note: meta.note,
    });
    this.writer = store.frameWriter(this.sessionId, {
      onCommit: () => store.updateIntegrity(this.sessionId, session.counts),
    });
    session.onFrame((f) => this.writer.add(f));
    session.onEvent((e) => {
      if (e.type === "lift") {
        const l = e.lift;
        store.addLift(this.sessionId, { ...l, details: l.fields });
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
    this.store.endSession(this.sessionId, this.session.counts);
    return this.store.sealSession(this.sessionId);
  }
}

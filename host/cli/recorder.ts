import type { Session } from "../session/session.ts";
import type { BoardInfo } from "../session/board-info.ts";
import type { IntegrityCounts } from "../session/integrity.ts";
import type { SessionBoardMeta, Store } from "../store/store.ts";

/** What a session row keeps of the board's info. */
export function sessionBoardMeta(info: BoardInfo): SessionBoardMeta {
  return {
    board: info.board, firmware: info.firmware, build: info.build, boot: info.boot, sps: info.sps,
    channels: info.channels, channelNames: info.channelNames,
    calibration: { state: info.calibration, id: info.calibrationId, nPerCount: info.nPerCount, zeroCounts: info.zeroCounts },
  };
}

/** Writes a session into the store: every frame, every lift, integrity counts at each commit. */
export class Recorder {
  readonly sessionId: number;
  private readonly writer;
  /** integrity counts of the recording itself (the session's, less what came before it) */
  readonly counts: () => IntegrityCounts;
  constructor(private readonly store: Store, private readonly session: Session, meta: { port: string; athleteId?: number; note?: string; onCommit?: (framesCommitted: number) => void }) {
    this.sessionId = store.createSession({ port: meta.port, ...sessionBoardMeta(session.info), athleteId: meta.athleteId, note: meta.note });
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
      onCommit: (total) => {
        store.updateIntegrity(this.sessionId, this.counts());
        meta.onCommit?.(total);
      },
    });
    session.onFrame((f) => this.writer.add(f));
    let boardKnown = session.info.board !== "";
    session.onEvent((e) => {
      // A session started before the board's info (over MQTT the host asks once the rack is heard)
      // takes the first info that names the board; later ones (tare) leave the row as it began.
      if (e.type === "info" && !boardKnown && e.info.board !== "") {
        boardKnown = true;
        store.updateSessionBoard(this.sessionId, sessionBoardMeta(e.info));
      }
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

  /** Commits the frames buffered so far now (instead of at the next 100 ms tick). */
  flush(): void {
    this.writer.flush();
  }

  /** Ends the session and seals it into the chain (host/store/seal.ts); returns the seal. */
  finish(): string {
    this.session.finish();
    this.writer.close();
    this.store.endSession(this.sessionId, this.counts());
    return this.store.sealSession(this.sessionId);
  }
}

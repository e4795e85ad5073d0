import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { IntegrityCounts } from "../session/integrity.ts";
import { migrate } from "./migrations.ts";
import { openDatabase, type Database, type Statement } from "./sqlite.ts";
import { auditSeals, auditSession, listSeals, sealSession, type AuditResult, type SealRow, type SessionAudit } from "./seal.ts";

/**
 * The rackcell database (SQLite, WAL): sessions with every frame, lifts, calibration
 * certificates, athletes. Frames are buffered and committed in small transactions (every
 * `flushMs`, default 100 ms): if the process is killed, at most the last batch is lost and
 * everything committed stays readable (WAL + synchronous=NORMAL survives a process kill).
 */
export function defaultDbPath(env: Record<string, string | undefined> = process.env): string {
  if (env.RACKCELL_DB) return env.RACKCELL_DB;
  return path.join(env.HOME ?? os.homedir(), ".rackcell", "rackcell.db");
}

export interface SessionMeta {
  port?: string;
  board?: string;
  firmware?: string;
  build?: string;
  boot?: string;
  sps?: number;
  channels: number;
  channelNames?: string[];
  calibration?: unknown;
  athleteId?: number;
  note?: string;
}

/** The board part of a session's metadata (updated when the board's info arrives after the start). */
export type SessionBoardMeta = Pick<SessionMeta, "board" | "firmware" | "build" | "boot" | "sps" | "channels" | "channelNames" | "calibration">;

export interface SessionRow extends IntegrityCounts {
  id: number;
  startedAt: string;
  endedAt: string | null;
  port: string | null;
  board: string | null;
  firmware: string | null;
  build: string | null;
  sps: number | null;
  channels: number;
  channelNames: string[];
  calibration: unknown;
  note: string | null;
  athleteId: number | null;
  frames: number;
  lifts: number;
  durationS: number;
}

export interface FrameRow {
  idx: number;
  seq: number;
  timeS: number;
  raw: number[];
  forceN: number[];
  totalN: number;
  flags: number[];
}

export interface LiftRow {
  id: number;
  sessionId: number;
  source: string;
  kind: string;
  atS: number;
  peakForceN: number;
  timeToPeakMs: number;
  weighedLoadN: number;
  timeToLiftOffMs: number;
  holdMs: number;
  details: unknown;
}

export interface FrameInput {
  index: number;
  seq: number;
  timeS: number;
  channels: number;
  raw: ArrayLike<number>;
  flags: ArrayLike<number>;
  forceN: ArrayLike<number>;
  totalN: number;
}

const MAX_CH = 4;
const nullIfNaN = (x: number) => (Number.isFinite(x) ? x : null);
const nanIfNull = (x: number | null) => (x === null ? NaN : x);

export class Store {
  readonly file: string;
  readonly db: Database;

  constructor(file: string = defaultDbPath()) {
    this.file = file;
    if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    try {
      this.db = openDatabase(file);
    } catch (err) {
      throw new Error(`cannot open the database ${file}: ${(err as Error).message}`);
    }
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("foreign_keys = ON");
    this.db.pragma("busy_timeout = 5000");
    migrate(this.db, file);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  schemaVersion(): number {
    return (this.db.prepare("SELECT MAX(version) AS v FROM schema_version").get() as { v: number }).v;
  }

  // ---- sessions -------------------------------------------------------------------------------

  createSession(meta: SessionMeta): number {
    const r = this.db.prepare(`INSERT INTO sessions (started_at, port, board, firmware, build, boot, sps, channels, channel_names, calibration_json, athlete_id, note)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      new Date().toISOString(), meta.port ?? null, meta.board ?? null, meta.firmware ?? null, meta.build ?? null, meta.boot ?? null,
      meta.sps ?? null, meta.channels, JSON.stringify(meta.channelNames ?? []), meta.calibration === undefined ? null : JSON.stringify(meta.calibration),
      meta.athleteId ?? null, meta.note ?? null,
    );
    return Number(r.lastInsertRowid);
  }

  updateSessionBoard(sessionId: number, m: SessionBoardMeta): void {
    this.db.prepare(`UPDATE sessions SET board = ?, firmware = ?, build = ?, boot = ?, sps = ?, channels = ?, channel_names = ?, calibration_json = ? WHERE id = ?`).run(
      m.board ?? null, m.firmware ?? null, m.build ?? null, m.boot ?? null, m.sps ?? null, m.channels, JSON.stringify(m.channelNames ?? []),
      m.calibration === undefined ? null : JSON.stringify(m.calibration), sessionId,
    );
  }

  updateIntegrity(sessionId: number, c: IntegrityCounts): void {
    this.db.prepare(`UPDATE sessions SET good = ?, corrupt = ?, missing = ?, duplicates = ?, resets = ?, reconnects = ?, calibration_mismatches = ? WHERE id = ?`)
      .run(c.good, c.corrupt, c.missing, c.duplicates, c.resets, c.reconnects, c.calibrationMismatches, sessionId);
  }

  endSession(sessionId: number, c?: IntegrityCounts): void {
    if (c) this.updateIntegrity(sessionId, c);
    this.db.prepare("UPDATE sessions SET ended_at = ? WHERE id = ?").run(new Date().toISOString(), sessionId);
  }

  getSession(id: number): SessionRow | undefined {
    return this.listSessions({ id })[0];
  }

  /** Newest first. */
  listSessions(filter: { id?: number; limit?: number } = {}): SessionRow[] {
    const where = filter.id !== undefined ? "WHERE s.id = ?" : "";
    const params: unknown[] = filter.id !== undefined ? [filter.id] : [];
    const rows = this.db.prepare(`SELECT s.*,
        (SELECT COUNT(*) FROM frames f WHERE f.session_id = s.id) AS n_frames,
        (SELECT MAX(time_s) - MIN(time_s) FROM frames f WHERE f.session_id = s.id) AS duration_s,
        (SELECT COUNT(*) FROM lifts l WHERE l.session_id = s.id) AS n_lifts
      FROM sessions s ${where} ORDER BY s.id DESC LIMIT ?`).all(...params, filter.limit ?? 1000) as Record<string, never>[];
    return rows.map((r) => ({
      id: r.id, startedAt: r.started_at, endedAt: r.ended_at, port: r.port, board: r.board, firmware: r.firmware, build: r.build,
      sps: r.sps, channels: r.channels, channelNames: JSON.parse(r.channel_names ?? "[]") as string[],
      calibration: r.calibration_json ? JSON.parse(r.calibration_json) : null, note: r.note, athleteId: r.athlete_id,
      good: r.good, corrupt: r.corrupt, missing: r.missing, duplicates: r.duplicates, resets: r.resets, reconnects: r.reconnects,
      calibrationMismatches: r.calibration_mismatches, frames: r.n_frames, lifts: r.n_lifts, durationS: r.duration_s ?? 0,
    }));
  }

  // ---- seals (host/store/seal.ts) ---------------------------------------------------------------

  /** Seals an ended session into the chain (once); returns its seal. */
  sealSession(sessionId: number, opts: { late?: boolean } = {}): string {
    return sealSession(this.db, sessionId, opts);
  }

  seals(): SealRow[] {
    return listSeals(this.db);
  }

  audit(): AuditResult {
    return auditSeals(this.db);
  }

  auditSession(sessionId: number): SessionAudit {
    return auditSession(this.db, sessionId);
  }

  // ---- frames ---------------------------------------------------------------------------------

  /** A buffered writer for one session's frames: add() copies, commits happen every flushMs. */
  frameWriter(sessionId: number, options: { flushMs?: number; onCommit?: (total: number) => void } = {}): FrameWriter {
    return new FrameWriter(this.db, sessionId, options.flushMs ?? 100, options.onCommit);
  }

  /** Frames in order (iterated, not loaded whole). */
  *frames(sessionId: number): Generator<FrameRow> {
    const channels = (this.db.prepare("SELECT channels FROM sessions WHERE id = ?").get(sessionId) as { channels: number } | undefined)?.channels ?? MAX_CH;
    const rows = this.db.prepare("SELECT * FROM frames WHERE session_id = ? ORDER BY idx").iterate(sessionId) as IterableIterator<Record<string, number | null>>;
    for (const r of rows) {
      const raw: number[] = [];
      const forceN: number[] = [];
      const flags: number[] = [];
      for (let c = 0; c < channels; c++) {
        raw.push(r[`raw${c}`] as number);
        forceN.push(nanIfNull(r[`force${c}`]));
        flags.push(((r.flags as number) >> (4 * c)) & 15);
      }
      yield { idx: r.idx as number, seq: r.seq as number, timeS: r.time_s as number, raw, forceN, totalN: nanIfNull(r.total_n), flags };
    }
  }

  frameCount(sessionId: number): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM frames WHERE session_id = ?").get(sessionId) as { n: number }).n;
  }

  // ---- lifts ----------------------------------------------------------------------------------

  addLift(sessionId: number, lift: { source: string; kind: string; atS: number; peakForceN: number; timeToPeakMs: number; weighedLoadN: number; timeToLiftOffMs: number; holdMs: number; details?: unknown }): number {
    const r = this.db.prepare(`INSERT INTO lifts (session_id, source, kind, at_s, peak_force_n, time_to_peak_ms, weighed_load_n, time_to_lift_off_ms, hold_ms, details_json)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      sessionId, lift.source, lift.kind, nullIfNaN(lift.atS), nullIfNaN(lift.peakForceN), nullIfNaN(lift.timeToPeakMs), nullIfNaN(lift.weighedLoadN),
      nullIfNaN(lift.timeToLiftOffMs), nullIfNaN(lift.holdMs), lift.details === undefined ? null : JSON.stringify(lift.details),
    );
    return Number(r.lastInsertRowid);
  }

  listLifts(filter: { sessionId?: number; limit?: number } = {}): LiftRow[] {
    const where = filter.sessionId !== undefined ? "WHERE session_id = ?" : "";
    const params: unknown[] = filter.sessionId !== undefined ? [filter.sessionId] : [];
    const rows = this.db.prepare(`SELECT * FROM lifts ${where} ORDER BY id DESC LIMIT ?`).all(...params, filter.limit ?? 1000) as Record<string, never>[];
    return rows.map((r) => ({
      id: r.id, sessionId: r.session_id, source: r.source, kind: r.kind, atS: nanIfNull(r.at_s), peakForceN: nanIfNull(r.peak_force_n),
      timeToPeakMs: nanIfNull(r.time_to_peak_ms), weighedLoadN: nanIfNull(r.weighed_load_n), timeToLiftOffMs: nanIfNull(r.time_to_lift_off_ms),
      holdMs: nanIfNull(r.hold_ms), details: r.details_json ? JSON.parse(r.details_json) : null,
    }));
  }

  /**
   * The board lifts stored for every session whose port ends with `portSuffix` (a gym's rack:
   * `…/rackcell/<gym>/<rack>`), by the board's identity of each (its lift id and boot).
   */
  boardLiftIdentities(portSuffix: string): { boot: string; id: number }[] {
    const rows = this.db.prepare(`SELECT l.details_json FROM lifts l JOIN sessions s ON s.id = l.session_id
      WHERE l.source = 'board' AND l.details_json IS NOT NULL AND substr(s.port, -length(?)) = ?`).all(portSuffix, portSuffix) as { details_json: string }[];
    const out: { boot: string; id: number }[] = [];
    for (const r of rows) {
      const d = JSON.parse(r.details_json) as { id?: string; boot?: string };
      const id = Number(d.id);
      if (Number.isInteger(id) && id > 0) out.push({ boot: d.boot ?? "", id });
    }
    return out;
  }

  // ---- the board's lift signatures (firmware/signer.ts, host/sign/) ------------------------------

  addLiftSignature(sessionId: number, s: { boardLiftId: number; boardBoot: number; liftRecord: string; signatureRecord: string }): number {
    const r = this.db.prepare("INSERT INTO lift_signatures (session_id, board_lift_id, board_boot, lift_record, signature_record) VALUES (?, ?, ?, ?, ?)")
      .run(sessionId, s.boardLiftId, s.boardBoot, s.liftRecord, s.signatureRecord);
    return Number(r.lastInsertRowid);
  }

  /** The board's signed records for a stored lift (matched by the board's lift id and boot), if it signed it. */
  liftSignature(liftId: number): { liftRecord: string; signatureRecord: string } | undefined {
    const lift = this.db.prepare("SELECT session_id, details_json FROM lifts WHERE id = ?").get(liftId) as { session_id: number; details_json: string | null } | undefined;
    if (lift === undefined || lift.details_json === null) return undefined;
    const d = JSON.parse(lift.details_json) as { id?: string; boot?: string };
    const row = this.db.prepare("SELECT lift_record, signature_record FROM lift_signatures WHERE session_id = ? AND board_lift_id = ? AND board_boot = ? ORDER BY id DESC LIMIT 1")
      .get(lift.session_id, Number(d.id), Number(d.boot)) as { lift_record: string; signature_record: string } | undefined;
    return row === undefined ? undefined : { liftRecord: row.lift_record, signatureRecord: row.signature_record };
  }

  // ---- calibration certificates ----------------------------------------------------------------

  addCertificate(cert: { board?: string; build?: string; calibrationId?: string; passed?: boolean; summary?: string; certificate: unknown }): number {
    const r = this.db.prepare(`INSERT INTO calibration_certificates (created_at, board, build, calibration_id, passed, summary, certificate_json) VALUES (?, ?, ?, ?, ?, ?, ?)`)
      .run(new Date().toISOString(), cert.board ?? null, cert.build ?? null, cert.calibrationId ?? null,
        cert.passed === undefined ? null : cert.passed ? 1 : 0, cert.summary ?? null, JSON.stringify(cert.certificate));
    return Number(r.lastInsertRowid);
  }

  listCertificates(): { id: number; createdAt: string; board: string | null; calibrationId: string | null; passed: boolean | null; summary: string | null; certificate: unknown }[] {
    return (this.db.prepare("SELECT * FROM calibration_certificates ORDER BY id DESC").all() as Record<string, never>[]).map((r) => ({
      id: r.id, createdAt: r.created_at, board: r.board, calibrationId: r.calibration_id,
      passed: r.passed === null ? null : r.passed === 1, summary: r.summary, certificate: JSON.parse(r.certificate_json),
    }));
  }

  // ---- athletes -------------------------------------------------------------------------------

  /** The athlete's id, created when new. */
  athlete(name: string): number {
    const found = this.db.prepare("SELECT id FROM athletes WHERE name = ?").get(name) as { id: number } | undefined;
    if (found) return found.id;
    return Number(this.db.prepare("INSERT INTO athletes (name, created_at) VALUES (?, ?)").run(name, new Date().toISOString()).lastInsertRowid);
  }

  addBodyWeight(athleteId: number, kg: number, at: Date = new Date()): void {
    if (!(kg > 0 && kg < 500)) throw new Error(`body weight ${kg} kg is not plausible`);
    this.db.prepare("INSERT INTO body_weights (athlete_id, measured_at, kg) VALUES (?, ?, ?)").run(athleteId, at.toISOString(), kg);
  }

  bodyWeights(athleteId: number): { at: string; kg: number }[] {
    return (this.db.prepare("SELECT measured_at AS at, kg FROM body_weights WHERE athlete_id = ? ORDER BY measured_at").all(athleteId) as { at: string; kg: number }[]);
  }

  listAthletes(): { id: number; name: string; latestKg: number | null }[] {
    return this.db.prepare(`SELECT a.id, a.name, (SELECT kg FROM body_weights b WHERE b.athlete_id = a.id ORDER BY measured_at DESC LIMIT 1) AS latestKg
      FROM athletes a ORDER BY a.name`).all() as { id: number; name: string; latestKg: number | null }[];
  }
}

/** Buffers frames and commits them in one transaction every flushMs (and on flush/close). */
export class FrameWriter {
  private readonly rows: unknown[][] = [];
  private readonly insert: Statement;
  private readonly commitRows: (rows: unknown[][]) => void;
  private readonly timer: NodeJS.Timeout;
  committed = 0;

  constructor(db: Database, readonly sessionId: number, flushMs: number, private readonly onCommit?: (total: number) => void) {
    this.insert = db.prepare(`INSERT OR IGNORE INTO frames (session_id, idx, seq, time_s, raw0, raw1, raw2, raw3, force0, force1, force2, force3, total_n, flags)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.commitRows = db.transaction((rows: unknown[][]) => {
      for (const r of rows) this.insert.run(...r);
    });
    this.timer = setInterval(() => this.flush(), flushMs);
    this.timer.unref?.();
  }

  add(f: FrameInput): void {
    let flags = 0;
    const raw: (number | null)[] = [null, null, null, null];
    const force: (number | null)[] = [null, null, null, null];
    const n = Math.min(f.channels, MAX_CH);
    for (let c = 0; c < n; c++) {
      raw[c] = f.raw[c];
      force[c] = nullIfNaN(f.forceN[c]);
      flags += (f.flags[c] & 15) * 16 ** c;
    }
    this.rows.push([this.sessionId, f.index, f.seq, f.timeS, raw[0], raw[1], raw[2], raw[3], force[0], force[1], force[2], force[3], nullIfNaN(f.totalN), flags]);
  }

  flush(): void {
    if (this.rows.length === 0) return;
    const batch = this.rows.splice(0, this.rows.length);
    this.commitRows(batch);
    this.committed += batch.length;
    this.onCommit?.(this.committed);
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}

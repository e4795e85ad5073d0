import type { Database } from "./sqlite.ts";

/**
 * Numbered schema migrations. A migration is never edited once released: add a new one.
 * `schema_version` holds one row per applied migration.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "sessions, frames, lifts, calibration certificates, athletes",
    sql: `
      CREATE TABLE athletes (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
      );
      CREATE TABLE body_weights (
        id INTEGER PRIMARY KEY,
        athlete_id INTEGER NOT NULL REFERENCES athletes(id),
        measured_at TEXT NOT NULL,
        kg REAL NOT NULL
      );
      CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        port TEXT,
        board TEXT,
        firmware TEXT,
        build TEXT,
        boot TEXT,
        sps REAL,
        channels INTEGER NOT NULL,
        channel_names TEXT,
        calibration_json TEXT,
        athlete_id INTEGER REFERENCES athletes(id),
        note TEXT,
        good INTEGER NOT NULL DEFAULT 0,
        corrupt INTEGER NOT NULL DEFAULT 0,
        missing INTEGER NOT NULL DEFAULT 0,
        duplicates INTEGER NOT NULL DEFAULT 0,
        resets INTEGER NOT NULL DEFAULT 0,
        reconnects INTEGER NOT NULL DEFAULT 0,
        calibration_mismatches INTEGER NOT NULL DEFAULT 0
      );
      -- every frame; up to 4 channels (boards/ allows 1..4); flags packed 4 bits per channel
      CREATE TABLE frames (
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        idx INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        time_s REAL NOT NULL,
        raw0 INTEGER, raw1 INTEGER, raw2 INTEGER, raw3 INTEGER,
        force0 REAL, force1 REAL, force2 REAL, force3 REAL,
        total_n REAL,
        flags INTEGER NOT NULL,
        PRIMARY KEY (session_id, idx)
      ) WITHOUT ROWID;
      CREATE TABLE lifts (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        source TEXT NOT NULL,
        kind TEXT NOT NULL,
        at_s REAL,
        peak_force_n REAL,
        time_to_peak_ms REAL,
        weighed_load_n REAL,
        time_to_lift_off_ms REAL,
        hold_ms REAL,
        details_json TEXT
      );
      CREATE INDEX lifts_by_session ON lifts(session_id);
      CREATE TABLE calibration_certificates (
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        board TEXT,
        build TEXT,
        calibration_id TEXT,
        passed INTEGER,
        summary TEXT,
        certificate_json TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: "seals: a SHA-256 chain over ended sessions (host/store/seal.ts)",
    sql: `
      CREATE TABLE seals (
        seq INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL UNIQUE,
        sealed_at TEXT NOT NULL,
        frames INTEGER NOT NULL,
        meta_sha256 TEXT NOT NULL,
        frames_sha256 TEXT NOT NULL,
        lifts_sha256 TEXT NOT NULL,
        prev_seal TEXT NOT NULL,
        seal TEXT NOT NULL UNIQUE,
        late INTEGER NOT NULL DEFAULT 0
      );
    `,
  },
  {
    version: 3,
    name: "lift signatures: the board's E record and its Ed25519 signature record, as received",
    sql: `
      CREATE TABLE lift_signatures (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id),
        board_lift_id INTEGER NOT NULL,
        board_boot INTEGER NOT NULL,
        lift_record TEXT NOT NULL,
        signature_record TEXT NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: "board keys: the racks' lift keys seen at keys init or in a session (host/store/board-keys.ts)",
    sql: `
      CREATE TABLE board_keys (
        id INTEGER PRIMARY KEY,
        board_id INTEGER,
        board TEXT NOT NULL,
        scheme TEXT NOT NULL,
        key_name TEXT NOT NULL UNIQUE,
        secret_hex TEXT,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        seen_in TEXT NOT NULL
      );
    `,
  },
];

export function currentVersion(db: Database): number {
  db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  const row = db.prepare("SELECT MAX(version) AS v FROM schema_version").get() as { v: number | null };
  return row.v ?? 0;
}

/** Applies the migrations newer than the database, each in its own transaction. */
export function migrate(db: Database, file: string, migrations: Migration[] = MIGRATIONS): number {
  const have = currentVersion(db);
  const latest = migrations.length > 0 ? migrations[migrations.length - 1].version : 0;
  if (have > latest) {
    throw new Error(`${file} has schema version ${have}, newer than this rackcell knows (${latest}): update rackcell, or use another --db file.`);
  }
  for (const m of migrations) {
    if (m.version <= have) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)").run(m.version, m.name, new Date().toISOString());
    })();
  }
  return latest;
}

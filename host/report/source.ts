/** Where a lift's samples come from: the store (a lift and its session's frames), a CSV file, or a demo curve. */
import { expRise, lcgNoise, rackPull } from "../../shared/analysis/fixtures.host.ts";
import type { SessionRow, Store } from "../store/store.ts";
import { storedLiftStatus } from "../sign/lift-state.ts";
import type { LiftOrigin, LiftRecord } from "./lift.ts";

export function liftKind(kind: string): LiftRecord["kind"] {
  return /iso/i.test(kind) ? "isometric" : "rackpull";
}

/** Frames of the lift's session from `beforeS` before to `afterS` after the lift's time. */
export function liftFromStore(store: Store, liftId: number, beforeS = 10, afterS = 6): LiftRecord {
  const lift = store.listLifts({ limit: 100000 }).find((l) => l.id === liftId);
  if (!lift) throw new Error(`no lift ${liftId} in ${store.file} (\`rackcell history\` lists them)`);
  const t: number[] = [];
  const L: number[] = [];
  const R: number[] = [];
  const T: number[] = [];
  let two = false;
  for (const f of store.frames(lift.sessionId)) {
    if (f.timeS < lift.atS - beforeS) continue;
    if (f.timeS > lift.atS + afterS) break;
    if (!Number.isFinite(f.totalN)) continue;
    t.push(f.timeS * 1000);
    T.push(f.totalN);
    if (f.forceN.length >= 2) {
      two = true;
      L.push(f.forceN[0]);
      R.push(f.forceN[1]);
    }
  }
  if (t.length < 10) throw new Error(`lift ${liftId}: only ${t.length} calibrated frames around it in session ${lift.sessionId}`);
  const session = store.getSession(lift.sessionId);
  const sig = storedLiftStatus(store, lift, store.listLifts({ sessionId: lift.sessionId, limit: 100000 }));
  const origin: LiftOrigin = { from: "store", liftId, sessionId: lift.sessionId, detectedBy: lift.source, atS: lift.atS, signatureState: sig.state, signatureScheme: sig.scheme ?? undefined };
  let bodyMassKg: number | undefined;
  if (session) {
    const a = store.auditSession(session.id);
    const athlete = session.athleteId === null ? undefined : store.listAthletes().find((x) => x.id === session.athleteId)?.name;
    bodyMassKg = session.athleteId === null ? undefined : bodyMassAt(store.bodyWeights(session.athleteId), session.endedAt ?? session.startedAt);
    Object.assign(origin, {
      sessionStartedAt: session.startedAt, athlete, board: session.board ?? undefined, build: session.build ?? undefined,
      sessionFrames: session.frames, sessionCorruptFrames: session.corrupt, sessionMissingFrames: session.missing,
      sealState: a.state, seal: a.seal ?? undefined, sealIntact: a.state === "sealed" && a.problems.length === 0,
    });
  }
  return {
    kind: liftKind(lift.kind), timesMs: t, totalN: T, leftN: two ? L : undefined, rightN: two ? R : undefined,
    title: `Lift ${liftId} (session ${lift.sessionId}, ${lift.kind})`,
    date: session?.startedAt.replace("T", " ").slice(0, 16),
    provenance: `${session ? provenance(store, session) : `session ${lift.sessionId}: not in the database`}; ${sig.text}`,
    bodyMassKg,
    origin,
  };
}

/** The latest weigh-in taken before `isoInstant` (ISO 8601 UTC text compares in time order); undefined when none. */
export function bodyMassAt(weighIns: { at: string; kg: number }[], isoInstant: string): number | undefined {
  let best: { at: string; kg: number } | undefined;
  for (const w of weighIns) if (w.at <= isoInstant && (best === undefined || w.at >= best.at)) best = w;
  return best?.kg;
}

/** Board, build, frame integrity and the session's seal, checked now: what makes the numbers below trustworthy. */
export function provenance(store: Store, s: SessionRow): string {
  const a = store.auditSession(s.id);
  const seal = a.state !== "sealed" ? "not sealed (`rackcell audit --seal`)"
    : a.problems.length === 0 ? `sealed ${a.seal!.slice(0, 16)}${a.late ? " (late)" : ""}, unchanged since`
    : `sealed ${a.seal!.slice(0, 16)}, CHANGED SINCE: ${a.problems.join("; ")}`;
  return `board ${s.board ?? "?"}, build ${s.build ?? "?"}; ${s.frames} frames, ${s.corrupt} corrupt, ${s.missing} missing; ${seal}`;
}

/** CSV text (read from `file`) with a header: time_ms (or time_s), then left_n,right_n and/or total_n (pin load, N). */
export function liftFromCsv(text: string, file: string, kind: LiftRecord["kind"]): LiftRecord {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "" && !l.startsWith("#"));
  if (lines.length === 0) throw new Error(`${file}: empty (a header, then one row per sample)`);
  const head = lines[0].split(",").map((h) => h.trim().toLowerCase());
  const col = (names: string[]) => head.findIndex((h) => names.includes(h));
  const ti = col(["time_ms", "t_ms", "ms"]);
  const ts = col(["time_s", "t_s", "s", "time"]);
  const li = col(["left_n", "left"]);
  const ri = col(["right_n", "right"]);
  const tot = col(["total_n", "total", "force_n"]);
  if (ti < 0 && ts < 0) throw new Error(`${file}: need a time_ms or time_s column (header: ${head.join(",")})`);
  if (tot < 0 && (li < 0 || ri < 0)) throw new Error(`${file}: need total_n, or left_n and right_n`);
  const rows = lines.slice(1).map((l) => l.split(",").map(Number));
  const timesMs = rows.map((r) => (ti >= 0 ? r[ti] : r[ts] * 1000));
  const leftN = li >= 0 && ri >= 0 ? rows.map((r) => r[li]) : undefined;
  const rightN = li >= 0 && ri >= 0 ? rows.map((r) => r[ri]) : undefined;
  const totalN = tot >= 0 ? rows.map((r) => r[tot]) : rows.map((r) => r[li] + r[ri]);
  return { kind, timesMs, totalN, leftN, rightN, title: file, origin: { from: "csv" } };
}

export function demoLift(kind: LiftRecord["kind"]): LiftRecord {
  if (kind === "isometric") {
    const c = expRise(400, 2600, 9, 2000, 12.5, 6000);
    const noise = lcgNoise(c.forceN.length, 3, 11);
    const pull = c.forceN.map((f, i) => f + noise[i]);
    return { kind, timesMs: c.timesMs, totalN: pull.map((f) => -f), leftN: pull.map((f) => -0.53 * f), rightN: pull.map((f) => -0.47 * f), title: "Demo: isometric pull at 80 SPS", origin: { from: "demo" } };
  }
  const c = rackPull(4905, 4905, 4);
  return { kind, timesMs: c.timesMs, totalN: c.forceN, leftN: c.forceN.map((f) => 0.51 * f), rightN: c.forceN.map((f) => 0.49 * f), title: "Demo: rack pull of 500 kg at 80 SPS", origin: { from: "demo" } };
}

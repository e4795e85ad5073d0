import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { liftFromRecord } from "../session/live.ts";
import { Store } from "./store.ts";

/** The board's lift signatures in the seal, and the audit comparing rows with what the board signed. */
const E = "E,id=7,boot=3,kind=rackpull,done=1,conf=1,quiet=1,base=1766.8,thr=1.0,onset=7412,peak=1751.2,net=1751.2,peakt=8116,ttp=703,weighed=1766.8,liftoff=8116,ttl=703,setdown=9127,hold=1011,reweigh=1768.0,rwdiff=1.2,plates=0,end=10370,gap=19";
const SIG = `G,lift=7,n=1,board=42,cal=gym,cert=,prev=${"0".repeat(64)},sig=${"ab".repeat(64)}`;

function sealedStore(): { store: Store; dir: string; liftId: number; sid: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-signed-audit-"));
  const store = new Store(path.join(dir, "r.db"));
  const sid = store.createSession({ channels: 2 });
  const l = liftFromRecord(E, 12.5);
  const liftId = store.addLift(sid, { ...l, details: l.fields });
  store.addLiftSignature(sid, { boardLiftId: 7, boardBoot: 3, liftRecord: E, signatureRecord: SIG });
  store.endSession(sid);
  store.sealSession(sid);
  return { store, dir, liftId, sid };
}

describe("seals with the board's signatures", () => {
  it("an untouched session audits intact", () => {
    const { store, dir } = sealedStore();
    try {
      expect(store.audit().intact).toBe(true);
    } finally {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a lift row rewritten and re-sealed is still named: it no longer says what the board signed", () => {
    const { store, dir, liftId, sid } = sealedStore();
    try {
      store.db.prepare("UPDATE lifts SET weighed_load_n = 2266.8 WHERE id = ?").run(liftId);
      store.db.prepare("DELETE FROM seals").run();
      store.sealSession(sid);
      const a = store.audit();
      expect(a.intact).toBe(false);
      expect(a.sessions[0].problems).toEqual([`lift ${liftId}: weighedLoadN is 2266.8 in the database, the board signed 1766.8`]);
    } finally {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a changed signature record breaks the seal", () => {
    const { store, dir } = sealedStore();
    try {
      store.db.prepare("UPDATE lift_signatures SET signature_record = replace(signature_record, 'cal=gym', 'cal=gyn')").run();
      expect(store.audit().sessions[0].problems).toContain("lifts changed");
    } finally {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

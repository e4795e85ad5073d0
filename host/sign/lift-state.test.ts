import { createPrivateKey, sign } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GENESIS_PREV, signedFields, signedMessage } from "../../shared/board/signedlift.ts";
import { runCli } from "../cli/testing/run-cli.ts";
import { liftFromStore } from "../report/source.ts";
import { liftFromRecord } from "../session/live.ts";
import { rememberKey } from "../store/board-keys.ts";
import { Store } from "../store/store.ts";
import { readHistory } from "../web/history.ts";
import { macChain, macKeyIdOf, publicKeyHexOf } from "../testing/firmware/signer-files.ts";
import { storedLiftStatusById } from "./lift-state.ts";

/**
 * One rule for a recorded lift's signature state (lift-state.ts), seen the same by report,
 * history and the web page's History: verified (Ed25519 or HMAC), unsigned, bad, unverifiable
 * (HMAC without the key), unknown key (Ed25519 without the board's public key).
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-sigstate-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const BOARD_ID = 1234567;
const SEED = Buffer.alloc(32, 31);
const MAC_KEY = Buffer.alloc(32, 32);
const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");

function ed25519Lift(id: number): { liftRecord: string; signatureRecord: string } {
  const e = `E,id=${id},boot=3,kind=rackpull,done=1,conf=1,quiet=1,base=1766.8,thr=1.0,onset=7412,peak=1751.2,net=1751.2,peakt=8116,ttp=703,weighed=1766.8,liftoff=8116,ttl=703,setdown=9127,hold=1011,reweigh=1768.0,rwdiff=1.2,plates=0,end=10370,gap=19`;
  const fields = signedFields(id, 1, BOARD_ID, "gym", "", GENESIS_PREV);
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, SEED]), format: "der", type: "pkcs8" });
  return { liftRecord: e, signatureRecord: `${fields},sig=${sign(null, Buffer.from(signedMessage(e, fields), "latin1"), key).toString("hex")}` };
}

/** A session with lifts: Ed25519-signed, HMAC-signed, tampered (its row's record differs from what was signed), unsigned; frames around them. */
function makeStore(db: string): Record<string, number> {
  const store = new Store(db);
  try {
    const sid = store.createSession({ channels: 2, board: "nodemcu-v3-2pin" });
    const w = store.frameWriter(sid);
    for (let i = 0; i < 80 * 40; i++) w.add({ index: i, seq: i % 256, timeS: i / 80, channels: 2, raw: new Float64Array([i, i]), flags: new Int32Array([0, 0]), forceN: new Float64Array([400, 400]), wireForceN: new Float64Array([400, 400]), totalN: 800 });
    w.close();
    const add = (signed: { liftRecord: string; signatureRecord: string } | undefined, liftRecord: string, atS: number) => {
      const l = liftFromRecord(liftRecord, atS);
      const id = store.addLift(sid, { ...l, details: l.fields });
      if (signed !== undefined) store.addLiftSignature(sid, { boardLiftId: Number(l.fields.id), boardBoot: Number(l.fields.boot), ...signed });
      return id;
    };
    const ed = ed25519Lift(21);
    const [mac] = macChain(MAC_KEY, 1, BOARD_ID);
    const bad = ed25519Lift(23);
    const ids = {
      ed: add(ed, ed.liftRecord, 10),
      mac: add(mac, mac.liftRecord, 18),
      bad: add({ ...bad, liftRecord: bad.liftRecord.replace("weighed=1766.8", "weighed=1966.8") }, bad.liftRecord, 26),
      unsigned: add(undefined, ed25519Lift(24).liftRecord.replace("id=24", "id=25"), 34),
    };
    store.endSession(sid, { good: 3200, corrupt: 0, missing: 0, duplicates: 0, resets: 0, reconnects: 0, calibrationMismatches: 0 });
    return ids;
  } finally {
    store.close();
  }
}

describe("a recorded lift's signature state", () => {
  const db = path.join(dir, "r.db");
  const ids = makeStore(db);
  const states = () => {
    const store = new Store(db);
    try {
      return Object.fromEntries(Object.entries(ids).map(([k, id]) => [k, storedLiftStatusById(store, id).state]));
    } finally {
      store.close();
    }
  };

  it("no keys known: Ed25519 lifts have an unknown key, the HMAC lift cannot be checked, the unsigned one is unsigned", () => {
    expect(states()).toEqual({ ed: "unknown-key", mac: "unverifiable", bad: "unknown-key", unsigned: "unsigned" });
  });

  it("with the board's keys in the store: verified, verified, bad (the record changed), unsigned; report and the web page agree", () => {
    const store = new Store(db);
    rememberKey(store, { boardId: BOARD_ID, board: "nodemcu-v3-2pin", key: { scheme: "ed25519", publicKeyHex: publicKeyHexOf(SEED) }, seenIn: "keys init" });
    rememberKey(store, { boardId: BOARD_ID, board: "nodemcu-v3-2pin", key: { scheme: "hmac-sha256", keyId: macKeyIdOf(MAC_KEY), secretHex: MAC_KEY.toString("hex") }, seenIn: "keys init" });
    try {
      const rep = liftFromStore(store, ids.mac);
      expect([rep.origin?.signatureState, rep.origin?.signatureScheme]).toEqual(["verified", "hmac-sha256"]);
      expect(rep.provenance).toMatch(/signed by board 1234567 ✓ \(HMAC-SHA256, verified\)$/);
      expect(liftFromStore(store, ids.bad).provenance).toMatch(/signature BAD: signature does not match/);
    } finally {
      store.close();
    }
    expect(states()).toEqual({ ed: "verified", mac: "verified", bad: "bad", unsigned: "unsigned" });
    const web = readHistory(db).sessions[0].lifts.map((l) => [l.liftId, l.signatureState]);
    expect(web.sort()).toEqual(Object.entries(ids).map(([k, id]) => [id, states()[k]]).sort());
  });

  it("another key for the board: its MAC no longer verifies under what the store holds (wrong key is bad, not verified)", () => {
    const other = path.join(dir, "other.db");
    const o = makeStore(other);
    const store = new Store(other);
    try {
      rememberKey(store, { boardId: BOARD_ID, board: "nodemcu-v3-2pin", key: { scheme: "hmac-sha256", keyId: macKeyIdOf(Buffer.alloc(32, 1)), secretHex: Buffer.alloc(32, 1).toString("hex") }, seenIn: "keys init" });
      expect(storedLiftStatusById(store, o.mac)).toMatchObject({ state: "bad", text: expect.stringMatching(/MAC does not match/) });
    } finally {
      store.close();
    }
  });

  it("rackcell history (bundled CLI) prints each lift's state", async () => {
    const r = await runCli(["--db", db, "history", "--session", "1"], { bundle: true, cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const line = (id: number) => r.stdout.split("\n").find((l) => l.includes(`lift ${id}:`)) ?? "";
    expect(line(ids.ed)).toMatch(/ — signed by board 1234567 ✓ \(Ed25519, verified\)$/);
    expect(line(ids.mac)).toMatch(/ — signed by board 1234567 ✓ \(HMAC-SHA256, verified\)$/);
    expect(line(ids.bad)).toMatch(/ — signature BAD: signature does not match/);
    expect(line(ids.unsigned)).toMatch(/ — not signed$/);
  }, 60_000);
});

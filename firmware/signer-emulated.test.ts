import { DEFAULT_BOARD } from "../host/paths.ts";
import { createPublicKey, verify, createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadBoard } from "../host/build/boards.ts";
import { GENESIS_PREV, signedMessage } from "../shared/board/signedlift.ts";
import { joinSignature, parseLiftSignature } from "../shared/board/signedlift-parse.ts";
import { splitFields } from "../shared/protocol/frame.ts";
import { encodeCommand } from "../shared/protocol/messages.ts";
import { EmuLink, field, nominalCalFile } from "../host/testing/firmware/emu-link.ts";
import { checkedLine, keyFile } from "../host/testing/firmware/signer-files.ts";

/**
 * The signer (firmware/signer.ts) on the emulated board: the device key made from node.random,
 * kept in flash, refused twice unless forced, and every lift signed in slices while streaming;
 * the signature checked with node:crypto (an independent Ed25519).
 */
const BOARD = loadBoard(DEFAULT_BOARD);
const SPKI_ED25519 = Buffer.from("302a300506032b6570032100", "hex");

let open: EmuLink[] = [];
afterEach(async () => {
  await Promise.all(open.map((l) => l.close()));
  open = [];
});

const nominalCal = (id: string) => nominalCalFile(BOARD, id, "d1");

function publicKeyOf(hex: string) {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519, Buffer.from(hex, "hex")]), format: "der", type: "spki" });
}

async function start(opts: Parameters<typeof EmuLink.start>[0]): Promise<EmuLink> {
  const l = await EmuLink.start(opts);
  open.push(l);
  expect(await l.until(() => l.records("B,").length > 0, 5000)).toBe(true);
  return l;
}

describe("device key on the emulated board", () => {
  it("keys init makes a key from node.random, keeps the private half in flash, refuses a second init unless forced", async () => {
    const l = await start({ scenario: "empty" });
    await l.advance(1000);
    expect((await l.command("keys")).slice(2)).toEqual(["err", "no key: keys init makes one"]);
    const init = await l.command("keys", ["init"], 30_000);
    expect(init[2]).toBe("ok");
    const pub = field(init, "pub");
    expect(pub).toMatch(/^[0-9a-f]{64}$/);
    // the flash holds the seed; its public key (node:crypto) is the one the board answered
    const stored = fs.readFileSync(path.join(l.flashDir, "ed25519.key"), "latin1");
    const seed = Buffer.from(/^K,([0-9a-f]{64}),/.exec(stored)![1], "hex");
    expect(stored).toBe(keyFile(seed));
    // the private key never crossed the line
    expect(l.text.join("\n")).not.toContain(seed.toString("hex"));
    const info = await l.command("keys");
    // the board's own zero prev (signer.ts genesis()) is signedlift.ts GENESIS_PREV
    expect([field(info, "pub"), field(info, "n"), field(info, "prev")]).toEqual([pub, "0", GENESIS_PREV]);
    expect((await l.command("keys", ["init"])).slice(2)).toEqual(["err", "key exists: keys init force replaces it"]);
    expect(fs.readFileSync(path.join(l.flashDir, "ed25519.key"), "latin1")).toBe(stored);
    const forced = await l.command("keys", ["init", "force"], 30_000);
    expect(forced[2]).toBe("ok");
    expect(field(forced, "pub")).not.toBe(pub);
    expect((await l.command("keys", ["init", "now"])).slice(2)).toEqual(["err", "usage keys init [hmac] [force]"]);
    const st = await l.board.stats();
    expect(st.restarts).toBe(0);
  }, 120_000);

  it("a power cut at every flash write of keys init force: the next boot has the old key or the new one, never half of one", async () => {
    const oldKey = keyFile(Buffer.alloc(32, 1));
    const oldPub = /^K,[0-9a-f]{64},([0-9a-f]{64})/.exec(oldKey)![1];
    const seen = new Set<string>();
    let completed = false;
    for (let k = 0; k <= 8 && !completed; k++) {
      const l = await start({ scenario: "empty:dur=600", files: { "ed25519.key": oldKey } });
      await l.advance(500);
      await l.board.fault({ kind: "powerCut", afterFileWrites: k });
      const bootsBefore = (await l.board.stats()).boots;
      l.send(`${encodeCommand(99, "keys", ["init", "force"])}\n`);
      await l.advance(15_000);
      if ((await l.board.stats()).boots === bootsBefore) {
        if (l.records("R,99,ok").length === 0) console.log(k, JSON.stringify(await l.board.stats()).slice(0, 600), l.text.filter((x) => !x.startsWith("H,")).slice(-5), fs.readdirSync(l.flashDir));
        expect(l.records("R,99,ok").length, `no cut after ${k} writes`).toBe(1);
        completed = true;
        seen.add("new");
        continue;
      }
      expect(await l.until(() => l.records("B,").length > 1, 5000)).toBe(true);
      const info = await l.command("keys");
      expect(info[2], `cut after ${k} writes: ${info.join(",")}`).toBe("ok");
      const pub = field(info, "pub");
      seen.add(pub === oldPub ? "old" : "new");
      // whichever key it is, the flash holds it whole: seed and public key agree (node:crypto)
      const stored = fs.readFileSync(path.join(l.flashDir, "ed25519.key"), "latin1");
      expect(stored).toBe(keyFile(Buffer.from(/^K,([0-9a-f]{64}),/.exec(stored)![1], "hex")));
      expect(stored).toContain(pub);
      expect(fs.readdirSync(l.flashDir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
      await l.close();
      open = open.filter((x) => x !== l);
    }
    expect(completed).toBe(true);
    expect([...seen].sort()).toEqual(["new", "old"]);
  }, 120_000);
});

describe("signing lifts on the emulated board while streaming", () => {
  it("signs each lift in slices: node:crypto verifies, the chain links, no sample lost, within 30 s", async () => {
    const seed = Buffer.alloc(32, 7);
    const spec = "rackpull:kg=180,emptyS=4,restS=3,holdS=1,afterS=40";
    const l = await start({ scenario: spec, files: { "cal.txt": nominalCal("gym-1"), "ed25519.key": keyFile(seed) } });
    await l.advance(1500);
    expect((await l.command("tare"))[2]).toBe("ok");
    expect(await l.until(() => l.records("E,").length > 0, 20_000, 100)).toBe(true);
    const eAtMs = l.board.nowUs() / 1000;
    const signed = await l.until(() => l.records("Y,").length > 1, 30_000, 100);
    if (!signed) console.log(l.text.filter((x) => !x.startsWith("H,")).join("\n"));
    expect(signed).toBe(true);
    const secondsToSign = (l.board.nowUs() / 1000 - eAtMs) / 1000;
    expect(secondsToSign).toBeLessThanOrEqual(30);
    const e = l.records("E,")[0];
    const g = parseLiftSignature(joinSignature(l.records("G,")[0], l.records("Y,")[0], l.records("Y,")[1]));
    expect(g.error).toBe("");
    expect([g.counter, g.prevHex, g.calId, g.liftId]).toEqual([1, GENESIS_PREV, "gym-1", Number(field(splitFields(e), "id"))]);
    const pub = /^K,[0-9a-f]{64},([0-9a-f]{64})/.exec(keyFile(seed))![1];
    const msg = Buffer.from(signedMessage(e, g.fields), "latin1");
    expect(verify(null, msg, publicKeyOf(pub), Buffer.from(g.signatureHex, "hex"))).toBe(true);
    // a changed byte fails
    const bad = Buffer.from(msg);
    bad[40] ^= 1;
    expect(verify(null, bad, publicKeyOf(pub), Buffer.from(g.signatureHex, "hex"))).toBe(false);
    // the chain on flash now points at this message
    const chain = fs.readFileSync(path.join(l.flashDir, "sigchain"), "latin1");
    expect(chain).toBe(checkedLine(`C,1,${createHash("sha256").update(msg).digest("hex")},${pub}`));
    expect(await l.until(() => l.records("M,signed lift").length > 0, 1000)).toBe(true);
    const notice = l.records("M,signed lift").pop()!;
    const longestUs = Number(/longest (\d+) us/.exec(notice)![1]);
    expect(longestUs).toBeLessThan(10_000);
    await l.advance(2000);
    const h = l.lastHeartbeat()!;
    expect(l.stats.gaps + Number(h.lost0) + Number(h.lost1)).toBe(0);
    const st = await l.board.stats();
    expect([st.restarts, st.watchdogResets, st.oomResets]).toEqual([0, 0, 0]);
  }, 180_000);

  /** Two lifts, the second one ending while the first is signed, and a `keys` command then; samples lost until `untilUs`. */
  async function twoLifts(files: Record<string, string>, untilUs?: number): Promise<{ l: EmuLink; lost: number; info: string[] }> {
    const l = await start({ scenario: "rackpull:kg=160,emptyS=4,restS=3,holdS=1,afterS=2", files });
    await l.advance(1500);
    expect((await l.command("tare"))[2]).toBe("ok");
    expect(await l.until(() => l.records("E,").length > 0, 20_000, 100)).toBe(true);
    await l.advance(1000);
    expect(l.records("Y,").length).toBe(0);
    await l.board.setScenario("rackpull:kg=170,emptyS=1,restS=2,holdS=1,afterS=40");
    expect(await l.until(() => l.records("E,").length > 1, 15_000, 100)).toBe(true);
    expect(l.records("Y,").length).toBe(0);
    const info = await l.command("keys");
    if (untilUs === undefined) expect(await l.until(() => l.records("Y,").length >= 4, 60_000, 100)).toBe(true);
    else await l.advance((untilUs - l.board.nowUs()) / 1000);
    await l.advance(2000);
    const h = l.lastHeartbeat()!;
    return { l, lost: l.stats.gaps + Number(h.lost0) + Number(h.lost1), info };
  }

  it("a lift and a keys command while a signature runs without the signer loaded (sign-job): both lifts signed in order, chained", async () => {
    const seed = Buffer.alloc(32, 5);
    const pub = /^K,[0-9a-f]{64},([0-9a-f]{64})/.exec(keyFile(seed))![1];
    // the first signature is parked in sign-job after its first slices when the second lift ends;
    // the command loads the signer, which takes the job back, answers and parks it again
    const { l, lost, info } = await twoLifts({ "cal.txt": nominalCal("gym-2"), "ed25519.key": keyFile(seed) });
    expect([info[2], field(info, "pub"), field(info, "queue")]).toEqual(["ok", pub, "1"]);
    const es = l.records("E,");
    const gs = l.records("G,");
    const ys = l.records("Y,");
    let prev = GENESIS_PREV;
    for (let i = 0; i < 2; i++) {
      const g = parseLiftSignature(joinSignature(gs[i], ys[2 * i], ys[2 * i + 1]));
      expect(g.error).toBe("");
      expect([g.counter, g.prevHex, g.liftId]).toEqual([i + 1, prev, Number(field(splitFields(es[i]), "id"))]);
      const msg = Buffer.from(signedMessage(es[i], g.fields), "latin1");
      expect(verify(null, msg, publicKeyOf(pub), Buffer.from(g.signatureHex, "hex"))).toBe(true);
      prev = createHash("sha256").update(msg).digest("hex");
    }
    const st = await l.board.stats();
    expect([st.restarts, st.watchdogResets, st.oomResets, st.callbackErrors]).toEqual([0, 0, 0, 0]);
    // Samples lost against the same run on a board without a key (which loses one bit-banged
    // conversion per lift, when liftlog writes the E record): a lift that ends while a signature
    // runs costs one more (known, not solved: 3 more before the signer parked its job in sign-job).
    const { lost: lostWithoutKey } = await twoLifts({ "cal.txt": nominalCal("gym-2") }, l.board.nowUs() - 2_000_000);
    expect(lost - lostWithoutKey).toBeLessThanOrEqual(1);
  }, 180_000);
});

import { createHash, createHmac } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadBoard } from "../host/build/boards.ts";
import { DEFAULT_BOARD } from "../host/paths.ts";
import { EmuLink, field, nominalCalFile } from "../host/testing/firmware/emu-link.ts";
import { checkedLine, keyFile } from "../host/testing/firmware/signer-files.ts";
import { GENESIS_PREV } from "../shared/board/signedlift.ts";
import { joinMac, parseLiftSignature } from "../shared/board/signedlift-parse.ts";
import { KEY_ID_LABEL, macMessage } from "../shared/hmac/liftmac.ts";
import { splitFields } from "../shared/protocol/frame.ts";
import { encodeCommand } from "../shared/protocol/messages.ts";

/**
 * The signer's HMAC-SHA256 scheme (firmware/signer-hmac.ts) on the emulated board: `keys init
 * hmac` makes a 32-byte key from node.random and answers it once; each lift's MAC (NodeMCU's C
 * crypto.hmac, binary digest) is checked with node:crypto's createHmac under that key.
 */
const BOARD = loadBoard(DEFAULT_BOARD);

let open: EmuLink[] = [];
afterEach(async () => {
  await Promise.all(open.map((l) => l.close()));
  open = [];
});

async function start(opts: Parameters<typeof EmuLink.start>[0]): Promise<EmuLink> {
  const l = await EmuLink.start(opts);
  open.push(l);
  expect(await l.until(() => l.records("B,").length > 0, 5000)).toBe(true);
  return l;
}

const keyIdOf = (key: Buffer) => createHmac("sha256", key).update(KEY_ID_LABEL).digest("hex");

describe("HMAC key on the emulated board", () => {
  it("keys init hmac: a key from node.random in flash, answered once; keys names it by its id only; refused twice unless forced; replaces an Ed25519 key", async () => {
    const l = await start({ scenario: "empty", files: { "ed25519.key": keyFile(Buffer.alloc(32, 3)) } });
    await l.advance(1000);
    expect((await l.command("keys", ["init", "hmac"])).slice(2)).toEqual(["err", "key exists: keys init force replaces it"]);
    const init = await l.command("keys", ["init", "hmac", "force"], 10_000);
    expect(init[2]).toBe("ok");
    expect(field(init, "scheme")).toBe("hmac-sha256");
    const key = Buffer.from(field(init, "key"), "hex");
    expect(key.length).toBe(32);
    expect(field(init, "keyid")).toBe(keyIdOf(key));
    expect(fs.readFileSync(path.join(l.flashDir, "hmac.key"), "latin1")).toBe(checkedLine(`H,${key.toString("hex")}`));
    // the Ed25519 key is gone: one key per board
    expect(fs.existsSync(path.join(l.flashDir, "ed25519.key"))).toBe(false);
    const sentBefore = l.text.length;
    const info = await l.command("keys");
    expect([field(info, "scheme"), field(info, "keyid"), field(info, "n"), field(info, "prev")]).toEqual(["hmac-sha256", keyIdOf(key), "0", GENESIS_PREV]);
    expect(l.text.slice(sentBefore).join("\n")).not.toContain(key.toString("hex"));
    expect((await l.command("keys", ["init", "hmac"])).slice(2)).toEqual(["err", "key exists: keys init force replaces it"]);
    expect((await l.command("keys", ["init", "force", "hmac"])).slice(2)).toEqual(["err", "usage keys init [hmac] [force]"]);
    const st = await l.board.stats();
    expect(st.restarts).toBe(0);
  }, 60_000);
});

describe("the verification certificate in the signed fields", () => {
  const signedCert = async (vcert: string | undefined, command?: string) => {
    const files: Record<string, string> = { "cal.txt": nominalCalFile(BOARD, "gym-1", "d1"), "hmac.key": checkedLine(`H,${"09".repeat(32)}`) };
    if (vcert !== undefined) files.vcert = vcert;
    const l = await start({ scenario: "rackpull:kg=180,emptyS=4,restS=3,holdS=1,afterS=4", files });
    await l.advance(1500);
    expect((await l.command("tare"))[2]).toBe("ok");
    if (command !== undefined) {
      // what rackcell verify sends once the calibration passed
      expect((await l.command("vcert", [command])).slice(2)).toEqual(["ok", `cert=${command}`, "cal=gym-1"]);
      expect((await l.command("vcert", ["bad id"])).slice(2)).toEqual(["err", "certificate id: 1 to 40 letters or digits or -"]);
      expect((await l.command("vcert", [])).slice(2).join(",")).toBe("err,usage vcert,<verification certificate id>");
    }
    expect(await l.until(() => l.records("Y,").length >= 1, 30_000, 100)).toBe(true);
    const g = parseLiftSignature(joinMac(l.records("G,")[0], l.records("Y,")[0]));
    expect([g.error, g.calId]).toEqual(["", "gym-1"]);
    return g.certId;
  };

  it("vcert names the certificate in the lifts signed under this calibration", async () => {
    expect(await signedCert(undefined, "vc-0123abcd")).toBe("vc-0123abcd");
  }, 60_000);

  it("a certificate stored for another calibration (before a recalibration) is not named", async () => {
    expect(await signedCert(checkedLine("V,gym-0,vc-9999"))).toBe("");
  }, 60_000);
});

describe("switching schemes on the emulated board", () => {
  it("keys init force (Ed25519) over an HMAC key: refused without force; forced, the HMAC key goes and keys says ed25519", async () => {
    const l = await start({ scenario: "empty", files: { "hmac.key": checkedLine(`H,${"ab".repeat(32)}`) } });
    await l.advance(1000);
    expect((await l.command("keys", ["init"])).slice(2)).toEqual(["err", "key exists: keys init force replaces it"]);
    const init = await l.command("keys", ["init", "force"], 30_000);
    expect(init[2]).toBe("ok");
    expect(fs.existsSync(path.join(l.flashDir, "hmac.key"))).toBe(false);
    const info = await l.command("keys");
    expect([field(info, "scheme"), field(info, "pub")]).toEqual(["ed25519", field(init, "pub")]);
  }, 60_000);

  it("a power cut at every flash write of keys init hmac force over an Ed25519 key: the next boot has the old key or the new one, whole", async () => {
    const seen = new Set<string>();
    let completed = false;
    for (let k = 0; k <= 8 && !completed; k++) {
      const l = await start({ scenario: "empty:dur=600", files: { "ed25519.key": keyFile(Buffer.alloc(32, 1)) } });
      await l.advance(500);
      await l.board.fault({ kind: "powerCut", afterFileWrites: k });
      const bootsBefore = (await l.board.stats()).boots;
      l.send(`${encodeCommand(99, "keys", ["init", "hmac", "force"])}\n`);
      await l.advance(5000);
      if ((await l.board.stats()).boots === bootsBefore) {
        expect(l.records("R,99,ok").length, `no cut after ${k} writes`).toBe(1);
        completed = true;
        seen.add("hmac-sha256");
        continue;
      }
      expect(await l.until(() => l.records("B,").length > 1, 5000)).toBe(true);
      const info = await l.command("keys");
      expect(info[2], `cut after ${k} writes: ${info.join(",")}`).toBe("ok");
      seen.add(field(info, "scheme"));
      if (field(info, "scheme") === "hmac-sha256") {
        const stored = fs.readFileSync(path.join(l.flashDir, "hmac.key"), "latin1");
        expect(stored).toBe(checkedLine(`H,${/^H,([0-9a-f]{64})/.exec(stored)![1]}`));
        expect(field(info, "keyid")).toBe(keyIdOf(Buffer.from(/^H,([0-9a-f]{64})/.exec(stored)![1], "hex")));
      } else expect(fs.readFileSync(path.join(l.flashDir, "ed25519.key"), "latin1")).toBe(keyFile(Buffer.alloc(32, 1)));
      expect(fs.readdirSync(l.flashDir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
      await l.close();
      open = open.filter((x) => x !== l);
    }
    expect(completed).toBe(true);
    expect([...seen].sort()).toEqual(["ed25519", "hmac-sha256"]);
  }, 120_000);
});

describe("HMAC-signing lifts on the emulated board while streaming", () => {
  it("two rack pulls: each MAC verifies with createHmac, the second chains on the first, a wrong key or a changed byte fails, no sample lost", async () => {
    const key = Buffer.alloc(32, 9);
    const l = await start({ scenario: "rackpull:kg=180,emptyS=4,restS=3,holdS=1,afterS=8", files: { "cal.txt": nominalCalFile(BOARD, "gym-1", "d1"), "hmac.key": checkedLine(`H,${key.toString("hex")}`) } });
    await l.advance(1500);
    expect((await l.command("tare"))[2]).toBe("ok");
    expect(await l.until(() => l.records("Y,").length >= 1, 30_000, 100)).toBe(true);
    await l.board.setScenario("rackpull:kg=185,emptyS=2,restS=3,holdS=1,afterS=10");
    const signed = await l.until(() => l.records("Y,").length >= 2, 40_000, 100);
    if (!signed) console.log(l.text.filter((x) => !x.startsWith("H,")).join("\n"));
    expect(signed).toBe(true);
    const es = l.records("E,");
    const gs = l.records("G,").map((g, i) => parseLiftSignature(joinMac(g, l.records("Y,")[i])));
    expect(gs.map((g) => [g.error, g.scheme, g.counter, g.calId, g.certId])).toEqual([["", "hmac-sha256", 1, "gym-1", ""], ["", "hmac-sha256", 2, "gym-1", ""]]);
    const msgs = gs.map((g, i) => Buffer.from(macMessage(es[i], g.fields), "latin1"));
    expect(gs.map((g, i) => g.liftId === Number(field(splitFields(es[i]), "id")))).toEqual([true, true]);
    gs.forEach((g, i) => expect(createHmac("sha256", key).update(msgs[i]).digest("hex"), `lift ${i + 1}`).toBe(g.signatureHex));
    expect([gs[0].prevHex, gs[1].prevHex]).toEqual([GENESIS_PREV, createHash("sha256").update(msgs[0]).digest("hex")]);
    // another key, or a changed byte, gives another MAC
    expect(createHmac("sha256", Buffer.alloc(32, 8)).update(msgs[0]).digest("hex")).not.toBe(gs[0].signatureHex);
    const bad = Buffer.from(msgs[0]);
    bad[40] ^= 1;
    expect(createHmac("sha256", key).update(bad).digest("hex")).not.toBe(gs[0].signatureHex);
    expect(await l.until(() => l.records("M,signed lift").length >= 2, 2000)).toBe(true);
    const chain = fs.readFileSync(path.join(l.flashDir, "sigchain"), "latin1");
    expect(chain).toBe(checkedLine(`C,2,${createHash("sha256").update(msgs[1]).digest("hex")},${keyIdOf(key)}`));
    await l.advance(2000);
    const h = l.lastHeartbeat()!;
    expect(l.stats.gaps + Number(h.lost0) + Number(h.lost1), `gaps ${l.stats.gaps}, lost ${h.lost0}/${h.lost1}; ${l.records("M,").join(" | ")}`).toBe(0);
    const st = await l.board.stats();
    expect([st.restarts, st.watchdogResets, st.oomResets]).toEqual([0, 0, 0]);
  }, 180_000);
});

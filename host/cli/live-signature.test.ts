import { describe, expect, it } from "vitest";
import type { Session, SessionEvent } from "../session/session.ts";
import { liftFromRecord } from "../session/live.ts";
import type { BoardKeyRow } from "../store/board-keys.ts";
import { macChain, macKeyIdOf } from "../testing/firmware/signer-files.ts";
import { LiveView, SIGNATURE_PENDING, renderScreen } from "./live-view.ts";

/**
 * `rackcell live` shows each board lift's signature state (host/sign/lift-state.ts) as its
 * records arrive: pending after the lift, then verified, bad or unverifiable; one line each in
 * plain output, under the last lift on a terminal.
 */
const KEY = Buffer.alloc(32, 5);
const [signed] = macChain(KEY, 1, 77);
const held: BoardKeyRow = { boardId: 77, board: "nodemcu-v3-2pin", scheme: "hmac-sha256", keyName: macKeyIdOf(KEY), secretHex: KEY.toString("hex"), firstSeenAt: "", lastSeenAt: "", seenIn: "keys init" };

/** A session that only relays the events given to it, and the view's plain output. */
function viewWith(keys: BoardKeyRow[]) {
  let listener: (e: SessionEvent) => void = () => {};
  const fake = {
    onFrame: () => {}, onEvent: (fn: (e: SessionEvent) => void) => { listener = fn; },
    info: { channelNames: ["left", "right"], sps: 80 },
    live: { connected: true, timeS: 0, forceN: [0, 0], totalN: 0, peakTotalN: 0, lastLift: null, notices: [] },
    counts: { good: 0, corrupt: 0, missing: 0, duplicates: 0, resets: 0, reconnects: 0, calibrationMismatches: 0 },
  };
  const out: string[] = [];
  const view = new LiveView(fake as unknown as Session, { unit: "kg", title: "t", plain: true, keys, out: { write: (s: string) => out.push(s) > 0 } });
  const lift = liftFromRecord(signed.liftRecord, 10);
  const emit = (e: SessionEvent) => {
    if (e.type === "lift") fake.live.lastLift = e.lift as never;
    listener(e);
  };
  return { view, out, lift, emit };
}

const records = (liftRecord: string, signatureRecord: string) => ({ liftRecord, signatureRecord, boardLiftId: 11, boardBoot: 3 });

describe("live: the last lift's signature", () => {
  it("pending after the board's lift, then verified under the store's key (plain line and screen)", () => {
    const { view, out, lift, emit } = viewWith([held]);
    emit({ type: "lift", lift });
    expect(renderScreen(view.snapshot(), "kg")).toContain(`signature: ${SIGNATURE_PENDING}`);
    emit({ type: "signature", signed: records(signed.liftRecord, signed.signatureRecord) });
    expect(out.join("")).toContain("signature: board lift 11: signed by board 77 ✓ (HMAC-SHA256, verified)\n");
    expect(renderScreen(view.snapshot(), "kg")).toMatch(/last lift: .*\n  signature: signed by board 77 ✓ \(HMAC-SHA256, verified\)/);
  });

  it("a changed record is bad; without the key the HMAC cannot be checked here", () => {
    const a = viewWith([held]);
    a.emit({ type: "signature", signed: records(signed.liftRecord.replace("weighed=1701.5", "weighed=1801.5"), signed.signatureRecord) });
    expect(a.out.join("")).toMatch(/signature: board lift 11: signature BAD: MAC does not match/);
    const b = viewWith([]);
    b.emit({ type: "signature", signed: records(signed.liftRecord, signed.signatureRecord) });
    expect(b.out.join("")).toContain("HMAC-signed by board 77, cannot be checked here (this host does not hold its key)");
  });
});

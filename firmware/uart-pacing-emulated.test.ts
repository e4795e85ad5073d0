import { afterEach, describe, expect, it } from "vitest";
import { loadBoard } from "../host/build/boards.ts";
import { DEFAULT_BOARD } from "../host/paths.ts";
import { EmuLink, nominalCalFile } from "../host/testing/firmware/emu-link.ts";
import { sealLine } from "../shared/protocol/frame.ts";

/**
 * Long lines while the board streams 2 × 80 SPS (firmware/sink.ts): uart.write busy-waits while
 * the UART's 128-byte TX FIFO is full, as NodeMCU's driver does, so a long line behind sample
 * frames held the CPU past the next conversion of the bit-banged HX711 (right pin), which the
 * chip then overwrote. A lifts replay writes 233-byte E lines back to back: before the fix it
 * lost 61 conversions of the right pin in this run. The chip's own count of conversions
 * overwritten unread is the ground truth; the board's lost counters and the frame sequence must agree.
 */
const BOARD = loadBoard(DEFAULT_BOARD);

let open: EmuLink[] = [];
afterEach(async () => {
  await Promise.all(open.map((l) => l.close()));
  open = [];
});

const liftLine = (id: number) => `E,id=${id},boot=3,kind=rackpull,done=1,conf=1,quiet=1,base=1766.8,thr=1.0,onset=7412,peak=1751.2,net=1751.2,peakt=8116,ttp=703,weighed=${1700 + id}.5,liftoff=8116,ttl=703,setdown=9127,hold=1011,reweigh=1768.0,rwdiff=1.2,plates=0,end=10370,gap=19`;

describe("long lines while streaming", () => {
  it("three replays of 16 stored lifts (233-byte E lines) while streaming: every line whole, no conversion lost or overwritten unread", async () => {
    const log = Array.from({ length: 16 }, (_, i) => `${sealLine(liftLine(i + 1))}\n`).join("");
    expect(liftLine(1).length).toBeGreaterThan(200);
    const l = await EmuLink.start({ scenario: "empty:dur=600", files: { "cal.txt": nominalCalFile(BOARD, "gym-1", "d1"), "lifts.txt": log } });
    open.push(l);
    expect(await l.until(() => l.records("B,").length > 0, 5000)).toBe(true);
    await l.advance(1500);
    const h0 = l.lastHeartbeat()!;
    const unread0 = (await l.board.stats()).chips.map((c) => c.unread);
    const frames0 = l.stats.frames;
    for (let k = 0; k < 3; k++) {
      expect((await l.command("lifts", ["0"], 10_000)).slice(2)).toEqual(["ok", "count=16"]);
      await l.advance(37); // the next replay starts at another phase of the conversions
    }
    await l.advance(2000);
    expect(l.records("E,")).toEqual([0, 1, 2].flatMap(() => Array.from({ length: 16 }, (_, i) => liftLine(i + 1))));
    const h = l.lastHeartbeat()!;
    const st = await l.board.stats();
    const lost = [0, 1].map((ch) => Number(h[`lost${ch}`]) - Number(h0[`lost${ch}`]));
    const unread = st.chips.map((c, i) => c.unread - unread0[i]);
    expect({ lost, unread, gaps: l.stats.gaps, corrupt: l.stats.corrupt }).toEqual({ lost: [0, 0], unread: [0, 0], gaps: 0, corrupt: 0 });
    // about 4.5 s of 80 frames a second went on during the replays
    expect(l.stats.frames - frames0).toBeGreaterThan(300);
    expect([st.restarts, st.watchdogResets]).toEqual([0, 0]);
  }, 120_000);
});

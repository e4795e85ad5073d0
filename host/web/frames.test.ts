import { describe, expect, it } from "vitest";
import type { FrameView } from "../session/session.ts";
import { FrameStore } from "./frames.ts";

function frame(seq: number, timeS: number, left: number, right: number): FrameView {
  return {
    index: seq, seq, timeS, channels: 2, raw: Float64Array.from([1000 + seq, 2000 + seq]), flags: new Int32Array(2),
    forceN: Float64Array.from([left, right]), wireForceN: Float64Array.from([left, right]), totalN: left + right,
  };
}

describe("FrameStore", () => {
  it("keeps every frame past its first capacity, slices by time without gaps' NaN totals, and writes the CSV", () => {
    const s = new FrameStore(2);
    for (let i = 0; i < 5000; i++) s.add(frame(i, i / 80, i === 10 ? NaN : 100, 200));
    expect(s.length).toBe(5000);
    expect(s.indexAt(1)).toBe(80);
    const sl = s.slice(0, 0.2); // frames 0..16, frame 10 has no reading
    expect(sl.timesMs.length).toBe(16);
    expect(sl.forceN[1][0]).toBe(200);
    const csv = s.csv(["left", "right"]).trim().split("\n");
    expect(csv[0]).toBe("time_s,left_N,right_N,total_N,left_raw,right_raw"); // as `rackcell export` writes it
    expect(csv.length).toBe(5001);
    expect(csv[1]).toBe("0.0000,100.000,200.000,300.000,1000,2000");
    expect(csv[11]).toBe("0.1250,,200.000,,1010,2010");
  });
});

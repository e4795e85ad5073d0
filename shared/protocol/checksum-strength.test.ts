import { describe, expect, it } from "vitest";
import { fletcher16 } from "./checksum.ts";
import { encodeSample, openLine } from "./frame.ts";

/**
 * The detection strength the README states for Fletcher-16 on our frames, checked exhaustively
 * on real sample frames: every single-bit flip, every two-bit flip and every burst of up to
 * 8 bits anywhere in the line (checksum digits included) is refused by openLine.
 */
const frames = [
  encodeSample(5, [1234567, -100], [0, 9], [2452.5, -0.04]),
  encodeSample(262143, [-8388608, 8388607], [1, 1], [4903.3, -4903.3]),
  encodeSample(77, [0], [8], [0 / 0]),
];

function flip(line: string, bits: number[]): string {
  const bytes = Buffer.from(line, "latin1");
  for (const b of bits) bytes[b >> 3] ^= 1 << (b & 7);
  return bytes.toString("latin1");
}

describe("Fletcher-16 on sample frames", () => {
  for (const frame of frames) {
    const nBits = frame.length * 8;
    it(`refuses every 1- and 2-bit error in ${frame} (${frame.length} bytes)`, () => {
      let checked = 0;
      for (let i = 0; i < nBits; i++) {
        expect(openLine(flip(frame, [i])).error).not.toBe("");
        for (let j = i + 1; j < nBits; j++) {
          const bad = flip(frame, [i, j]);
          if (openLine(bad).error === "") throw new Error(`undetected 2-bit error at bits ${i},${j}: ${bad}`);
          checked++;
        }
      }
      expect(checked).toBe((nBits * (nBits - 1)) / 2);
    });

    it(`refuses every burst of up to 8 bits in ${frame}`, () => {
      for (let start = 0; start < nBits; start++) {
        for (let len = 3; len <= 8 && start + len <= nBits; len++) {
          // every pattern whose first and last bit are set (that is what makes its length len)
          for (let mid = 0; mid < 1 << (len - 2); mid++) {
            const bits = [start, start + len - 1];
            for (let k = 0; k < len - 2; k++) if (mid & (1 << k)) bits.push(start + 1 + k);
            const bad = flip(frame, bits);
            if (openLine(bad).error === "") throw new Error(`undetected burst at ${start}+${len}: ${bad}`);
          }
        }
      }
    });
  }

  it("lets about 1 in 65025 random corruptions through, not more", () => {
    // Random replacement of the body with the checksum kept: the pass rate estimates 1/65025.
    let seed = 12345;
    const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    let passed = 0;
    const trials = 400_000;
    const base = "SAAFktaHAf_-cJ,2452.5,0.0";
    const target = fletcher16(base);
    for (let t = 0; t < trials; t++) {
      let s = "";
      for (let i = 0; i < base.length; i++) s += String.fromCharCode(32 + Math.floor(rand() * 95));
      if (fletcher16(s) === target) passed++;
    }
    expect(passed / trials).toBeLessThan(3 / 65025);
  });
});

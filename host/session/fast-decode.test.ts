import { describe, expect, it } from "vitest";
import { decodeSample, encodeFields, encodeSample, openLine } from "../../shared/protocol/frame.ts";
import { encodeRecord, encodeReplyOk } from "../../shared/protocol/messages.ts";
import { createDecodedLine, decodeLine, LINE_CORRUPT, LINE_MALFORMED, LINE_SAMPLE, LINE_TEXT } from "./fast-decode.ts";

/** What the shared codec says about a line, in the fast decoder's terms. */
function reference(line: string) {
  const opened = openLine(line);
  if (opened.error !== "") return { status: LINE_CORRUPT, error: opened.error };
  if (opened.body.charCodeAt(0) !== 83) return { status: LINE_TEXT, body: opened.body };
  const f = decodeSample(opened.body);
  if (f.seq < 0) return { status: LINE_MALFORMED, body: opened.body };
  return { status: LINE_SAMPLE, seq: f.seq, raw: f.rawCounts, flags: f.flags, force: f.forceN };
}

function fast(line: string) {
  const d = createDecodedLine();
  const status = decodeLine(line, d);
  if (status === LINE_CORRUPT) return { status, error: d.error };
  if (status === LINE_TEXT || status === LINE_MALFORMED) return { status, body: d.body };
  return {
    status, seq: d.seq,
    raw: Array.from(d.raw.subarray(0, d.channels)),
    flags: Array.from(d.flags.subarray(0, d.channels)),
    force: Array.from(d.force.subarray(0, d.channels)),
  };
}

let rng = 12345;
const rand = () => ((rng = (rng * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = <T>(a: T[]) => a[Math.floor(rand() * a.length)];

function randomFrame(): string {
  const ch = 1 + Math.floor(rand() * 4);
  const raw: number[] = [];
  const flags: number[] = [];
  const force: number[] = [];
  for (let c = 0; c < ch; c++) {
    raw.push(Math.floor((rand() - 0.5) * 2 ** 25)); // beyond 24 bits too: clamped
    flags.push(Math.floor(rand() * 16));
    force.push(rand() < 0.15 ? NaN : (rand() - 0.5) * 20000);
  }
  return encodeSample(Math.floor(rand() * 300000), raw, flags, force);
}

const ALPHABET = "SABCaz09-_,.*+-RHEMC=\r\xff\x00 ";

function mutate(line: string): string {
  const kind = Math.floor(rand() * 5);
  const i = Math.floor(rand() * (line.length + 1));
  if (kind === 0) return line.slice(0, i) + line.slice(i + 1); // byte drop
  if (kind === 1) return line.slice(0, i) + String.fromCharCode(line.charCodeAt(i) ^ (1 << Math.floor(rand() * 8))) + line.slice(i + 1);
  if (kind === 2) return line.slice(0, i) + pick(ALPHABET.split("")) + line.slice(i);
  if (kind === 3) return line.slice(0, i);
  return line.slice(i);
}

/** Re-seals a mutated body so the checksum passes and the sample decoder itself is exercised. */
function resealed(line: string): string {
  return encodeFields(mutate(openLine(line).body), []);
}

describe("decodeLine agrees with shared openLine + decodeSample", () => {
  it("on 20,000 valid frames of 1–4 channels", () => {
    for (let i = 0; i < 20000; i++) {
      const line = randomFrame();
      const f = fast(line);
      expect(f).toEqual(reference(line));
      expect(f.status).toBe(LINE_SAMPLE);
    }
  });

  it("on 50,000 corrupted lines (drops, bit flips, insertions, truncations)", () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 50000; i++) {
      let line = randomFrame();
      const n = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < n; k++) line = mutate(line);
      const f = fast(line);
      counts[f.status]++;
      expect(f, JSON.stringify(line)).toEqual(reference(line));
    }
    expect(counts[LINE_CORRUPT]).toBeGreaterThan(40000);
  });

  it("on 30,000 malformed bodies with a valid checksum", () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 30000; i++) {
      const line = resealed(randomFrame());
      const f = fast(line);
      counts[f.status]++;
      expect(f, JSON.stringify(line)).toEqual(reference(line));
    }
    expect(counts[LINE_MALFORMED]).toBeGreaterThan(5000);
  });

  it("on text records, a CR ending, odd forces and edge cases", () => {
    const cases = [
      encodeRecord("H", ["seq", "12", "up", "1000"]), `${encodeReplyOk(3, ["fw", "rackcell"])}\r`, "", "*", "S*0000",
      encodeFields("SAAAgAAAA", []), encodeFields("SAAAgAAAA,+1.", []), encodeFields("SAAAgAAAA,-", []), encodeFields("SAAAgAAAA,.5", []),
      encodeFields("SAAAgAAAA,1.2.3", []), encodeFields("SAAAgAAAA,9999999999999999", []), encodeFields("SAAAgAAAA,1,2", []),
      encodeFields("SAAAgAAAAgAAAA,1", []), encodeFields("SAA", []), encodeFields("S\xffAAgAAAA,1", []), "SAAAgAAAA,1*ABCD",
      `${encodeSample(5, [1, -2], [0, 8], [NaN, -0.04])}\r`,
    ];
    for (const line of cases) expect(fast(line), JSON.stringify(line)).toEqual(reference(line));
  });
});

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadBoard } from "../host/build/boards.ts";
import { G } from "../host/emulator/board/physics/index.ts";
import { EmuLink } from "../host/testing/firmware/emu-link.ts";
import { DEFAULT_BOARD } from "../host/paths.ts";

/**
 * A force-time CSV replayed as the physical input of the emulated board comes back over the wire,
 * after the board's own calibration (tare + plates through its commands), within the simulated
 * cells' noise: the same path a recorded lift takes when it is replayed for the validation suite.
 */
const BOARD = loadBoard(DEFAULT_BOARD);
const CAP_N = BOARD.channels[0].cell.capacityN;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-csv-"));
let link: EmuLink | undefined;
afterAll(async () => {
  await link?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Plateaus (s from, s to, left N, right N) with 0.3 s ramps between them, written at 100 Hz. */
const PLATEAUS: [number, number, number, number][] = [[0, 3, 300, 700], [3.3, 6, 1650, 1200], [6.3, 9, 2480, 3050], [9.3, 12, 90, 40]];

function writeCsv(file: string): void {
  const rows = ["# time_s,left_N,right_N", "time_s,left_N,right_N"];
  for (let i = 0; i <= 1200; i++) {
    const t = i / 100;
    let l = PLATEAUS[PLATEAUS.length - 1][2];
    let r = PLATEAUS[PLATEAUS.length - 1][3];
    for (let k = 0; k < PLATEAUS.length; k++) {
      const [a, b, pl, pr] = PLATEAUS[k];
      if (t >= a && t <= b) { l = pl; r = pr; break; }
      const next = PLATEAUS[k + 1];
      if (next && t > b && t < next[0]) {
        const u = (t - b) / (next[0] - b);
        l = pl + u * (next[2] - pl);
        r = pr + u * (next[3] - pr);
        break;
      }
    }
    rows.push(`${t.toFixed(2)},${l.toFixed(3)},${r.toFixed(3)}`);
  }
  fs.writeFileSync(file, `${rows.join("\n")}\n`);
}

describe("CSV scenario round trip on the emulated board", () => {
  it("the forces fed in come back after the board's calibration, within the cells' noise", async () => {
    const csv = path.join(dir, "plateaus.csv");
    writeCsv(csv);
    link = await EmuLink.start({ scenario: "empty:dur=600" });
    const l = link;
    expect(await l.until(() => l.records("B,").length > 0, 5000)).toBe(true);
    await l.advance(1500);
    expect((await l.command("tare"))[2]).toBe("ok");
    for (const kg of [0, 150, 300]) {
      await l.board.setScenario(`weigh:kgL=${kg},kgR=${kg},atS=0,placeS=0.4,dur=600`);
      await l.advance(1500);
      const r = await l.command("capture", ["all", (kg * G).toFixed(3), "128"]);
      expect(r[2], r.join(",")).toBe("ok");
    }
    expect((await l.command("fit"))[2]).toBe("ok");

    await l.board.setScenario(csv);
    const start = l.board.nowUs();
    const perPlateau = PLATEAUS.map(() => ({ sum: [0, 0], sumSq: [0, 0], n: 0 }));
    l.onFrame = (f, tUs) => {
      // scenario time of the frame, less the HX711's filter delay (2 periods) and the median's (1)
      const t = (tUs - start) / 1e6 - 3 * 0.0125;
      PLATEAUS.forEach(([a, b], k) => {
        if (t < a + 0.4 || t > b - 0.1) return; // settled part of each plateau only
        const acc = perPlateau[k];
        for (let ch = 0; ch < 2; ch++) {
          acc.sum[ch] += f.forceN[ch];
          acc.sumSq[ch] += f.forceN[ch] ** 2;
        }
        acc.n++;
      });
    };
    await l.advance(12_000);
    l.onFrame = undefined;
    PLATEAUS.forEach(([, , fl, fr], k) => {
      const acc = perPlateau[k];
      expect(acc.n, `frames on plateau ${k}`).toBeGreaterThan(150);
      [fl, fr].forEach((want, ch) => {
        const mean = acc.sum[ch] / acc.n;
        const sd = Math.sqrt(Math.max(0, acc.sumSq[ch] / acc.n - mean * mean));
        // the cells' own error after calibration (nonlinearity, drift: 0.05 % of capacity) plus
        // 4 standard errors of the mean; a frame's own noise is reported as sd
        const tol = 0.0005 * CAP_N + (4 * sd) / Math.sqrt(acc.n);
        expect(Math.abs(mean - want), `plateau ${k} ch${ch}: ${mean.toFixed(2)} N vs ${want} N (sd ${sd.toFixed(2)})`).toBeLessThan(tol);
      });
    });
  }, 90_000);
});

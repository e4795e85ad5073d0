import { describe, expect, it } from "vitest";
import { loadBoard } from "../build/boards.ts";
import { CALIBRATED_PLATES } from "./plates.ts";
import { parsePoints } from "./plan.ts";
import { runCalibration, type CommandLink, type Placement } from "./run.ts";
import { DEFAULT_BOARD } from "../paths.ts";
import { STANDARD_GRAVITY_MPS2 } from "../../shared/units/force.ts";

/** A pretend board: counts = zero + F/npc per channel; records every command; fits like the firmware. */
function fakeBoard(names: string[], opts: { unstableOnce?: boolean } = {}) {
  const npc = [0.00114, 0.00117];
  const zero = [12000, -3000];
  let kg: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  const points: { c: number[]; f: number[] }[] = names.map(() => ({ c: [], f: [] }));
  const sent: string[] = [];
  let unstable = opts.unstableOnce ?? false;
  const link: CommandLink = {
    async command(name, args = []) {
      sent.push([name, ...args].join(","));
      const counts = names.map((n, i) => zero[i] + (kg[n] * STANDARD_GRAVITY_MPS2) / npc[i]);
      if (name === "capture") {
        if (unstable && kg[names[0]] > 0) {
          unstable = false;
          return { ok: false, fields: {}, reason: "the board refused `capture`: unstable ch0: sd 900.0 counts" };
        }
        const ch = args[0] === "all" ? -1 : names.indexOf(args[0]);
        const fields: Record<string, string> = { ch: args[0] };
        names.forEach((_, i) => {
          if (ch >= 0 && ch !== i) return;
          points[i].c.push(counts[i]);
          points[i].f.push(Number(args[1]));
          fields[`c${i}`] = counts[i].toFixed(1);
          fields[`sd${i}`] = "50.0";
          fields[`n${i}`] = String(points[i].c.length);
        });
        return { ok: true, fields, reason: "" };
      }
      if (name === "fit") {
        const fields: Record<string, string> = {};
        names.forEach((_, i) => {
          const { c, f } = points[i];
          const mc = c.reduce((a, b) => a + b, 0) / c.length;
          const mf = f.reduce((a, b) => a + b, 0) / f.length;
          let sxx = 0, sxy = 0;
          c.forEach((x, j) => { sxx += (x - mc) ** 2; sxy += (x - mc) * (f[j] - mf); });
          const k = sxy / sxx;
          fields[`k${i}`] = k.toFixed(9);
          fields[`z${i}`] = (mc - mf / k).toFixed(1);
        });
        return { ok: true, fields, reason: "" };
      }
      if (name === "tare") return { ok: true, fields: Object.fromEntries(names.map((_, i) => [`z${i}`, counts[i].toFixed(1)])), reason: "" };
      return { ok: true, fields: {}, reason: "" };
    },
  };
  const placed: Placement[] = [];
  const place = async (p: Placement) => {
    placed.push(p);
    kg = { ...p.kgByChannel };
  };
  return { link, place, sent, placed, npc, zero };
}

describe("runCalibration (pretend board)", () => {
  const board = loadBoard(DEFAULT_BOARD);
  it("sends the planned points, fits, agrees with the board, saves", async () => {
    const b = fakeBoard(["left", "right"]);
    const run = await runCalibration(b.link, board, parsePoints("left:100,left:200,right:100,right:200,both:300").points, CALIBRATED_PLATES, b.place, { settleMs: 0, calId: "t1", date: "2026-11-22" });
    expect(run.reasons).toEqual([]);
    expect(run.ok).toBe(true);
    expect(run.agree).toBe(true);
    expect(run.saved).toEqual({ calId: "t1", date: "2026-11-22" });
    expect(b.sent.slice(0, 5)).toEqual(["clearpoints", "tare,80", "capture,all,0.00,80", "capture,left,980.67,80", "capture,right,0.00,80"]);
    // the both check comes after the fit
    expect(b.sent.indexOf("fit")).toBeLessThan(b.sent.indexOf("capture,all,1471.00,80"));
    expect(b.sent[b.sent.length - 1]).toBe("save,t1,2026-11-22");
    expect(run.outcome?.channels[1].fit.nPerCount).toBeCloseTo(0.00117, 10);
    expect(run.outcome?.checks[0].errorN).toBeCloseTo(0, 3);
    expect(b.placed.map((p) => p.prompt)).toContain("Put 300 kg on BOTH pins (bar centred) and press Enter");
    expect(b.placed[b.placed.length - 1].kind).toBe("empty");
  });
  it("retries an unstable capture, refuses a nonsense plan before touching the board", async () => {
    const b = fakeBoard(["left", "right"], { unstableOnce: true });
    const run = await runCalibration(b.link, board, parsePoints("left:200,right:200").points, CALIBRATED_PLATES, b.place, { settleMs: 0, save: false });
    expect(run.ok).toBe(true);
    expect(b.sent.filter((s) => s.startsWith("capture,left,1961")).length).toBe(2);
    const bad = fakeBoard(["left", "right"]);
    const r2 = await runCalibration(bad.link, board, parsePoints("left:200,left:100").points, CALIBRATED_PLATES, bad.place, { settleMs: 0 });
    expect(r2.ok).toBe(false);
    expect(r2.reasons[0]).toMatch(/must increase/);
    expect(bad.sent).toEqual([]);
  });
});

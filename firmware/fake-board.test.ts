import { describe, expect, it } from "vitest";
import { decodeSample, openLine, sealLine, splitFields } from "../shared/protocol/frame.ts";
import { fieldValue } from "../shared/protocol/keyvalue.ts";
import { encodeCommand } from "../shared/protocol/messages.ts";
import { decodeCalFile, emptyCalChannel, encodeCalFile } from "../shared/board/calfile.ts";
import { runOnFake } from "../host/testing/firmware/fake-board.ts";
import { DEFAULT_BOARD } from "../host/paths.ts";

/**
 * The firmware on a fake NodeMCU (host/testing/firmware/fake-nodemcu.ts) in real Lua 5.1 and 5.3:
 * boot, streaming, commands, calibration, power cuts. The emulated board tests
 * (firmware/emulated.test.ts) do the same against the physics model.
 */
interface Run { out: string; files: Record<string, string>; instr: number; maxCb: number; maxHigh: number; errors: string; heapKb: number; restarted: boolean; bbLost: number }
const REPORT = `collectgarbage("collect"); collectgarbage("collect")
__write(__json({ out = T.take(), files = T.files, instr = T.instr, maxCb = T.maxCb, maxHigh = T.maxHigh, errors = T.errors or "", heapKb = collectgarbage("count"), restarted = T.restarted, bbLost = T.bbLost }))`;

function lines(out: string): string[] {
  return out.split("\n").filter((l) => l.length > 0);
}
function bodies(out: string, kind: string): string[] {
  return lines(out).map((l) => openLine(l)).filter((o) => o.error === "" && o.body.startsWith(kind)).map((o) => o.body);
}
const cmd = (id: number, name: string, ...args: string[]) => JSON.stringify(encodeCommand(id, name, args));

for (const target of ["5.1", "5.3"] as const) {
  describe(`firmware on a fake NodeMCU, Lua ${target}`, () => {
    it("boots, says B and M, streams continuous valid frames and heartbeats", () => {
      const r = runOnFake(target, {}, `T.value = {1000, -2000}; T.run(3000000)\n${REPORT}`) as Run;
      expect(r.errors).toBe("");
      const all = lines(r.out);
      for (const l of all) expect(openLine(l).error, l).toBe("");
      const b = bodies(r.out, "B,")[0];
      expect(b).toMatch(new RegExp(`^B,fw=.*,board=${DEFAULT_BOARD},boot=1,cal=none,reason=6,ch=2,sps=80$`));
      expect(bodies(r.out, "M,")[0]).toContain("uncalibrated");
      const frames = bodies(r.out, "S").map(decodeSample);
      expect(frames.length).toBeGreaterThan(225);
      frames.forEach((f, i) => {
        expect(f.seq).toBe(i);
        expect(Math.abs(f.rawCounts[0] - 1000)).toBeLessThanOrEqual(2);
        expect(Math.abs(f.rawCounts[1] + 2000)).toBeLessThanOrEqual(2);
        expect(f.flags).toEqual([8, 8]);
      });
      const hb = bodies(r.out, "H,");
      expect(hb.length).toBeGreaterThanOrEqual(2);
      expect(fieldValue(splitFields(hb[hb.length - 1]), "drop")).toBe("0");
      expect(r.files.bootid).toBe("1");
      expect(r.bbLost).toBe(0);
      expect(r.maxHigh).toBeLessThan(20);
    });

    it("answers every hostile line without crashing, and each command with R", () => {
      const hostile = ["garbage", "x".repeat(300), "print(node.heap())", "file.remove('init.lua')", "C,1,tare*0000", "", "C,,*1234",
        encodeCommand(2, "capture", []), encodeCommand(3, "capture", ["0", "abc"]), encodeCommand(4, "capture", ["9", "10"]),
        encodeCommand(5, "rate", ["33"]), encodeCommand(6, "nope", []), encodeCommand(7, "stream", ["x"]), encodeCommand(8, "lifts", ["-1"]),
        encodeCommand(9, "save", ["a,b"]), encodeCommand(10, "fit", []), encodeCommand(11, "tare", ["1e9"]), encodeCommand(12, "save", ["id", "2026"]),
        "C,13,ping" + "*".repeat(250), encodeCommand(14, "ping", []), encodeCommand(15, "info", [])];
      const r = runOnFake(target, {}, `T.value = {1000, -2000}; T.run(500000)
for _, l in ipairs(${JSON.stringify(hostile).replace("[", "{").replace(/]$/, "}")}) do T.send(l); T.run(20000) end
T.run(500000)
${REPORT}`) as Run;
      expect(r.errors).toBe("");
      expect(r.restarted).toBe(false);
      const replies = bodies(r.out, "R,");
      const byId = (id: number) => replies.filter((x) => x.startsWith(`R,${id},`));
      expect(replies.filter((x) => x.startsWith("R,0,err,")).length).toBeGreaterThanOrEqual(6);
      for (const id of [2, 3, 4, 5, 6, 7, 8, 10, 11, 12]) expect(byId(id)[0] ?? `R,${id} missing`, `${id}`).toMatch(/,err,/);
      expect(byId(14)[0]).toMatch(/^R,14,ok,ms=\d+$/);
      expect(byId(15)[0]).toMatch(new RegExp(`^R,15,ok,fw=.*,board=${DEFAULT_BOARD},ch=2,sps=80,cal=none,.*k0=0.000000000,z0=0.0,k1=0.000000000,z1=0.0,net=0$`));
      expect(byId(15)[0]).toContain(",name0=left,name1=right,k0=");
      // streaming went on through it all
      const frames = bodies(r.out, "S").map(decodeSample);
      frames.forEach((f, i) => expect(f.seq).toBe(frames[0].seq + i));
    });

    it("tares, captures 3 points, fits, saves; the next boot is calibrated and reads force", () => {
      const k = 0.0015;
      const z = [12000, -8000];
      const counts = (f: number, ch: number) => z[ch] + f / k;
      const script = `
T.value = {${counts(0, 0)}, ${counts(0, 1)}}; T.run(1000000)
T.send(${cmd(1, "tare")}); T.run(1500000)
T.send(${cmd(2, "capture", "all", "0")}); T.run(1500000)
T.value = {${counts(981, 0)}, ${counts(981, 1)}}; T.run(300000)
T.send(${cmd(3, "capture", "all", "981.0")}); T.run(1500000)
T.value = {${counts(1962, 0)}, ${counts(1962, 1)}}; T.run(300000)
T.send(${cmd(4, "capture", "all", "1962")}); T.run(1500000)
T.send(${cmd(5, "fit")}); T.run(100000)
T.send(${cmd(6, "save", "plates-1", "2026-11-03")}); T.run(100000)
T.value = {${counts(3000, 0)}, ${counts(-250, 1)}}; T.run(500000)
${REPORT}`;
      const r = runOnFake(target, {}, script) as Run;
      expect(r.errors).toBe("");
      const replies = bodies(r.out, "R,");
      expect(replies[0]).toMatch(/^R,1,ok,z0=1[12]\d\d\d\.\d,sd0=\d\.\d,z1=-[78]\d\d\d\.\d,sd1=\d\.\d,saved=1$/);
      expect(replies[3]).toMatch(/^R,4,ok,ch=all,n0=3,c0=13(19|20)\d\d\d\.\d,/);
      const fit = splitFields(replies[4]);
      expect(fit.slice(0, 3)).toEqual(["R", "5", "ok"]);
      for (const [key, want, tol] of [["k0", k, 1e-8], ["k1", k, 1e-8], ["z0", z[0], 2], ["z1", z[1], 2], ["max0", 0, 0.01], ["n0", 3, 0]] as const) {
        expect(Math.abs(Number(fieldValue(fit, key)) - want), key).toBeLessThanOrEqual(tol);
      }
      expect(replies[5]).toMatch(/^R,6,ok,cal=plates-1,bytes=\d+$/);
      const cal = decodeCalFile(r.files["cal.txt"]);
      expect(cal.error).toBe("");
      expect(cal.id).toBe("plates-1");
      const last = bodies(r.out, "S").map(decodeSample).pop()!;
      expect(Math.abs(last.forceN[0] - 3000)).toBeLessThan(0.05);
      expect(Math.abs(last.forceN[1] + 250)).toBeLessThan(0.05);
      expect(last.flags).toEqual([0, 0]);
      const reboot = runOnFake(target, { files: r.files }, `T.value = {${counts(500, 0)}, ${counts(500, 1)}}; T.run(300000)\n${REPORT}`) as Run;
      expect(bodies(reboot.out, "B,")[0]).toContain("boot=2,cal=ok");
      expect(bodies(reboot.out, "M,")).toEqual([]);
      const f = bodies(reboot.out, "S").map(decodeSample).pop()!.forceN;
      expect(Math.abs(f[0] - 500)).toBeLessThan(0.05);
      expect(Math.abs(f[1] - 500)).toBeLessThan(0.05);
    });

    it("reports each channel's measured conversion interval (cvus<i>) in H and info, so a RATE pin at 10 SPS shows", () => {
      const at = (p0: number, p1: number) => runOnFake(target, {}, `T.period = {${p0}, ${p1}}; T.value = {1000, -2000}; T.run(4000000)
T.send(${cmd(1, "info")}); T.run(100000)
${REPORT}`) as Run;
      for (const [p0, p1] of [[12500, 12500], [12600, 100000], [100000, 12400]]) {
        const r = at(p0, p1);
        expect(r.errors).toBe("");
        const hb = splitFields(bodies(r.out, "H,").pop()!);
        const info = splitFields(bodies(r.out, "R,1,ok")[0]);
        for (const fields of [hb, info]) {
          expect(Math.abs(Number(fieldValue(fields, "cvus0")) - p0), `cvus0 at ${p0}`).toBeLessThanOrEqual(p0 * 0.01);
          expect(Math.abs(Number(fieldValue(fields, "cvus1")) - p1), `cvus1 at ${p1}`).toBeLessThanOrEqual(p1 * 0.01);
          expect(fieldValue(fields, "cvus0")).toMatch(/^\d+$/);
        }
      }
    });

    it("Chronojump mode: exact replies with \\r\\n, samples from start_capture that do not wrap with tmr.now, kept on flash, and back", () => {
      const cal = encodeCalFile("t", "d", [0, 1].map(() => ({ ...emptyCalChannel(), nPerCount: 0.01 })));
      // the fake's clock runs past 2^31 µs only where numbers are doubles (5.1); the 32-bit 5.3 VM starts at 2 s
      const t0 = target === "5.1" ? "2147483648 - 4000000" : "2000000";
      const r = runOnFake(target, { files: { "cal.txt": cal }, start: false }, `T.now = ${t0}; T.next = {T.now + 3000, T.now + 9000}
T.counted(function() require("app").start() end)
T.value = {1000, -2000}; T.run(500000)
T.send(${cmd(1, "mode", "chronojump")}); T.run(100000)
for _, l in ipairs({"get_version:", "get_transmission_format:", "bogus", "calibrate:x;", "set_tare:;", "get_calibration_factor:", "start_capture:"}) do T.send(l); T.run(20000) end
T.run(6000000)
T.send("end_capture:"); T.run(100000)
T.send(${cmd(2, "info")}); T.run(100000)
${REPORT}`) as Run;
      expect(r.errors).toBe("");
      expect(r.files.mode).toBe("chronojump");
      const cj = r.out.slice(r.out.indexOf("R,1,ok,mode=chronojump"));
      const lines = cj.split("\n").slice(1, -1);
      const sealed = lines.filter((l) => openLine(l).error === "");
      expect(sealed.map((l) => l.slice(0, 4))).toEqual(["R,2,"]); // no frames or heartbeats, rackcell still answered
      expect(openLine(sealed[0]).body).toMatch(/,mode=chronojump,/);
      const chrono = lines.filter((l) => openLine(l).error !== "");
      for (const l of chrono) expect(l.endsWith("\r"), JSON.stringify(l)).toBe(true);
      const text = chrono.map((l) => l.slice(0, -1));
      expect(text.slice(0, 7)).toEqual(["Force_Sensor-0.6", "text", "Not a valid command", "Not a valid command", "Not a valid command", "100.000000", "Starting capture..."]);
      expect(text[text.length - 1]).toBe("Capture ended:");
      const samples = text.slice(7, -1).map((l) => /^(\d+);(-?\d+\.\d\d)$/.exec(l));
      expect(samples.length).toBeGreaterThan(470);
      const us = samples.map((m) => Number(m![1]));
      expect(us[0]).toBeLessThan(20000);
      us.forEach((t, i) => i > 0 && expect(t - us[i - 1]).toBeGreaterThan(5000)); // across tmr.now's wrap at 2^31 µs
      expect(us[us.length - 1]).toBeGreaterThan(5900000);
      for (const m of samples) expect(Math.abs(Number(m![2]) + 10)).toBeLessThanOrEqual(0.05); // 0.01 N/count × (1000 − 2000)
      const back = runOnFake(target, { files: r.files }, `T.run(500000); T.send("get_version:"); T.run(50000); T.send(${cmd(3, "mode", "rackcell")}); T.run(200000)\n${REPORT}`) as Run;
      expect(back.out).not.toContain("B,"); // the mode was kept on flash: Chronojump's silence at boot
      expect(back.out).toContain("Force_Sensor-0.6\r\n");
      expect(bodies(back.out, "R,3,ok")).toEqual(["R,3,ok,mode=rackcell"]);
      expect(bodies(back.out, "S").length).toBeGreaterThan(5);
      expect(back.files.mode).toBeUndefined();
    });

    it("info names each channel as the board definition does (a one-pin board's is \"total\")", () => {
      const r = runOnFake(target, { board: "nodemcu-v3-1pin" }, `T.value = {1000, 0}; T.run(500000) -- the fake always runs a second chip: unused here
T.send(${cmd(1, "info")}); T.run(100000)
${REPORT}`) as Run;
      expect(r.errors).toBe("");
      expect(bodies(r.out, "R,1,ok")[0]).toMatch(/,board=nodemcu-v3-1pin,ch=1,.*,name0=total,k0=/);
    });

    it("replays the lift log from flash one line per tick, skipping torn and corrupt lines; a second replay meanwhile is refused", () => {
      const stored = (id: number) => sealLine(`E,id=${id},boot=1,kind=rackpull,w=${1000 + id}.0`);
      const log = [...Array.from({ length: 9 }, (_, i) => stored(i + 1)), "E,id=99,boot=1,kind=rackpull*0000",
        ...Array.from({ length: 22 }, (_, i) => stored(i + 10))].join("\n") + "\nE,id=32,boot=1,ki"; // torn by a power cut
      const r = runOnFake(target, { files: { "lifts.txt": log } }, `T.value = {0, 0}; T.run(1000000)
T.send(${cmd(1, "lifts", "25")}); T.run(50000)
T.send(${cmd(2, "lifts", "0")}); T.run(1000000)
T.send(${cmd(3, "lifts", "29")}); T.run(1000000)
${REPORT}`) as Run;
      expect(r.errors).toBe("");
      const out = lines(r.out).filter((l) => /^(E,|R,[123],)/.test(l));
      // the refusal is answered at once, in the middle of the first replay
      expect(out.filter((l) => l.startsWith("R,2,"))).toEqual([sealLine("R,2,err,busy: a lifts replay is running")]);
      expect(out.filter((l) => !l.startsWith("R,2,"))).toEqual([
        ...[26, 27, 28, 29, 30, 31].map(stored), sealLine("R,1,ok,count=6"),
        stored(30), stored(31), sealLine("R,3,ok,count=2"),
      ]);
      // the replay went on while frames streamed
      const frames = bodies(r.out, "S").map(decodeSample);
      frames.forEach((f, i) => expect(f.seq).toBe(frames[0].seq + i));
      expect(r.files["lifts.txt"]).toBe(log);
    });

    it("a power cut at any flash step of save leaves the old or the new calibration", () => {
      const k = 0.002;
      const base = `
T.value = {0, 0}; T.run(500000)
T.send(${cmd(1, "capture", "all", "0")}); T.run(1500000)
T.value = {500000, 500000}; T.run(300000)
T.send(${cmd(2, "capture", "all", "1000")}); T.run(1500000)
T.send(${cmd(3, "fit")}); T.run(100000)
T.send(${cmd(4, "save", "old", "d1")}); T.run(100000)
T.send(${cmd(5, "clearpoints")}); T.value = {0, 0}; T.run(300000)
T.send(${cmd(6, "capture", "all", "0")}); T.run(1500000)
T.value = {250000, 250000}; T.run(300000)
T.send(${cmd(7, "capture", "all", "1000")}); T.run(1500000)
T.send(${cmd(8, "fit")}); T.run(100000)
`;
      expect(k).toBeGreaterThan(0);
      const seen = new Set<string>();
      for (let cut = 0; cut <= 8; cut++) {
        const r = runOnFake(target, {}, `${base}T.fileOps = 0; T.cutAfter = ${cut}
T.send(${cmd(9, "save", "new", "d2")}); T.run(100000)
${REPORT}`) as Run;
        expect(r.errors).toBe("");
        const after = runOnFake(target, { files: r.files }, `T.run(200000)\n${REPORT}`) as Run;
        const b = bodies(after.out, "B,")[0];
        expect(b, `cut after ${cut} file ops`).toContain("cal=ok");
        const info = runOnFake(target, { files: r.files }, `T.run(100000); T.send(${cmd(1, "info")}); T.run(100000)\n${REPORT}`) as Run;
        const calid = fieldValue(splitFields(bodies(info.out, "R,1,ok")[0]), "calid");
        expect(["old", "new"]).toContain(calid);
        seen.add(calid);
        expect(Object.keys(after.files).filter((f) => f.endsWith(".tmp"))).toEqual([]);
      }
      expect([...seen].sort()).toEqual(["new", "old"]);
    });

    it("safe-mode pin and the crash-loop guard keep the application from starting", () => {
      const safe = runOnFake(target, { files: {} , start: false }, `T.safeLow = true
dofile("${process.cwd()}/build/lua${target === "5.1" ? "51" : "53"}/init.lua"); T.run(3000000)
${REPORT}`) as Run;
      expect(safe.out).toMatch(/^rackcell: safe mode: pin 3 is held low/);
      expect(safe.out).not.toContain("B,");
      const struck = runOnFake(target, { files: { strikes: "3" }, start: false }, `
dofile("${process.cwd()}/build/lua${target === "5.1" ? "51" : "53"}/init.lua"); T.run(3000000)
${REPORT}`) as Run;
      expect(struck.out).toMatch(/did not run cleanly in 3 boots/);
      expect(struck.out).not.toContain("B,");
      expect(struck.files.strikes).toBe("3");
      const normal = runOnFake(target, { files: { strikes: "1" }, start: false }, `
dofile("${process.cwd()}/build/lua${target === "5.1" ? "51" : "53"}/init.lua"); T.run(3000000)
local s1 = T.files.strikes; T.run(31000000)
T.strikesAt3s = s1
collectgarbage("collect")
__write(__json({ out = #T.take(), s1 = s1, s2 = T.files.strikes or "gone", errors = T.errors or "" }))`) as { out: number; s1: string; s2: string; errors: string };
      expect(normal.errors).toBe("");
      expect(normal.out).toBeGreaterThan(1000);
      expect(normal.s1).toBe("2");
      expect(normal.s2).toBe("gone");
    });
  });
}

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tstl from "typescript-to-lua";
import { describe, expect, it } from "vitest";
import { runLuaProgram } from "../../../testing/lua-vm.ts";
import { nodemcuProfileLua } from "../../../testing/nodemcu-profile.ts";
import * as P from "./index.ts";

/**
 * The physics runs inside the emulator's Lua 5.1 VM: transpile this folder with the emulator's
 * TSTL settings (5.1, noImplicitSelf, minimal lualib) into one bundle, run the same program in
 * lua5.1 (under the NodeMCU profile, the strictest place it could end up) and in Node, and
 * require identical output, bit for bit.
 */
const HERE = path.dirname(new URL(import.meta.url).pathname);
const ROOT = path.resolve(HERE, "../../../..");

function transpileBundle(): string {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "physics-lua-"));
  const cfg = path.join(tmp, "tsconfig.json");
  fs.writeFileSync(cfg, JSON.stringify({
    extends: path.join(ROOT, "tsconfig.base.json"),
    compilerOptions: {
      lib: ["ES2020"], types: ["lua-types/5.1", "@typescript-to-lua/language-extensions"], typeRoots: [path.join(ROOT, "node_modules/@types"), path.join(ROOT, "node_modules")],
      rootDir: ROOT, outDir: path.join(tmp, "out"), noEmit: false, rewriteRelativeImportExtensions: true,
    },
    tstl: {
      luaTarget: "5.1", luaLibImport: "require-minimal", noImplicitSelf: true, noHeader: true,
      luaBundle: "physics.lua", luaBundleEntry: path.join(HERE, "index.ts"),
    },
    files: ["fmath.ts", "cell.ts", "hx711.ts", "spec.ts", "scenarios.ts", "csv.ts", "index.ts"].map((f) => path.join(HERE, f)),
  }));
  let lua = "";
  const res = tstl.transpileProject(cfg, {}, (name, text) => { if (name.endsWith(".lua")) lua = text; });
  fs.rmSync(tmp, { recursive: true, force: true });
  const msgs = res.diagnostics.map((d) => ts2str(d.messageText));
  if (msgs.length > 0) throw new Error(`TSTL:\n${msgs.join("\n")}`);
  return lua;
}

function ts2str(m: string | { messageText: string }): string {
  return typeof m === "string" ? m : m.messageText;
}

const CELL = { capacityN: 4903.3, ratedOutputMvPerV: 2.0, excitationV: 4.3 };

/** The same exercise written twice: once in Lua (driver below), once here. */
const LUA_DRIVER = String.raw`
local cell = { capacityN = 4903.3, ratedOutputMvPerV = 2.0, excitationV = 4.3 }
local out = {}
local function put(x) out[#out + 1] = string.format("%.17g", x) end
local sc = P.scenarioByName("rackpull:kg=300,emptyS=0.5,restS=0.5,riseS=0.6,holdS=0.3", 2, 77)
put(sc.durationS); put(sc.truth.liftOffS); put(sc.truth.peakN)
local a = P.createHx711Chip({ cell = cell, rateSps = 80, seed = 5, channel = 0, source = function(t) return sc.forceN(0, t) end })
local t = 0
for i = 1, 200 do t = a.nextReadyUs(t); put(a.readWord(t + 1, 0)); t = t + 1 end
local b = P.createHx711Chip({ cell = cell, rateSps = 10, seed = 5, channel = 1, source = function(t) return sc.forceN(1, t) end })
t = 0
for i = 1, 30 do
  t = b.nextReadyUs(t) + 1
  local raw = 0
  for k = 1, 27 do
    b.clock(1, t); t = t + 2; b.clock(0, t); t = t + 2
    if k <= 24 then raw = raw * 2 + b.dout(t) end
  end
  put(raw)
end
local c = b.counters()
put(c.conversions); put(c.unread); put(c.timingViolations); put(c.powerDowns)
local iso = P.scenarioByName("isometric:model=phys", 1, 3)
put(iso.truth.peakN); put(iso.truth.timeTo90S); put(iso.forceN(0, 8.123))
local csv = P.scenarioFromCsv("t,l,r\n0,0,0\n1,100,50\n", nil)
put(csv.forceN(0, 0.3)); put(csv.forceN(1, 0.7))
local ok, err = pcall(P.scenarioFromCsv, "0,1\n1,x")
put(ok and 1 or 0)
__out.write(table.concat(out, "\n"), "\n", tostring(err), "\n")
`;

function fmt(x: number): string {
  // Same text as Lua's %.17g for the integers and doubles used here.
  if (Number.isInteger(x) && Math.abs(x) < 1e17) return x.toFixed(0);
  const s = x.toPrecision(17);
  return s.includes("e") ? s : s.replace(/0+$/, "").replace(/\.$/, "");
}

function jsRun(): string {
  const out: string[] = [];
  const put = (x: number) => out.push(fmt(x));
  const sc = P.scenarioByName("rackpull:kg=300,emptyS=0.5,restS=0.5,riseS=0.6,holdS=0.3", 2, 77);
  put(sc.durationS); put(sc.truth.liftOffS!); put(sc.truth.peakN!);
  const a = P.createHx711Chip({ cell: CELL, rateSps: 80, seed: 5, channel: 0, source: (t) => sc.forceN(0, t) });
  let t = 0;
  for (let i = 0; i < 200; i++) { t = a.nextReadyUs(t); put(a.readWord(t + 1, 0)); t += 1; }
  const b = P.createHx711Chip({ cell: CELL, rateSps: 10, seed: 5, channel: 1, source: (t) => sc.forceN(1, t) });
  t = 0;
  for (let i = 0; i < 30; i++) {
    t = b.nextReadyUs(t) + 1;
    let raw = 0;
    for (let k = 1; k <= 27; k++) {
      b.clock(1, t); t += 2; b.clock(0, t); t += 2;
      if (k <= 24) raw = raw * 2 + b.dout(t);
    }
    put(raw);
  }
  const c = b.counters();
  put(c.conversions); put(c.unread); put(c.timingViolations); put(c.powerDowns);
  const iso = P.scenarioByName("isometric:model=phys", 1, 3);
  put(iso.truth.peakN!); put(iso.truth.timeTo90S!); put(iso.forceN(0, 8.123));
  const csv = P.scenarioFromCsv("t,l,r\n0,0,0\n1,100,50\n");
  put(csv.forceN(0, 0.3)); put(csv.forceN(1, 0.7));
  let err = "";
  try { P.scenarioFromCsv("0,1\n1,x"); put(1); } catch (e) { put(0); err = String(e); }
  return `${out.join("\n")}\n${err}\n`;
}

describe("physics in Lua 5.1", () => {
  it("transpiles and gives exactly the JavaScript results (200 conversions, bit-bang, scenarios, CSV errors)", () => {
    const bundle = transpileBundle();
    // io is removed by the NodeMCU profile: the driver keeps a reference taken before it.
    const full = `local __out = io\n${nodemcuProfileLua("5.1")}\nlocal P = (function(...)\n${bundle}\nend)()\n${LUA_DRIVER}`;
    const lua = runLuaProgram("5.1", full);
    const js = jsRun();
    const luaLines = lua.split("\n");
    const jsLines = js.split("\n");
    expect(luaLines.length).toBe(jsLines.length);
    for (let i = 0; i < jsLines.length; i++) expect(`${i}: ${luaLines[i]}`).toBe(`${i}: ${jsLines[i]}`);
    expect(luaLines.slice(3, 203).some((l) => l !== luaLines[3])).toBe(true); // not a constant
  });
});

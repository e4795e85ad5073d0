import { describe, expect, it } from "vitest";
import { encodeSample, sealLine } from "../shared/protocol/frame.ts";
import { formatFixed, formatInt } from "../shared/protocol/wire-number.ts";
import { luaPrelude, runLuaProgram } from "../host/testing/lua-vm.ts";
import { toLuaLiteral } from "../host/testing/lua-values.ts";

/** The board's fast frame writer must give exactly the bytes of the shared codec (frame.ts). */
function cases(): { seq: number; raws: number[]; flags: number[]; forces: number[] }[] {
  let s = 7;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const out = [];
  const special = [0, 0.05, -0.05, 0.04, -0.04, 0.15, 2.25, -2.25, 1234.55, -0.0001, 99999.95, NaN];
  for (let i = 0; i < 3000; i++) {
    const n = i % 3 === 0 ? 1 : 2;
    const raws = [], flags = [], forces = [];
    for (let ch = 0; ch < n; ch++) {
      raws.push(i % 17 === 0 ? 8388607 + ch : i % 19 === 0 ? -8388609 : Math.floor(rnd() * 16777216) - 8388608);
      flags.push(Math.floor(rnd() * 16));
      forces.push(i % 5 === 0 ? special[(i / 5 + ch) % special.length] : Math.round((rnd() - 0.5) * 2e6) / 100);
    }
    out.push({ seq: Math.floor(rnd() * 300000), raws, flags, forces });
  }
  return out;
}

for (const target of ["5.1", "5.3"] as const) {
  describe(`framer (Lua ${target})`, () => {
    it("encodes sample frames, seals lines and formats numbers exactly like shared/protocol", () => {
      const cs = cases();
      const bodies = ["H,up=1", "R,12,ok,k0=0.001360000", "E,id=1,boot=2,kind=rackpull", "S", ""];
      // 1e8 + 0.05 checks the doubles of Lua 5.1; NodeMCU's Lua 5.3 has single floats, where that
      // number does not exist (7 significant digits; no pin load comes near 1e8 N).
      const nums = [0, 0.5, -0.5, 1.45, -1.45, 12345.65, -7, 2.5, ...(target === "5.1" ? [1e8 + 0.05] : [])];
      const program = `${luaPrelude(target)}
local fr = require("framer")
local cs = ${toLuaLiteral(cs)}
local out = {}
for i, c in ipairs(cs) do out[i] = fr.seal(fr.sampleBody(c.seq, c.raws, c.flags, c.forces, #c.raws)) end
for _, b in ipairs(${toLuaLiteral(bodies)}) do out[#out + 1] = fr.seal(b) end
for _, x in ipairs(${toLuaLiteral(nums)}) do out[#out + 1] = fr.fmt1(x); out[#out + 1] = fr.fmtInt(x) end
__write(__json(out))`;
      const lua = JSON.parse(runLuaProgram(target, program)) as string[];
      const js = cs.map((c) => encodeSample(c.seq, c.raws, c.flags, c.forces));
      for (const b of bodies) js.push(sealLine(b));
      for (const x of nums) js.push(formatFixed(x, 1), formatInt(x));
      expect(lua).toEqual(js);
    });
  });
}

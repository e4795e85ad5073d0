import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulatedBoard } from "../../host/emulator/index.ts";
import { DEFAULT_BOARD } from "../../host/paths.ts";

/**
 * How fast the emulated board runs on the "fast" clock: simulated seconds per wall second, with
 * both channels at 80 SPS — channel 0 through hx711.start (interrupt + double buffers), channel 1
 * bit-banged from a gpio.trig callback on DOUT — and a short line printed per sample.
 */
const INIT = `
hx711.init(5, 6)
hx711.start(0, 1, function(s, t) print("L", struct.unpack("<i3", s), t) end)
local function rd()
  local v = 0
  for i = 1, 24 do gpio.write(7, 1) gpio.write(7, 0) v = v * 2 + gpio.read(2) end
  gpio.write(7, 1) gpio.write(7, 0)
  if v >= 8388608 then v = v - 16777216 end
  return v
end
gpio.mode(7, gpio.OUTPUT) gpio.write(7, 0) gpio.mode(2, gpio.INT)
gpio.trig(2, "down", function(level, when) print("R", rd(), when) end)
-- DOUT may already be low (a conversion nobody read): only a read lets it fall again.
if gpio.read(2) == 0 then rd() end
`;

export async function figures(): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-bench-emu-"));
  fs.writeFileSync(path.join(dir, "init.lua"), INIT);
  const board = await startEmulatedBoard({ flashDir: dir, install: "none", clock: "fast", scenario: "rackpull", board: DEFAULT_BOARD });
  let lines = 0;
  board.onData((d) => { for (const c of d) if (c === 10) lines++; });
  try {
    await new Promise((r) => setTimeout(r, 500)); // boot and warm up
    const s0 = await board.stats();
    const w0 = performance.now();
    const l0 = lines;
    await new Promise((r) => setTimeout(r, 4000));
    const s1 = await board.stats();
    const wallS = (performance.now() - w0) / 1000;
    const simS = (s1.virtualUs - s0.virtualUs) / 1e6;
    return {
      "emulator.speedup_fast": simS / wallS,
      "emulator.lines_per_sim_s": (lines - l0) / simS,
    };
  } finally {
    await board.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

/**
 * The board's Lua process never outlives the Node process that started it (an orphan used to
 * keep simulating at full speed after a killed test run).
 */
const HERE = path.dirname(new URL(import.meta.url).pathname);
const cleanup: (() => void)[] = [];
afterEach(() => { for (const f of cleanup.splice(0)) f(); });

/** State letter of a process ("Z" zombie …), or undefined when it is gone. */
function procState(pid: number): string | undefined {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return s.slice(s.lastIndexOf(")") + 2).split(" ")[0];
  } catch {
    return undefined;
  }
}

async function gone(pid: number, ms: number): Promise<boolean> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    const st = procState(pid);
    if (st === undefined || st === "Z" || st === "X") return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe("the Lua process of a board", () => {
  for (const clock of ["manual", "fast"] as const) {
    it(`exits when the Node process that started it is killed (clock ${clock}, mid-run)`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-proc-test-"));
      cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
      fs.writeFileSync(path.join(dir, "init.lua"), "tmr.create():alarm(1, tmr.ALARM_AUTO, function() local s = 0 for i = 1, 2000 do s = s + i end end)");
      const script = path.join(dir, "run.mts");
      fs.writeFileSync(script, `
import { execSync } from "node:child_process";
import { startEmulatedBoard } from ${JSON.stringify(path.join(HERE, "index.ts"))};
const b = await startEmulatedBoard({ flashDir: ${JSON.stringify(dir)}, install: "none", clock: "${clock}" });
if ("${clock}" === "manual") void b.advance(3_600_000); // one hour of virtual time in one call
const lua = execSync("pgrep -P " + process.pid + " lua5.1").toString().trim();
console.log("LUA " + lua);
setInterval(() => {}, 1000);
`);
      const node = spawn(process.execPath, ["--import", "tsx", script], { stdio: ["ignore", "pipe", "inherit"] });
      cleanup.push(() => { try { node.kill("SIGKILL"); } catch { /* gone */ } });
      const luaPid = await new Promise<number>((resolve, reject) => {
        let out = "";
        node.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const m = out.match(/LUA (\d+)/);
          if (m) resolve(Number(m[1]));
        });
        node.on("exit", () => reject(new Error(`runner exited: ${out}`)));
      });
      expect(procState(luaPid)).toBeDefined();
      await new Promise((r) => setTimeout(r, 300)); // well into the run
      node.kill("SIGKILL"); // no exit handlers: only the Lua side can notice
      expect(await gone(luaPid, 3000)).toBe(true);
    });
  }
});

import * as path from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { REPO } from "./testing/chromium.ts";

/** The page bundled as `npm run build` bundles it, with the list of modules it took in. */
async function pageInputs(entry = "host/web/app.ts"): Promise<string[]> {
  const r = await build({
    entryPoints: [path.join(REPO, entry)], bundle: true, platform: "browser", format: "esm", write: false, metafile: true, logLevel: "silent",
    absWorkingDir: REPO,
  });
  return Object.keys(r.metafile.inputs);
}

describe("the page runs the host's session code in the browser", () => {
  it("bundles for the browser with the host's session, transport, calibration and verification modules, and nothing Node-only", async () => {
    const inputs = await pageInputs();
    for (const m of [
      "host/session/session.ts", "host/session/integrity.ts", "host/session/board-info.ts", "host/session/fast-decode.ts", "host/session/live.ts",
      "host/transport/connection.ts", "host/transport/handshake.ts", "host/calibrate/run.ts", "host/calibrate/plan.ts", "host/verify/run.ts",
      "host/report/lift.ts", "shared/units/force.ts",
    ]) expect(inputs, m).toContain(m);
    expect(inputs.filter((i) => /^node:|serialport|better-sqlite3|node_modules\/ws\//.test(i))).toEqual([]);
  });

  it("a Node-only import cannot reach the page: bundling the CLI's serial session opener for the browser fails", async () => {
    await expect(pageInputs("host/cli/open-session.ts")).rejects.toThrow(/node:|serialport|Could not resolve/);
  });
});

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { publicKeyHexOf, signedCertificateText } from "../testing/firmware/signer-files.ts";

/** `rackcell check` from the bundled CLI (dist/rackcell.mjs), in a folder of its own. */
const CLI = path.resolve("dist", "rackcell.mjs");

describe("rackcell check (bundled CLI)", () => {
  it("exit 0 for a valid certificate from a trusted key, 2 for an unknown key, 1 for a changed byte", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-check-"));
    try {
      const seed = Buffer.alloc(32, 5);
      fs.writeFileSync(path.join(dir, "lift.json"), signedCertificateText(seed));
      fs.writeFileSync(path.join(dir, "rack.key.json"), JSON.stringify({ publicKeyHex: publicKeyHexOf(seed) }));
      const run = (...args: string[]) => spawnSync(process.execPath, [CLI, "check", ...args], { cwd: dir, encoding: "utf8", timeout: 30_000 });
      const ok = run("lift.json", "--trust", "rack.key.json");
      expect([ok.status, ok.stdout.split("\n")[0]]).toEqual([0, expect.stringMatching(/^VALID: 1 lift\(s\), key [0-9a-f ]{39}$/)]);
      const unknown = run("lift.json", "--json");
      expect(unknown.status).toBe(2);
      expect(JSON.parse(unknown.stdout)).toMatchObject({ valid: 1, knownKey: 0, lifts: 1 });
      fs.writeFileSync(path.join(dir, "lift.json"), signedCertificateText(seed, (e) => e.replace("weighed=1766.8", "weighed=1966.8")));
      const bad = run("lift.json", "--trust", "rack.key.json");
      expect(bad.status).toBe(1);
      expect(bad.stdout).toMatch(/INVALID[\s\S]*signature does not match/);
      const missing = run("nope.json");
      expect(missing.status).toBe(1);
      expect(missing.stderr).toMatch(/^rackcell: .*nope\.json/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { listBoards, loadBoard } from "../build/boards.ts";
import { requiredModules, uploadSet } from "../deploy/deploy.ts";
import { PROBED_MODULES } from "../deploy/lua-helper.ts";

/** The README's "Build one" guide stays true to what deploy checks and what the command draws. */
const ROOT = path.join(import.meta.dirname, "..", "..");
const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const section = readme.slice(readme.indexOf("## Build one"), readme.indexOf("\n## ", readme.indexOf("## Build one") + 5));

describe("README: Build one", () => {
  it("names exactly the NodeMCU modules deploy requires, plus crypto for SHA-256 checks", () => {
    const paragraph = section.slice(section.indexOf("**NodeMCU firmware.**"), section.indexOf("**Flash and deploy.**"));
    const named = new Set([...paragraph.matchAll(/`([a-z0-9]+)`/g)].map((m) => m[1]).filter((m) => (PROBED_MODULES as readonly string[]).includes(m)));
    const needed = new Set<string>(["crypto"]);
    for (const name of listBoards()) {
      const usesModule = loadBoard(name).channels.some((c) => c.reader === "hx711-module");
      for (const m of requiredModules(uploadSet(name, ROOT).files, usesModule)) needed.add(m);
    }
    expect([...named].sort()).toEqual([...needed].sort());
  });

  it("shows a committed wiring picture", () => {
    const pictures = [...section.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
    expect(pictures.length).toBeGreaterThan(0);
    for (const p of pictures) {
      expect(p).toMatch(/^host\/wiring\/pictures\/[a-z0-9-]+\.png$/);
      expect(fs.existsSync(path.join(ROOT, p)), p).toBe(true);
    }
  });
});

import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The README's Layout table names every folder of the source tree, so a newcomer finds where a
 * thing belongs. Test vectors (`shared/<x>/vectors/`, one row for all) and folders of pictures
 * committed beside their code (`screenshots/`, `pictures/`) are covered by their parent's row.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const TOP = ["shared", "firmware", "boards", "host", "hil-tests", "bench"];
const SKIP = new Set(["node_modules", "dist", "build", "vectors", "screenshots", "pictures"]);

function folders(rel: string, out: string[]): string[] {
  out.push(rel);
  for (const e of fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
    if (e.isDirectory() && !SKIP.has(e.name) && !e.name.startsWith(".")) folders(`${rel}/${e.name}`, out);
  }
  return out;
}

function layoutRows(readme: string): Set<string> {
  const section = readme.slice(readme.indexOf("## Layout"), readme.indexOf("\n## ", readme.indexOf("## Layout") + 1));
  const rows = new Set<string>();
  for (const m of section.matchAll(/^\| `([^`]+)\/` \|/gm)) rows.add(m[1]);
  return rows;
}

describe("README layout", () => {
  const rows = layoutRows(fs.readFileSync(path.join(ROOT, "README.md"), "utf8"));

  it("reads the table's rows", () => {
    expect(rows.has("host/cli/commands")).toBe(true);
    expect(layoutRows("## Layout\n| `a/b/` | x |\n## Next\n| `c/` | y |\n")).toEqual(new Set(["a/b"]));
  });

  it("lists every folder of the source tree, and no folder that is gone", () => {
    const tree = TOP.flatMap((t) => folders(t, []));
    expect(tree.filter((f) => !rows.has(f)), "folders missing from README's Layout table").toEqual([]);
    expect([...rows].filter((r) => !r.includes("*") && !fs.existsSync(path.join(ROOT, r))), "rows naming no folder").toEqual([]);
  });
});

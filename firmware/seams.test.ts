import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The firmware's seams, checked on its sources: every line leaves through sink.ts, and the
 * modules (static imports and the string require()s TypeScript cannot see) form no circle.
 */
const DIR = path.dirname(new URL(import.meta.url).pathname);
const sources = fs.readdirSync(DIR).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));

/** Firmware modules a source depends on: `from "./x.ts"` and `require("x")` (flat names: x-y = x_y). */
function dependencies(file: string): string[] {
  const text = fs.readFileSync(path.join(DIR, file), "utf8");
  const deps = new Set<string>();
  for (const m of text.matchAll(/^import (?!type)[^;]*from "\.\/([\w-]+)\.ts"/gm)) deps.add(`${m[1]}.ts`);
  for (const m of text.matchAll(/require\("([\w-]+)"\)/g)) {
    const name = sources.find((s) => s.slice(0, -3).replace(/-/g, "_") === m[1].replace(/-/g, "_"));
    if (name !== undefined) deps.add(name);
  }
  return [...deps];
}

/** A circle in the graph, as a path, or [] when there is none. */
function findCircle(graph: Map<string, string[]>): string[] {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (n: string): string[] => {
    if (state.get(n) === "done") return [];
    if (state.get(n) === "open") return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, "open");
    stack.push(n);
    for (const d of graph.get(n) ?? []) {
      const c = visit(d);
      if (c.length > 0) return c;
    }
    stack.pop();
    state.set(n, "done");
    return [];
  };
  for (const n of graph.keys()) {
    const c = visit(n);
    if (c.length > 0) return c;
  }
  return [];
}

describe("firmware seams", () => {
  it("only the sink writes to the UART", () => {
    const writers = sources.filter((f) => /uart\.write\s*\(/.test(fs.readFileSync(path.join(DIR, f), "utf8")));
    expect(writers).toEqual(["sink.ts"]);
  });

  it("has no import circle, string require()s included, and nothing but init loads the app", () => {
    const graph = new Map(sources.map((f) => [f, dependencies(f)]));
    expect(graph.get("proto-rackcell.ts")).toContain("commands.ts"); // the string requires are seen
    expect(findCircle(graph)).toEqual([]);
    const loadsApp = [...graph].filter(([, deps]) => deps.includes("app.ts")).map(([f]) => f);
    expect(loadsApp).toEqual(["init.ts"]);
  });

  it("the circle finder finds a circle made through a string require", () => {
    const graph = new Map([["a.ts", ["b.ts"]], ["b.ts", ["c.ts"]], ["c.ts", ["a.ts"]]]);
    expect(findCircle(graph)).toEqual(["a.ts", "b.ts", "c.ts", "a.ts"]);
  });
});

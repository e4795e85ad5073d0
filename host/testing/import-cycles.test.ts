import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildImportGraph, describeCircle, importCircles } from "./import-graph.ts";

/**
 * No import circle in host/, shared/, firmware/ or bench/: a circle makes two modules one in
 * disguise (neither can be understood, tested or loaded on the board without the other). The
 * firmware's string require("x") counts (see import-graph.ts).
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const CHECKED = ["host", "shared", "firmware", "bench"];

// Circles allowed to remain: none (the firmware's app ↔ commands and the validation's suite ↔
// emulated were removed). Nothing may be added to this list.
const KNOWN_TODAY: string[][] = [];

describe("import circles", () => {
  const graph = buildImportGraph(ROOT, CHECKED);
  const circles = importCircles(graph);
  const key = (c: string[]) => c.join(" ");
  const known = new Set(KNOWN_TODAY.map(key));

  it("reads the whole tree, the firmware's string requires included", () => {
    expect(graph.files.length).toBeGreaterThan(100);
    // app.ts loads its protocol and the lift log only through string require()s, which TypeScript does not follow
    expect(graph.edges.get("firmware/app.ts")).toContain("firmware/proto-rackcell.ts");
    expect(graph.edges.get("firmware/app.ts")).toContain("firmware/liftlog.ts");
  });

  it(`there is none in ${CHECKED.join("/, ")}/ beyond the known list (which only shrinks)`, () => {
    const report = circles.map((c) => `${describeCircle(graph, c)}   [${c.join(", ")}]`);
    const unexpected = circles.filter((c) => !known.has(key(c)));
    expect(unexpected.map((c) => describeCircle(graph, c)), `import circles:\n${report.join("\n")}`).toEqual([]);
    const gone = KNOWN_TODAY.filter((c) => !circles.some((d) => key(d) === key(c)));
    expect(gone, "these known circles are gone (or changed): remove them from KNOWN_TODAY").toEqual([]);
  });
});

describe("the circle check itself", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-cycles-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };

  it("finds a synthetic circle through a string require, a type import and a re-export", () => {
    write("firmware/app.ts", 'import { b } from "../shared/b.ts";\nexport const a = b + 1;\nexport function later(): void { require("cmds"); }\n');
    write("firmware/cmds.ts", 'import type { T } from "../shared/t.ts";\nexport const c: T = 1;\n');
    write("shared/b.ts", "export const b = 1;\n");
    write("shared/t.ts", 'export type T = number;\nexport { a } from "../firmware/app.ts";\n');
    write("shared/leaf.ts", 'import { b } from "./b.ts";\nexport const leaf = b;\n');
    const g = buildImportGraph(dir, ["firmware", "shared"]);
    const circles = importCircles(g);
    expect(circles).toEqual([["firmware/app.ts", "firmware/cmds.ts", "shared/t.ts"]]);
    expect(describeCircle(g, circles[0])).toBe("firmware/app.ts → firmware/cmds.ts → shared/t.ts → firmware/app.ts");
  });

  it("finds a file that imports itself, maps flat Lua names, and passes a tree without circles", () => {
    write("x/self.ts", 'import "./self.ts";\n');
    write("y/one.ts", 'export function f(): unknown { return require("protocol_two"); }\n');
    write("shared/protocol/two.ts", "export const two = 2;\n");
    expect(importCircles(buildImportGraph(dir, ["x"]))).toEqual([["x/self.ts"]]);
    const g = buildImportGraph(dir, ["y", "shared"]);
    expect(g.edges.get("y/one.ts")).toEqual(["shared/protocol/two.ts"]);
    expect(importCircles(g)).toEqual([]);
  });
});

/**
 * The repository's import graph and its circles, for the check in import-cycles.test.ts.
 *
 * Edges are what a module needs at run time or to type-check: static imports and re-exports
 * (type-only ones included: a circle of types still ties two modules into one), dynamic
 * `import("…")`, and the firmware's string `require("x")`, which TypeScript does not follow: it
 * names the Lua module x, i.e. firmware/x.ts, or a flat module name of the build
 * (host/build/flat-names.ts: "protocol_frame" is shared/protocol/frame.ts). A require that names
 * no source file (board.lua and buildinfo.lua are data the build writes) is no edge. Specifiers
 * are resolved by TypeScript's own module resolution with the repository's compiler options;
 * packages (node_modules) are leaves and left out.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { flatModuleName } from "../build/flat-names.ts";

export interface ImportGraph {
  /** files relative to the root, "/"-separated, sorted */
  files: string[];
  /** file → the files it imports (relative, sorted, no duplicates) */
  edges: Map<string, string[]>;
}

const SKIP_DIRS = new Set(["node_modules", "dist", "build", ".git"]);

function listTsFiles(root: string, dir: string, out: string[]): void {
  const full = path.join(root, dir);
  if (!fs.existsSync(full)) return;
  for (const entry of fs.readdirSync(full, { withFileTypes: true })) {
    const rel = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) listTsFiles(root, rel, out);
    } else if (entry.name.endsWith(".ts")) out.push(rel);
  }
}

function compilerOptions(root: string): ts.CompilerOptions {
  const configPath = path.join(root, "tsconfig.base.json");
  if (!fs.existsSync(configPath)) {
    return { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, allowImportingTsExtensions: true, noEmit: true };
  }
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  return ts.convertCompilerOptionsFromJson(read.config?.compilerOptions ?? {}, root).options;
}

/** Module specifiers a source file names, with whether each is a string require (Lua module name). */
function specifiersOf(source: ts.SourceFile): { spec: string; luaRequire: boolean }[] {
  const out: { spec: string; luaRequire: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push({ spec: node.moduleSpecifier.text, luaRequire: false });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      out.push({ spec: node.moduleReference.expression.text, luaRequire: false });
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteralLike(node.arguments[0])) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword) out.push({ spec: node.arguments[0].text, luaRequire: false });
      else if (ts.isIdentifier(callee) && callee.text === "require") out.push({ spec: node.arguments[0].text, luaRequire: true });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      out.push({ spec: node.argument.literal.text, luaRequire: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** The import graph of every .ts file under `dirs` (relative to `root`). */
export function buildImportGraph(root: string, dirs: string[]): ImportGraph {
  const files: string[] = [];
  for (const d of dirs) listTsFiles(root, d, files);
  files.sort();
  const known = new Set(files);
  // Lua module names the build gives shared/ and firmware/ files (flat names on the board's flash)
  const byLuaName = new Map<string, string>();
  for (const f of files) {
    if (f.startsWith("firmware/") || f.startsWith("shared/")) byLuaName.set(flatModuleName(f.replace(/\.ts$/, "")), f);
  }
  const options = compilerOptions(root);
  const cache = ts.createModuleResolutionCache(root, (f) => f, options);
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const abs = path.join(root, file);
    const text = fs.readFileSync(abs, "utf8");
    const source = ts.createSourceFile(abs, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const targets = new Set<string>();
    for (const { spec, luaRequire } of specifiersOf(source)) {
      let target: string | undefined;
      if (luaRequire) {
        const direct = `firmware/${spec}.ts`;
        target = known.has(direct) ? direct : byLuaName.get(spec);
        if (target === undefined && (spec.startsWith(".") || spec.startsWith("/"))) target = resolveTs(spec, abs, options, root, cache);
      } else {
        target = resolveTs(spec, abs, options, root, cache);
      }
      if (target !== undefined && known.has(target) && target !== file) targets.add(target);
      else if (target === file) targets.add(file);
    }
    edges.set(file, [...targets].sort());
  }
  return { files, edges };
}

function resolveTs(spec: string, containingFile: string, options: ts.CompilerOptions, root: string, cache: ts.ModuleResolutionCache): string | undefined {
  const r = ts.resolveModuleName(spec, containingFile, options, ts.sys, cache).resolvedModule;
  if (r === undefined || r.isExternalLibraryImport) return undefined;
  const rel = path.relative(root, r.resolvedFileName).split(path.sep).join("/");
  return rel.startsWith("..") ? undefined : rel;
}

/**
 * Every import circle: the strongly connected components with more than one file (or a file
 * importing itself), each as its files sorted, the list sorted (Tarjan's algorithm).
 */
export function importCircles(graph: ImportGraph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const circles: string[][] = [];
  const strongConnect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.edges.get(v) ?? []) {
      if (!index.has(w)) {
        strongConnect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.edges.get(v) ?? []).includes(v)) circles.push(component.sort());
    }
  };
  for (const f of graph.files) if (!index.has(f)) strongConnect(f);
  return circles.sort((a, b) => (a.join() < b.join() ? -1 : 1));
}

/** One concrete loop through a circle, for the message: "a.ts → b.ts → a.ts". */
export function describeCircle(graph: ImportGraph, circle: string[]): string {
  const members = new Set(circle);
  const start = circle[0];
  // breadth-first from start's successors back to start, inside the circle
  const prev = new Map<string, string>();
  const queue: string[] = [];
  for (const w of graph.edges.get(start) ?? []) {
    if (members.has(w) && !prev.has(w)) {
      prev.set(w, start);
      queue.push(w);
    }
  }
  while (queue.length > 0 && !prev.has(start)) {
    const v = queue.shift()!;
    for (const w of graph.edges.get(v) ?? []) {
      if (members.has(w) && !prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  const loop = [start];
  for (let v = prev.get(start); v !== undefined && v !== start; v = prev.get(v)) loop.unshift(v);
  loop.unshift(start);
  return loop.join(" → ");
}

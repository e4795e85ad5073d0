import * as fs from "node:fs";
import * as ts from "typescript";
import * as tstl from "typescript-to-lua";
import flatNamesPlugin from "./flat-names-plugin.ts";

export interface LuaBuildResult { outDir: string; files: string[]; }

function formatDiagnostics(diagnostics: readonly ts.Diagnostic[]): string {
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => process.cwd(),
    getNewLine: () => "\n",
  });
}

/** Newest modification time (ms) of the .ts files under the given folders. */
export function newestSourceMs(dirs: string[]): number {
  let newest = 0;
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts") || e.name.endsWith(".json")) newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  dirs.forEach(walk);
  return newest;
}

/** Transpiles one tsconfig.luaNN.json project into flat, NodeMCU-named Lua files. */
export function buildLuaProject(configPath: string): LuaBuildResult {
  const parsed = tstl.parseConfigFileWithSystem(configPath);
  if (parsed.errors.length > 0) throw new Error(formatDiagnostics(parsed.errors));
  const outDir = parsed.options.outDir;
  if (outDir === undefined) throw new Error(`${configPath}: compilerOptions.outDir is required`);
  // Build beside the old output and swap it in, so a test reading the old one never sees half a build.
  const stagingDir = `${outDir}.staging-${process.pid}`;
  fs.rmSync(stagingDir, { recursive: true, force: true });
  const options = { ...parsed.options, outDir: stagingDir };
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: options as ts.CompilerOptions });
  const typeErrors = ts.getPreEmitDiagnostics(program);
  const { diagnostics } = new tstl.Transpiler().emit({ program, plugins: [flatNamesPlugin] });
  const all = [...typeErrors, ...diagnostics];
  if (all.length > 0) {
    fs.rmSync(stagingDir, { recursive: true, force: true });
    throw new Error(`${configPath}:\n${formatDiagnostics(all)}`);
  }
  const oldDir = `${outDir}.old-${process.pid}`;
  if (fs.existsSync(outDir)) fs.renameSync(outDir, oldDir);
  fs.renameSync(stagingDir, outDir);
  fs.rmSync(oldDir, { recursive: true, force: true });
  const files = fs.readdirSync(outDir).filter((f) => f.endsWith(".lua")).sort();
  return { outDir, files };
}

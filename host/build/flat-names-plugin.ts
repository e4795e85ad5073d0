import * as path from "node:path";
import * as ts from "typescript";
import type { Plugin } from "typescript-to-lua";
import { MAX_FLASH_NAME_BYTES, flatFileName, rewriteRequires } from "./flat-names";

/** TSTL plugin: emit every Lua file flat in outDir with a NodeMCU-safe name. */
const plugin: Plugin = {
  beforeEmit(_program, options, _emitHost, result) {
    const outDir = options.outDir ?? ".";
    const diagnostics: ts.Diagnostic[] = [];
    const seen = new Map<string, string>();
    for (const file of result) {
      const rel = path.relative(outDir, file.outputPath);
      const flat = flatFileName(rel);
      const clash = seen.get(flat);
      if (Buffer.byteLength(flat) > MAX_FLASH_NAME_BYTES || clash !== undefined) {
        diagnostics.push({
          category: ts.DiagnosticCategory.Error, code: 0, file: undefined, start: undefined, length: undefined,
          messageText: clash !== undefined
            ? `flat Lua name ${flat} is produced by both ${clash} and ${rel}: rename one module`
            : `flat Lua name ${flat} (from ${rel}) exceeds NodeMCU's ${MAX_FLASH_NAME_BYTES}-byte file name limit`,
        });
      }
      seen.set(flat, rel);
      file.outputPath = path.join(outDir, flat);
      file.code = rewriteRequires(file.code);
    }
    return diagnostics;
  },
};
export default plugin;

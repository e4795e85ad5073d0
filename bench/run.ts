import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";

/**
 * `npm run bench`: runs every bench/figures/*.ts module (each exports `figures(): Promise<Record<string, number>>`),
 * prints each figure and writes them all to bench/results.json as one flat object.
 * Figures are measured, never assumed; a module that fails is reported and the run exits non-zero.
 */
const dir = path.join(path.dirname(new URL(import.meta.url).pathname), "figures");
const only = process.argv.slice(2);
const results: Record<string, number> = {};
let failed = false;
for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".ts")).sort()) {
  const name = file.slice(0, -3);
  if (only.length > 0 && !only.includes(name)) continue;
  const t0 = Date.now();
  try {
    const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { figures: () => Promise<Record<string, number>> };
    const figs = await mod.figures();
    for (const [k, v] of Object.entries(figs)) {
      if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`figure ${k} is not a finite number: ${v}`);
      results[k] = v;
      console.log(`${k.padEnd(44)} ${Number.isInteger(v) ? v : v.toPrecision(6)}`);
    }
    console.log(`  (${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failed = true;
    console.error(`bench ${name} failed: ${(e as Error).stack ?? e}`);
  }
}
const out = path.join(path.dirname(dir), "results.json");
const previous = only.length > 0 && fs.existsSync(out) ? (JSON.parse(fs.readFileSync(out, "utf8")) as Record<string, number>) : {};
fs.writeFileSync(out, `${JSON.stringify({ ...previous, ...results }, null, 2)}\n`);
console.log(`wrote ${out}`);
if (failed) process.exit(1);

import * as fs from "node:fs";
import * as path from "node:path";
import { scenarioByName, scenarioFromCsv } from "./board/physics/index.ts";

/**
 * A CSV path is handed to the board as an absolute path; anything else is a scenario spec.
 * With the board's channel count, the scenario is built here first (the same code the board
 * runs), so a bad spec or CSV is one clear error instead of a crash of the board's Lua process.
 */
export function resolveScenario(spec: string, channels?: number): string {
  const check = (build: () => unknown, where = "") => {
    if (channels === undefined) return;
    try {
      build();
    } catch (e) {
      throw new Error(`${where}${typeof e === "string" ? e : (e as Error).message}`);
    }
  };
  if (spec.toLowerCase().endsWith(".csv")) {
    const abs = path.resolve(spec);
    if (!fs.existsSync(abs)) throw new Error(`scenario file not found: ${abs}`);
    check(() => scenarioFromCsv(fs.readFileSync(abs, "utf8"), channels), `scenario ${spec}: `);
    return abs;
  }
  check(() => scenarioByName(spec, channels!, 1));
  return spec;
}

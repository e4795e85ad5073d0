import * as fs from "node:fs";
import { checkName } from "./topics.ts";

/**
 * The racks file: which racks may connect to the gym's broker and with what password. JSON:
 *   { "gym": "north", "racks": { "rack-01": "<password>", "rack-02": "<password>" } }
 * A rack logs in with its name as MQTT username and its password. Keep the file private (it holds
 * the passwords in clear, as the boards do): `chmod 600`.
 */
export interface RacksFile {
  gym: string;
  racks: Map<string, string>;
}

export function parseRacksFile(text: string, where = "racks file"): RacksFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${where} is not JSON: ${(err as Error).message}`);
  }
  const o = json as { gym?: unknown; racks?: unknown };
  if (typeof o !== "object" || o === null || typeof o.gym !== "string" || typeof o.racks !== "object" || o.racks === null || Array.isArray(o.racks)) {
    throw new Error(`${where}: expected {"gym": "<name>", "racks": {"<rack>": "<password>", …}}`);
  }
  const racks = new Map<string, string>();
  for (const [name, pw] of Object.entries(o.racks as Record<string, unknown>)) {
    checkName("rack", name);
    if (typeof pw !== "string" || pw.length < 8) throw new Error(`${where}: the password of rack "${name}" must be a string of at least 8 characters`);
    racks.set(name, pw);
  }
  if (racks.size === 0) throw new Error(`${where}: no racks listed`);
  return { gym: checkName("gym", o.gym), racks };
}

export function readRacksFile(file: string): RacksFile {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`cannot read the racks file ${file}: ${(err as Error).message}`);
  }
  return parseRacksFile(text, `racks file ${file}`);
}

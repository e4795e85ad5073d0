/**
 * Checks on what the CLI prints with --json, shared by the tests: no number hidden in text, and
 * the lift record against its JSON Schema (host/report/lift-record.schema.json, validated by ajv).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Ajv } from "ajv";

/**
 * Keys whose values are sentences for people (why something was refused, what to mind, a board's
 * description, what a wire carries in the wiring's words): they may quote figures.
 */
export const PROSE_KEYS = new Set(["notes", "reasons", "warnings", "description", "what"]);
/** Keys whose values are identifiers that may happen to be all digits (a hex build hash, a seal). */
export const IDENTIFIER_KEYS = new Set(["build", "seal", "publicKeyHex", "fingerprint", "calId", "calibrationId", "serialNumber", "vendorId", "productId"]);

const NUMBER_TEXT = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
/**
 * A figure followed by a unit of measure: "201.2 kg", "80.0 Hz", "388 ms", "51.0 %", "1250 kg/s",
 * "±0.1 N". The figure starts a word: digits glued to letters are a name ("/tmp/rackcell-CcEc2h/…",
 * a temp folder that once made this check fail at random), not a measure.
 */
const MEASURE_TEXT = /(?<![A-Za-z0-9_.])(\d+(\.\d+)?|\.\d+)\s*(kg|kgf|N|lbf|lb|g|Hz|SPS|sps|ms|µs|us|s|min|h|%|counts?|mV\/V|V)(\/s|·s)?(?![A-Za-z0-9])/;

/** Every string in `value` that is a number or holds a measure with its unit, as "path: text". */
export function numbersInText(value: unknown, at = "", key = ""): string[] {
  if (typeof value === "string") {
    if (PROSE_KEYS.has(key)) return [];
    if (NUMBER_TEXT.test(value) && !IDENTIFIER_KEYS.has(key)) return [`${at || "/"}: "${value}" is a number written as text`];
    if (MEASURE_TEXT.test(value)) return [`${at || "/"}: "${value}" holds a measure with its unit`];
    return [];
  }
  if (Array.isArray(value)) {
    if (PROSE_KEYS.has(key)) return [];
    return value.flatMap((v, i) => numbersInText(v, `${at}[${i}]`, key));
  }
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => numbersInText(v, `${at}/${k}`, k));
  }
  return [];
}

let validate: ReturnType<Ajv["compile"]> | undefined;

/** Why `record` is not a valid lift record ([] when it is). */
export function liftRecordErrors(record: unknown): string[] {
  if (validate === undefined) {
    const file = path.join(import.meta.dirname, "..", "report", "lift-record.schema.json");
    const schema = JSON.parse(fs.readFileSync(file, "utf8")) as object;
    // strictRequired off: the per-kind `required` lists name fields the generic scalar tree allows
    validate = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(schema);
  }
  return validate(record) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`);
}

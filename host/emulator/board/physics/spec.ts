/**
 * Scenario spec strings, `name` or `name:key=value,key=value`: parsing and checked numbers. Runs
 * in Node and, transpiled, in the emulator's Lua 5.1 (so: no regex, explicit comparisons; errors
 * are thrown as message strings, see scenarioByName).
 */

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Strict decimal number: [+-]digits[.digits][(e|E)[+-]digits]; NaN otherwise (no hex, no inf). */
export function parseDecimal(s: string): number {
  const n = s.length;
  let i = 0;
  if (n === 0) return 0 / 0;
  let c = s.charCodeAt(0);
  if (c === 43 || c === 45) i = 1; // + -
  let digits = 0;
  while (i < n && isDigit(s.charCodeAt(i))) { i++; digits++; }
  if (i < n && s.charCodeAt(i) === 46) { // .
    i++;
    while (i < n && isDigit(s.charCodeAt(i))) { i++; digits++; }
  }
  if (digits === 0) return 0 / 0;
  if (i < n) {
    c = s.charCodeAt(i);
    if (c !== 101 && c !== 69) return 0 / 0; // e E
    i++;
    if (i < n && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45)) i++;
    let ed = 0;
    while (i < n && isDigit(s.charCodeAt(i))) { i++; ed++; }
    if (ed === 0 || i < n) return 0 / 0;
  }
  return Number(s);
}

export interface Params { name: string; keys: string[]; values: string[] }

export function parseSpec(spec: string): Params {
  const colon = spec.indexOf(":");
  const name = (colon >= 0 ? spec.substring(0, colon) : spec).trim();
  const keys: string[] = [];
  const values: string[] = [];
  if (colon >= 0) {
    const rest = spec.substring(colon + 1).trim();
    if (rest.length > 0) {
      for (const part of rest.split(",")) {
        const p = part.trim();
        const eq = p.indexOf("=");
        if (eq <= 0) throw `scenario "${spec}": parameter "${p}" is not key=value`;
        keys.push(p.substring(0, eq).trim());
        values.push(p.substring(eq + 1).trim());
      }
    }
  }
  return { name, keys, values };
}

function findKey(p: Params, key: string): number {
  for (let i = 0; i < p.keys.length; i++) if (p.keys[i] === key) return i;
  return -1;
}

export function has(p: Params, key: string): boolean {
  return findKey(p, key) >= 0;
}

export function num(p: Params, key: string, dflt: number, min: number, max: number): number {
  const i = findKey(p, key);
  if (i < 0) return dflt;
  const v = parseDecimal(p.values[i]);
  if (v !== v) throw `scenario ${p.name}: ${key}=${p.values[i]} is not a number`;
  if (v < min || v > max) throw `scenario ${p.name}: ${key}=${p.values[i]} is outside ${min}…${max}`;
  return v;
}

export function str(p: Params, key: string, dflt: string, allowed: string[]): string {
  const i = findKey(p, key);
  if (i < 0) return dflt;
  const v = p.values[i];
  for (const a of allowed) if (a === v) return v;
  throw `scenario ${p.name}: ${key}=${v} must be one of ${allowed.join(", ")}`;
}

/** Every key is one of `known`, and none is given twice. */
export function checkKeys(p: Params, known: string[]): void {
  for (let i = 0; i < p.keys.length; i++) {
    let ok = false;
    for (const k of known) if (k === p.keys[i]) ok = true;
    if (!ok) throw `scenario ${p.name}: unknown parameter "${p.keys[i]}" (known: ${known.join(", ")})`;
    for (let j = 0; j < i; j++) if (p.keys[j] === p.keys[i]) throw `scenario ${p.name}: parameter "${p.keys[i]}" given twice`;
  }
}

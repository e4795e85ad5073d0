import { isValidName } from "../protocol/gym-topics.ts";
import { formatHex, parseHex } from "../protocol/wire-number.ts";

/**
 * The network settings on the board's flash (`net.cfg`): WiFi station, MQTT broker, the rack's
 * names and its broker login. Written over USB only (the sealed `net` command, one field at a time,
 * then `net,save`: temp file + rename, as cal.txt), never printed back and never sent over the
 * network. Text, one field per line, every value in lowercase hex so that a password may hold any
 * printable byte (`,`, `*`, `=`, spaces) without touching the line format:
 *
 *   rackcell-net,1
 *   <key>=<hex of the value>          for every key of NET_KEYS, in that order
 *   end
 *
 * A file missing a key, holding a bad value, or cut short decodes with `error` set: the board then
 * stays off the network and says why in `info`.
 */
/**
 * The file and its temp copy. A const enum: inlined as literals, so app.ts can test for the file
 * without loading this module (nothing of the network costs heap when it is off).
 */
export const enum NetFile { CFG = "net.cfg", TMP = "net.tmp" }
export const NET_FORMAT = "rackcell-net,1";
/** ssid, WiFi password, broker host and port, rack and gym names, MQTT user name and password. */
export const NET_KEYS = ["ssid", "pwd", "host", "port", "rack", "gym", "user", "mpass"] as const;
export type NetKey = (typeof NET_KEYS)[number];
export type NetConfig = Record<NetKey, string>;

/** Longest values (bytes): 802.11's SSID and WPA2 passphrase; host names and MQTT logins the board can afford. */
export const MAX_SSID_BYTES = 32;
export const MIN_WIFI_PASSWORD_BYTES = 8;
export const MAX_WIFI_PASSWORD_BYTES = 64;
export const MAX_HOST_BYTES = 64;
export const MAX_LOGIN_BYTES = 64;

function printable(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 || c > 126) return false;
  }
  return true;
}

function hostChars(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46;
    if (!ok) return false;
  }
  return true;
}

function isNetKey(key: string): boolean {
  for (let i = 0; i < NET_KEYS.length; i++) if (NET_KEYS[i] === key) return true;
  return false;
}

/** "" when `value` may be stored under `key`, otherwise why not (a sentence for a person). */
export function checkNetField(key: string, value: string): string {
  const n = value.length;
  if (!isNetKey(key)) return `unknown network setting ${key}`;
  if (key === "ssid") return n >= 1 && n <= MAX_SSID_BYTES && printable(value) ? "" : `ssid must be 1-${MAX_SSID_BYTES} printable ASCII characters`;
  if (key === "pwd") {
    const ok = (n === 0 || (n >= MIN_WIFI_PASSWORD_BYTES && n <= MAX_WIFI_PASSWORD_BYTES)) && printable(value);
    return ok ? "" : `WiFi password must be empty (open network) or ${MIN_WIFI_PASSWORD_BYTES}-${MAX_WIFI_PASSWORD_BYTES} printable ASCII characters`;
  }
  if (key === "host") return n >= 1 && n <= MAX_HOST_BYTES && hostChars(value) ? "" : `broker host must be 1-${MAX_HOST_BYTES} letters or digits or . or -`;
  if (key === "port") {
    let port = 0;
    let digits = n >= 1 && n <= 5;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c < 48 || c > 57) digits = false;
      else port = port * 10 + (c - 48);
    }
    return digits && port >= 1 && port <= 65535 ? "" : "broker port must be a whole number 1-65535";
  }
  if (key === "rack" || key === "gym") return isValidName(value) ? "" : `${key} name must be 1-32 letters or digits or _ or -`;
  if (key === "user") return n >= 1 && n <= MAX_LOGIN_BYTES && printable(value) ? "" : `MQTT user name must be 1-${MAX_LOGIN_BYTES} printable ASCII characters`;
  return n <= MAX_LOGIN_BYTES && printable(value) ? "" : `MQTT password must be at most ${MAX_LOGIN_BYTES} printable ASCII characters`;
}

/** Lowercase hex of an ASCII text (the command argument and file encoding of a value). */
export function toHexText(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) out = out + formatHex(text.charCodeAt(i), 2);
  return out;
}

/** The text of lowercase hex digits; undefined when `hex` is not whole bytes of lowercase hex. */
export function fromHexText(hex: string): string | undefined {
  if (hex.length % 2 !== 0) return undefined;
  let out = "";
  for (let i = 0; i < hex.length; i = i + 2) {
    const c = parseHex(hex, i, 2);
    if (c < 0) return undefined;
    out = out + String.fromCharCode(c);
  }
  return out;
}

/** The file text of a configuration (every field already checked with checkNetField). */
export function encodeNetFile(cfg: NetConfig): string {
  let text = `${NET_FORMAT}\n`;
  for (let i = 0; i < NET_KEYS.length; i++) text = `${text}${NET_KEYS[i]}=${toHexText(cfg[NET_KEYS[i]])}\n`;
  return `${text}end\n`;
}

export interface DecodedNetFile {
  cfg: NetConfig;
  /** "" when the file is whole and every value valid. */
  error: string;
}

function emptyNetConfig(): NetConfig {
  return { ssid: "", pwd: "", host: "", port: "", rack: "", gym: "", user: "", mpass: "" };
}

/** Reads a net.cfg text: every key once, in NET_KEYS order, each value valid, then `end`. */
export function decodeNetFile(text: string): DecodedNetFile {
  const out: DecodedNetFile = { cfg: emptyNetConfig(), error: "" };
  const lines = text.split("\n");
  if (lines[0] !== NET_FORMAT) {
    out.error = "not a network settings file";
    return out;
  }
  for (let i = 0; i < NET_KEYS.length; i++) {
    const key = NET_KEYS[i];
    const line = lines[i + 1];
    if (line === undefined || line.indexOf(`${key}=`) !== 0) {
      out.error = `${key} missing`;
      return out;
    }
    const value = fromHexText(line.substring(key.length + 1));
    const why = value === undefined ? `${key} is not hex` : checkNetField(key, value);
    if (why !== "") {
      out.error = why;
      return out;
    }
    out.cfg[key] = value as string;
  }
  if (lines[NET_KEYS.length + 1] !== "end") out.error = "cut short";
  return out;
}

/**
 * The gym's MQTT topic grammar, one home for the board (firmware/net-link.ts), the host, the broker
 * rules and the load generator. Runs on the board too, so no regex: names are checked byte by byte.
 *   rackcell/<gym>/<rack>/frames   batches of sealed sample/record lines, newline-separated (QoS 0)
 *   rackcell/<gym>/<rack>/lifts    one sealed `E` lift record per message (QoS 1)
 *   rackcell/<gym>/<rack>/status   retained `online`; `offline` is the rack's last will
 *   rackcell/<gym>/<rack>/cmd      host → rack: one sealed `C` command line
 *   rackcell/<gym>/<rack>/reply    rack → host: sealed `R` reply lines (and replayed lifts' replies)
 */
export const TOPIC_ROOT = "rackcell";
export const RACK_TOPICS = ["frames", "lifts", "status", "cmd", "reply"] as const;
export type RackTopic = (typeof RACK_TOPICS)[number];
/** What a rack may publish (cmd is the host's). */
export const RACK_PUBLISHES: readonly RackTopic[] = ["frames", "lifts", "status", "reply"];
export const STATUS_ONLINE = "online";
export const STATUS_OFFLINE = "offline";
/**
 * A frames batch larger than this is refused as oversized (counted, not decoded). A 2-channel frame
 * is ≈ 40 bytes: 2048 bytes holds 50 frames (0.6 s at 80 SPS), far more than a board batches.
 */
export const MAX_RACK_PAYLOAD_BYTES = 2048;
/** Longest gym or rack name (bytes). */
export const MAX_NAME_BYTES = 32;

/**
 * Commands a rack accepts over MQTT (the rest only over USB): reading it (ping, info), zeroing it
 * (tare), the lift replay (lifts) and its protocol and rate (mode, rate). Never `prompt`, deploy,
 * keys, network credentials or anything that reaches the Lua interpreter or rewrites flash beyond
 * the tare, the mode and the rate.
 */
export const REMOTE_COMMANDS = "ping info tare lifts mode rate";

/** Whether a command name may come over the network (`REMOTE_COMMANDS`, whole words only). */
export function isRemoteCommand(name: string): boolean {
  if (!isValidName(name)) return false;
  const list = ` ${REMOTE_COMMANDS} `;
  return list.indexOf(` ${name} `) >= 0;
}

/** Gym and rack names: 1-32 letters, digits, `_`, `-` (no MQTT wildcard or level separator). */
export function isValidName(name: string): boolean {
  const n = name.length;
  if (n < 1 || n > MAX_NAME_BYTES) return false;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45;
    if (!ok) return false;
  }
  return true;
}

export function rackTopic(gym: string, rack: string, kind: RackTopic): string {
  return `${TOPIC_ROOT}/${gym}/${rack}/${kind}`;
}

/** A rack's MQTT client id (the board's and the load generator's). */
export function rackClientId(gym: string, rack: string): string {
  return `rack-${gym}-${rack}`;
}

/** The subscription that sees every rack of a gym. */
export function gymWildcard(gym: string): string {
  return `${TOPIC_ROOT}/${gym}/+/+`;
}

export interface ParsedTopic {
  gym: string;
  rack: string;
  kind: RackTopic;
}

function isRackTopicKind(kind: string): boolean {
  for (let i = 0; i < RACK_TOPICS.length; i++) if (RACK_TOPICS[i] === kind) return true;
  return false;
}

/** undefined when the topic is not a rack topic of this grammar. */
export function parseRackTopic(topic: string): ParsedTopic | undefined {
  const parts = topic.split("/");
  if (parts.length !== 4 || parts[0] !== TOPIC_ROOT) return undefined;
  const gym = parts[1];
  const rack = parts[2];
  const kind = parts[3];
  if (!isValidName(gym) || !isValidName(rack) || !isRackTopicKind(kind)) return undefined;
  return { gym, rack, kind: kind as RackTopic };
}

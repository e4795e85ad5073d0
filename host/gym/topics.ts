/**
 * The gym's MQTT topic grammar, one home for host, broker rules and load generator:
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

const NAME = /^[A-Za-z0-9_-]{1,32}$/;

/** Gym and rack names: letters, digits, `_`, `-`, at most 32 (no MQTT wildcard or level separator). */
export function checkName(what: "gym" | "rack", name: string): string {
  if (!NAME.test(name)) throw new Error(`${what} name "${name}" is not valid: use 1-32 letters, digits, _ or -`);
  return name;
}

export function rackTopic(gym: string, rack: string, kind: RackTopic): string {
  return `${TOPIC_ROOT}/${gym}/${rack}/${kind}`;
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

/** null when the topic is not a rack topic of this grammar. */
export function parseRackTopic(topic: string): ParsedTopic | null {
  const parts = topic.split("/");
  if (parts.length !== 4 || parts[0] !== TOPIC_ROOT) return null;
  const [, gym, rack, kind] = parts;
  if (!NAME.test(gym) || !NAME.test(rack) || !(RACK_TOPICS as readonly string[]).includes(kind)) return null;
  return { gym, rack, kind: kind as RackTopic };
}

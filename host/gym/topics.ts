/**
 * The gym's MQTT topic grammar lives in shared/protocol/gym-topics.ts (the board uses the same
 * strings); this module adds what only the host needs: a name check that throws a readable error.
 */
import { isValidName, MAX_NAME_BYTES } from "../../shared/protocol/gym-topics.ts";
export {
  gymWildcard, isRemoteCommand, rackClientId, isValidName, MAX_NAME_BYTES, MAX_RACK_PAYLOAD_BYTES, parseRackTopic, RACK_PUBLISHES, RACK_TOPICS,
  rackTopic, REMOTE_COMMANDS, STATUS_OFFLINE, STATUS_ONLINE, TOPIC_ROOT,
} from "../../shared/protocol/gym-topics.ts";
export type { ParsedTopic, RackTopic } from "../../shared/protocol/gym-topics.ts";

/** Gym and rack names: letters, digits, `_`, `-`, at most 32 (no MQTT wildcard or level separator). */
export function checkName(what: "gym" | "rack", name: string): string {
  if (!isValidName(name)) throw new Error(`${what} name "${name}" is not valid: use 1-${MAX_NAME_BYTES} letters, digits, _ or -`);
  return name;
}

/**
 * The board's network settings as the host writes and reads them (`rackcell net`): the command
 * line checked into the net.cfg fields (shared/board/netcfg.ts, the rules the board applies again),
 * and the board's network status out of its `info` / `net` reply. Nothing here prints a password.
 */
import { checkNetField, fromHexText, type NetConfig } from "../../shared/board/netcfg.ts";

export const DEFAULT_MQTT_PORT = 1883;
/** The gym name when --gym is not given (the <gym> of rackcell/<gym>/<rack>/…). */
export const DEFAULT_GYM = "gym";

export interface NetOptions {
  ssid?: string;
  password?: string;
  broker?: string;
  rack?: string;
  gym?: string;
  user?: string;
  mqttPassword?: string;
}

function check(key: keyof NetConfig, value: string, option: string): string {
  const why = checkNetField(key, value);
  if (why !== "") throw new Error(`${option}: ${why}`);
  return value;
}

/** mqtt://host[:port] → host and port; TLS, a path or a login inside the URL are refused with the reason. */
export function parseBrokerUrl(text: string): { host: string; port: number } {
  if (!text.includes("://")) throw new Error(`--broker "${text}" must start with mqtt:// (e.g. mqtt://${text})`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`--broker "${text}" is not a URL: use mqtt://host:1883`);
  }
  if (url.protocol === "mqtts:" || url.protocol === "ssl:") {
    throw new Error(`--broker ${url.protocol}//… (TLS) is not supported: the ESP8266 cannot afford the TLS handshake's heap beside the firmware; use mqtt:// on a trusted network with per-rack logins`);
  }
  if (url.protocol !== "mqtt:" && url.protocol !== "tcp:") throw new Error(`--broker "${text}" must start with mqtt:// (got ${url.protocol})`);
  if (url.username !== "" || url.password !== "") throw new Error("--broker: put the rack's login in --user and --mqtt-password, not in the URL");
  if ((url.pathname !== "" && url.pathname !== "/") || url.search !== "" || url.hash !== "") throw new Error(`--broker "${text}" has a path or query: give only mqtt://host:port`);
  const host = check("host", url.hostname, "--broker host");
  const port = url.port === "" ? DEFAULT_MQTT_PORT : Number(url.port);
  check("port", String(port), "--broker port");
  return { host, port };
}

/** The settings to write, from the command line: every field checked as the board checks it. */
export function netSettings(o: NetOptions): NetConfig {
  const missing = (["ssid", "password", "broker", "rack"] as const).filter((k) => o[k] === undefined).map((k) => `--${k}`);
  if (missing.length > 0) throw new Error(`rackcell net needs ${missing.join(", ")} (--password "" for an open network), or --off`);
  const { host, port } = parseBrokerUrl(o.broker!);
  const rack = check("rack", o.rack!, "--rack");
  return {
    ssid: check("ssid", o.ssid!, "--ssid"),
    pwd: check("pwd", o.password!, "--password"),
    host,
    port: String(port),
    rack,
    gym: check("gym", o.gym ?? DEFAULT_GYM, "--gym"),
    user: check("user", o.user ?? rack, "--user"),
    mpass: check("mpass", o.mqttPassword ?? "", "--mqtt-password"),
  };
}

/** The board's network as its info/net reply says it (never a password: the board does not send one). */
export interface NetworkStatus {
  configured: boolean;
  ssid: string | null;
  brokerHost: string | null;
  brokerPort: number | null;
  rack: string | null;
  gym: string | null;
  /** "off" (settings saved, not started yet), "wifi" (no WiFi), "broker" (no broker), "online"; null when not configured */
  state: string | null;
  messagesSent: number | null;
  messagesDropped: number | null;
  /** the last connect failure: mqtt.CONN_FAIL_* / CONNACK code or a wifi.eventmon.reason */
  lastFailureCode: number | null;
  /** why a net.cfg on the board is not used */
  error: string | null;
}

export function networkStatus(fields: Record<string, string>): NetworkStatus {
  const num = (k: string) => (fields[k] === undefined || fields[k] === "" || !Number.isFinite(Number(fields[k])) ? null : Number(fields[k]));
  const broker = fields.broker ?? "";
  const colon = broker.lastIndexOf(":");
  const configured = fields.net === "1";
  return {
    configured,
    ssid: configured ? (fromHexText(fields.ssidhex ?? "") ?? null) : null,
    brokerHost: colon > 0 ? broker.slice(0, colon) : null,
    brokerPort: colon > 0 ? Number(broker.slice(colon + 1)) : null,
    rack: fields.rack ?? null,
    gym: fields.gym ?? null,
    state: fields.netstate ?? null,
    messagesSent: num("netsent"),
    messagesDropped: num("netdrop"),
    lastFailureCode: num("netfail"),
    error: fields.neterr ?? null,
  };
}

const STATE_TEXT: Record<string, string> = {
  off: "saved, starts at the next boot", wifi: "no WiFi yet", broker: "WiFi up, broker not connected", online: "online",
};

/** What `rackcell net` and `rackcell info` print about the network. */
export function networkText(s: NetworkStatus): string[] {
  if (!s.configured) return [`network     not configured${s.error ? ` (net.cfg not used: ${s.error})` : ""} (rackcell net --help)`];
  return [
    `network     ${STATE_TEXT[s.state ?? ""] ?? s.state ?? "?"}: WiFi "${s.ssid}", broker ${s.brokerHost}:${s.brokerPort}, rackcell/${s.gym}/${s.rack}/…` +
      (s.messagesSent !== null ? ` (${s.messagesSent} messages sent, ${s.messagesDropped} dropped)` : ""),
  ];
}

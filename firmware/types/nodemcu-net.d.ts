/**
 * NodeMCU's `wifi` (station only) and `mqtt` modules, as far as the firmware uses them, typed from
 * nodemcu-firmware docs/modules/{wifi,mqtt}.md and app/modules/mqtt.c (release branch). The
 * emulator's stand-ins implement the same members (SHARED-NAMES "Session 4").
 * Traps the types cannot show: `publish` raises "not connected" when the client is not connected;
 * it returns true when the message was only queued (the C queue is unbounded); the publish
 * callback is ONE per client (the last one given is called for every publish: after the PUBACK
 * for QoS 1, once written for QoS 0); qos and retain are integers (luaL_checkinteger).
 */
/// <reference types="@typescript-to-lua/language-extensions" />

/** What wifi.eventmon hands a STA_DISCONNECTED callback (other events carry other fields). */
interface WifiEventInfo {
  SSID?: string;
  /** wifi.eventmon.reason.* on STA_DISCONNECTED */
  reason?: number;
  IP?: string;
}

/** @noSelf */
declare namespace wifi {
  const STATION: number;
  const STA_IDLE: number;
  const STA_CONNECTING: number;
  const STA_WRONGPWD: number;
  const STA_APNOTFOUND: number;
  const STA_FAIL: number;
  const STA_GOTIP: number;
  /** Returns the mode set; save defaults to true on the board (we pass false: nothing on the SDK's flash). */
  function setmode(mode: number, save?: boolean): number;
  /** @noSelf */
  namespace sta {
    /** auto=true connects now and again after every loss (the SDK retries); save=false keeps it off the SDK's flash. */
    function config(cfg: { ssid: string; pwd: string; auto: boolean; save: boolean }): boolean;
    function connect(): void;
    function disconnect(): void;
    function status(): number;
    /** [ip, netmask, gateway], or nil when there is no IP. */
    function getip(): LuaMultiReturn<[string, string, string]> | undefined;
  }
  /** @noSelf */
  namespace eventmon {
    const STA_CONNECTED: number;
    const STA_DISCONNECTED: number;
    const STA_GOT_IP: number;
    function register(event: number, callback: (info: WifiEventInfo) => void): void;
    /** @noSelf */
    namespace reason {
      const AUTH_FAIL: number;
      const NO_AP_FOUND: number;
      const BEACON_TIMEOUT: number;
      const HANDSHAKE_TIMEOUT: number;
    }
  }
}

/** An MQTT client from mqtt.Client(); methods are called with ':'. */
interface MqttClient {
  /** Must come before connect. */
  lwt(this: MqttClient, topic: string, message: string, qos: number, retain: number): void;
  /** secure false (TLS is not affordable here); exactly one of the two callbacks is called. */
  connect(this: MqttClient, host: string, port: number, secure: boolean,
    onConnected: (client: MqttClient) => void, onFailed: (client: MqttClient, reason: number) => void): boolean;
  on(this: MqttClient, event: "connect" | "offline", callback: (client: MqttClient) => void): void;
  on(this: MqttClient, event: "message" | "overflow", callback: (client: MqttClient, topic: string, data: string | undefined) => void): void;
  publish(this: MqttClient, topic: string, payload: string, qos: number, retain: number, callback?: (client: MqttClient) => void): boolean;
  subscribe(this: MqttClient, topic: string, qos: number, callback?: (client: MqttClient) => void): boolean;
  close(this: MqttClient): boolean;
}

/** @noSelf */
declare namespace mqtt {
  /** cleansession 1 (default) | 0; max_message_length bounds what the client accepts (default 1024). */
  function Client(clientId: string, keepaliveS: number, user: string, password: string, cleanSession?: number, maxMessageLength?: number): MqttClient;
  const CONN_FAIL_SERVER_NOT_FOUND: number;
  const CONN_FAIL_NOT_A_CONNACK_MSG: number;
  const CONN_FAIL_DNS: number;
  const CONN_FAIL_TIMEOUT_RECEIVING: number;
  const CONN_FAIL_TIMEOUT_SENDING: number;
  const CONNACK_REFUSED_BAD_USER_OR_PASS: number;
  const CONNACK_REFUSED_NOT_AUTHORIZED: number;
}

/**
 * wifi (station mode) and the emulated world's one access point. From nodemcu-firmware
 * docs/modules/wifi.md and app/modules/wifi.c, wifi_eventmon.c; constants are the SDK's
 * (user_interface.h): STATION 1, STA_IDLE 0 … STA_GOTIP 5, events STA_CONNECTED 0 … and the
 * disconnect reasons of wifi.eventmon.reason.
 *
 * A connection attempt: a scan of every channel, then auth/assoc and the WPA2 4-way handshake,
 * then DHCP. Not found → STA_DISCONNECTED reason 201 (status STA_APNOTFOUND); a wrong password
 * → the handshake times out, reason 15 (status STA_WRONGPWD), never an IP. With auto-connect
 * the SDK tries again at once, forever, one event per failed attempt. The access point
 * vanishing (fault "wifiDown"): nothing gets through from that instant (tcp.ts), the station
 * notices when beacons stop coming (reason 200) and loops on 201 until the AP is back.
 * The durations are estimates of what an ESP8266 shows in its logs, not figures from sources.
 */
import { K, api, apiError, runFirmware } from "../kernel.ts";
import { PRIO_HIGH, schedule2 } from "../events.ts";
import { B } from "../state.ts";
import { C_SIZE, blockBytes, chargeC, releaseC } from "./c-heap.ts";
import { setHasIp, setLinkUp } from "./tcp.ts";

const STATION = 1;
const STATUS = { IDLE: 0, CONNECTING: 1, WRONGPWD: 2, APNOTFOUND: 3, FAIL: 4, GOTIP: 5 };
const EV = { STA_CONNECTED: 0, STA_DISCONNECTED: 1, STA_AUTHMODE_CHANGE: 2, STA_GOT_IP: 3, STA_DHCP_TIMEOUT: 4, AP_STACONNECTED: 5, AP_STADISCONNECTED: 6, AP_PROBEREQRECVED: 7, WIFI_MODE_CHANGED: 8, EVENT_MAX: 9 };
export const REASON = {
  UNSPECIFIED: 1, AUTH_EXPIRE: 2, AUTH_LEAVE: 3, ASSOC_EXPIRE: 4, ASSOC_TOOMANY: 5, NOT_AUTHED: 6, NOT_ASSOCED: 7, ASSOC_LEAVE: 8,
  ASSOC_NOT_AUTHED: 9, DISASSOC_PWRCAP_BAD: 10, DISASSOC_SUPCHAN_BAD: 11, IE_INVALID: 13, MIC_FAILURE: 14, "4WAY_HANDSHAKE_TIMEOUT": 15,
  GROUP_KEY_UPDATE_TIMEOUT: 16, IE_IN_4WAY_DIFFERS: 17, GROUP_CIPHER_INVALID: 18, PAIRWISE_CIPHER_INVALID: 19, AKMP_INVALID: 20,
  UNSUPP_RSN_IE_VERSION: 21, INVALID_RSN_IE_CAP: 22, "802_1X_AUTH_FAILED": 23, CIPHER_SUITE_REJECTED: 24,
  BEACON_TIMEOUT: 200, NO_AP_FOUND: 201, AUTH_FAIL: 202, ASSOC_FAIL: 203, HANDSHAKE_TIMEOUT: 204,
};

/** A scan over every channel before joining (µs). */
const SCAN_US = 2_000_000;
/** Auth, association and the 4-way handshake with the right key. */
const JOIN_US = 300_000;
/** The handshake with a wrong key, until the station gives up on it. */
const WRONG_KEY_US = 3_000_000;
const DHCP_US = 500_000;
/** Missed beacons until the station calls the AP lost. */
const BEACON_LOSS_US = 3_000_000;
const BSSID = "de:c1:a5:51:f1:ed";
const CHANNEL = 6;

/** The world's access point (emulator options, faults). `present` false: it does not answer. */
export const AP = { ssid: undefined as string | undefined, password: "", present: false, downGen: 0 };

const STA = {
  mode: STATION,
  ssid: "", pwd: "", configured: false, auto: true,
  status: STATUS.IDLE,
  /** Associated with the AP (after STA_CONNECTED, until STA_DISCONNECTED). */
  joined: false,
  ip: undefined as string | undefined,
  /** Bumped to cancel the attempt in progress. */
  gen: 0,
  /** STA.gen when a failure event went to the firmware: a change meanwhile (its own connect/config) stops the retry. */
  genAtFire: 0,
  callbacks: [] as (((this: void, t: unknown) => void) | false)[],
};
for (let i = 0; i < EV.EVENT_MAX; i++) STA.callbacks.push(false);

export const wifiStats = { attempts: 0, disconnects: 0, gotIp: 0 };

function fire(ev: number, t: Record<string, unknown>): void {
  const cb = STA.callbacks[ev];
  if (cb !== false) runFirmware(cb as (this: void, ...a: unknown[]) => unknown, "callback", t);
}

function stationIp(): string {
  return `192.168.1.${100 + (B.chipId % 100)}`;
}

function attempt(): void {
  STA.gen += 1;
  STA.status = STATUS.CONNECTING;
  wifiStats.attempts += 1;
  schedule2(K.now + SCAN_US, PRIO_HIGH, scanned, undefined, STA.gen);
}

function failedAttempt(status: number, reason: number): void {
  STA.status = status;
  wifiStats.disconnects += 1;
  fire(EV.STA_DISCONNECTED, { SSID: STA.ssid, BSSID: BSSID, reason });
  if (STA.auto && STA.gen === STA.genAtFire) attempt();
}

function scanned(this: void, _a: unknown, _t: number, gen: number): void {
  if (gen !== STA.gen) return;
  STA.genAtFire = gen;
  if (!AP.present || AP.ssid !== STA.ssid) {
    failedAttempt(STATUS.APNOTFOUND, REASON.NO_AP_FOUND);
    return;
  }
  if (AP.password !== STA.pwd) {
    schedule2(K.now + WRONG_KEY_US, PRIO_HIGH, wrongKey, undefined, gen);
    return;
  }
  schedule2(K.now + JOIN_US, PRIO_HIGH, joined, undefined, gen);
}

function wrongKey(this: void, _a: unknown, _t: number, gen: number): void {
  if (gen !== STA.gen) return;
  STA.genAtFire = gen;
  failedAttempt(STATUS.WRONGPWD, REASON["4WAY_HANDSHAKE_TIMEOUT"]);
}

function joined(this: void, _a: unknown, _t: number, gen: number): void {
  if (gen !== STA.gen) return;
  STA.joined = true;
  chargeC(blockBytes(C_SIZE.dhcp)); // dhcp_start() for the station's netif
  schedule2(K.now + DHCP_US, PRIO_HIGH, gotIp, undefined, gen);
  fire(EV.STA_CONNECTED, { SSID: STA.ssid, BSSID: BSSID, channel: CHANNEL });
}

function gotIp(this: void, _a: unknown, _t: number, gen: number): void {
  if (gen !== STA.gen || !STA.joined) return;
  STA.ip = stationIp();
  STA.status = STATUS.GOTIP;
  wifiStats.gotIp += 1;
  setHasIp(true);
  setLinkUp(AP.present);
  fire(EV.STA_GOT_IP, { IP: STA.ip, netmask: "255.255.255.0", gateway: "192.168.1.1" });
}

/** The station leaves the AP (any cause): the link is down, the DHCP lease and its memory go. */
function leave(): boolean {
  const was = STA.joined;
  if (STA.joined) releaseC(blockBytes(C_SIZE.dhcp));
  STA.joined = false;
  STA.ip = undefined;
  setHasIp(false);
  setLinkUp(false);
  return was;
}

function lost(this: void, reason: number, _t: number, gen: number): void {
  if (gen !== STA.gen || !STA.joined) return;
  if (reason === REASON.BEACON_TIMEOUT && AP.present) return; // back before the station gave up on it
  leave();
  STA.gen += 1;
  STA.genAtFire = STA.gen;
  failedAttempt(STATUS.CONNECTING, reason);
}

/** Fault: the access point vanishes now for `seconds` (virtual). */
export function accessPointDown(seconds: number): void {
  AP.present = false;
  AP.downGen += 1;
  setLinkUp(false); // nothing gets through from now on; the station notices later
  if (STA.joined) schedule2(K.now + BEACON_LOSS_US, PRIO_HIGH, lost, REASON.BEACON_TIMEOUT, STA.gen);
  schedule2(K.now + seconds * 1e6, PRIO_HIGH, accessPointBack, undefined, AP.downGen);
}

function accessPointBack(this: void, _a: unknown, _t: number, downGen: number): void {
  if (downGen !== AP.downGen) return;
  AP.present = AP.ssid !== undefined;
  if (STA.ip !== undefined) setLinkUp(AP.present); // still associated: packets flow again
}

/** The access point is (re)configured (options, fault "accessPoint"): its clients are sent away. */
export function configureAccessPoint(ssid: string | undefined, password: string): void {
  AP.ssid = ssid;
  AP.password = password;
  AP.present = ssid !== undefined;
  AP.downGen += 1;
  if (STA.joined) schedule2(K.now, PRIO_HIGH, lost, REASON.AUTH_LEAVE, STA.gen);
}

/** A reset of the board: the radio starts over (configuration not saved to flash is gone). */
export function resetWifi(): void {
  STA.gen += 1;
  if (STA.joined) releaseC(blockBytes(C_SIZE.dhcp));
  STA.joined = false;
  STA.ip = undefined;
  STA.status = STATUS.IDLE;
  STA.configured = false;
  STA.mode = STATION;
  for (let i = 0; i < EV.EVENT_MAX; i++) STA.callbacks[i] = false;
}

function configure(cfg: unknown): boolean {
  if (type(cfg) !== "table") return apiError("bad argument #1 to 'config' (config table not found!)");
  const t = cfg as Record<string, unknown>;
  const ssid = t.ssid;
  if (type(ssid) !== "string") return apiError("bad argument #1 to 'config' (ssid: Type mismatch!)");
  if ((ssid as string).length > 32) return apiError("bad argument #1 to 'config' (ssid: length:0-32)");
  const pwd = t.pwd ?? "";
  if (type(pwd) !== "string") return apiError("bad argument #1 to 'config' (pwd: Type mismatch!)");
  const pl = (pwd as string).length;
  if (pl !== 0 && (pl < 8 || pl > 64)) return apiError("bad argument #1 to 'config' (pwd: length:0 or 8-64)");
  const auto = t.auto === undefined ? true : t.auto === true;
  // wifi.c: the station leaves its AP, takes the new configuration, connects if auto.
  if (leave()) fire(EV.STA_DISCONNECTED, { SSID: STA.ssid, BSSID: BSSID, reason: REASON.ASSOC_LEAVE });
  STA.gen += 1;
  STA.status = STATUS.IDLE;
  STA.ssid = ssid as string;
  STA.pwd = pwd as string;
  STA.configured = true;
  STA.auto = auto;
  if (auto && STA.mode === STATION) attempt();
  return true;
}

export function createWifiModule(): Record<string, unknown> {
  const reasonTable: Record<string, number> = {};
  for (const [k, v] of Object.entries(REASON)) reasonTable[k] = v;
  return {
    STATION, SOFTAP: 2, STATIONAP: 3, NULLMODE: 0,
    STA_IDLE: STATUS.IDLE, STA_CONNECTING: STATUS.CONNECTING, STA_WRONGPWD: STATUS.WRONGPWD,
    STA_APNOTFOUND: STATUS.APNOTFOUND, STA_FAIL: STATUS.FAIL, STA_GOTIP: STATUS.GOTIP,
    OPEN: 0, WPA_PSK: 2, WPA2_PSK: 3, WPA_WPA2_PSK: 4,
    setmode: api((mode: unknown) => {
      if (mode !== 0 && mode !== 1 && mode !== 2 && mode !== 3) return apiError("bad argument #1 to 'setmode' (Invalid wifi mode)");
      STA.mode = mode as number;
      if (mode !== STATION && mode !== 3) {
        if (leave()) fire(EV.STA_DISCONNECTED, { SSID: STA.ssid, BSSID: BSSID, reason: REASON.ASSOC_LEAVE });
        STA.gen += 1;
        STA.status = STATUS.IDLE;
      }
      return STA.mode;
    }, 50),
    getmode: api(() => STA.mode, 2),
    sta: {
      config: api(configure, 100),
      connect: api(() => {
        if (!STA.configured || STA.joined || STA.status === STATUS.CONNECTING) return;
        attempt();
      }, 20),
      disconnect: api(() => {
        const was = leave();
        STA.gen += 1;
        STA.status = STATUS.IDLE;
        if (was) schedule2(K.now, PRIO_HIGH, (reason) => fire(EV.STA_DISCONNECTED, { SSID: STA.ssid, BSSID: BSSID, reason }), REASON.ASSOC_LEAVE, undefined);
      }, 20),
      autoconnect: api((on: unknown) => { STA.auto = on === 1 || on === true; }, 5),
      status: api(() => STA.status, 2),
      getip: api(() => {
        if (STA.ip === undefined) return undefined;
        return $multi(STA.ip, "255.255.255.0", "192.168.1.1");
      }, 5),
      getmac: api(() => "5c:cf:7f:00:00:01", 2),
      getrssi: api(() => (STA.joined ? -60 : undefined), 5),
    },
    eventmon: {
      STA_CONNECTED: EV.STA_CONNECTED, STA_DISCONNECTED: EV.STA_DISCONNECTED, STA_AUTHMODE_CHANGE: EV.STA_AUTHMODE_CHANGE,
      STA_GOT_IP: EV.STA_GOT_IP, STA_DHCP_TIMEOUT: EV.STA_DHCP_TIMEOUT, AP_STACONNECTED: EV.AP_STACONNECTED,
      AP_STADISCONNECTED: EV.AP_STADISCONNECTED, AP_PROBEREQRECVED: EV.AP_PROBEREQRECVED, WIFI_MODE_CHANGED: EV.WIFI_MODE_CHANGED,
      EVENT_MAX: EV.EVENT_MAX,
      reason: reasonTable,
      register: api((ev: unknown, fn?: unknown) => {
        if (type(ev) !== "number" || (ev as number) < 0 || (ev as number) >= EV.EVENT_MAX) return apiError("bad argument #1 to 'register' (valid wifi events:0-8)");
        STA.callbacks[ev as number] = type(fn) === "function" ? (fn as (this: void, t: unknown) => void) : false;
      }, 5),
      unregister: api((ev: unknown) => {
        if (type(ev) !== "number" || (ev as number) < 0 || (ev as number) >= EV.EVENT_MAX) return apiError("bad argument #1 to 'unregister' (valid wifi events:0-8)");
        STA.callbacks[ev as number] = false;
      }, 5),
    },
  };
}

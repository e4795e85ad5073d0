import { describe, expect, it } from "vitest";
import { decodeNetFile, encodeNetFile, toHexText } from "../../shared/board/netcfg.ts";
import { netSettings, networkStatus, networkText, parseBrokerUrl } from "./net-settings.ts";

const good = { ssid: "Gym North", password: "wifi password", broker: "mqtt://192.168.1.10:1884", rack: "rack-01" };

describe("rackcell net: the command line into the board's settings", () => {
  it("fills the defaults (port 1883, gym, user = rack, no MQTT password) and keeps every byte of a password", () => {
    expect(netSettings({ ...good, broker: "mqtt://broker.local" })).toEqual({
      ssid: "Gym North", pwd: "wifi password", host: "broker.local", port: "1883", rack: "rack-01", gym: "gym", user: "rack-01", mpass: "",
    });
    const cfg = netSettings({ ...good, gym: "north", user: "u1", mqttPassword: "p,*=\\ x", password: "" });
    expect(cfg).toMatchObject({ port: "1884", gym: "north", user: "u1", mpass: "p,*=\\ x", pwd: "" });
    // what the board will read back from its flash
    expect(decodeNetFile(encodeNetFile(cfg))).toEqual({ cfg, error: "" });
  });

  it("refuses bad input with the option and the reason, before anything reaches the board", () => {
    const bad: [Partial<typeof good> & Record<string, string>, RegExp][] = [
      [{ broker: "broker.local:1883" }, /--broker .* must start with mqtt:\/\//],
      [{ broker: "mqtt://bro ker" }, /is not a URL: use mqtt:\/\/host:1883/],
      [{ broker: "mqtts://broker.local:8883" }, /TLS\) is not supported: the ESP8266/],
      [{ broker: "mqtt://rack:pw@broker.local" }, /put the rack's login in --user and --mqtt-password/],
      [{ broker: "mqtt://broker.local:1883/x" }, /has a path or query/],
      [{ broker: "mqtt://broker.local:0" }, /--broker port: broker port must be a whole number 1-65535/],
      [{ broker: "mqtt://[::1]:1883" }, /--broker host: broker host must be/],
      [{ rack: "rack/01" }, /--rack: rack name must be 1-32 letters/],
      [{ rack: "r".repeat(33) }, /--rack: rack name must be/],
      [{ gym: "north+south" }, /--gym: gym name must be/],
      [{ ssid: "" }, /--ssid: ssid must be 1-32/],
      [{ ssid: "s".repeat(33) }, /--ssid: ssid must be 1-32/],
      [{ ssid: "café" }, /--ssid: ssid must be 1-32 printable ASCII/],
      [{ password: "short" }, /--password: WiFi password must be empty \(open network\) or 8-64/],
      [{ password: "p".repeat(65) }, /--password: WiFi password must be/],
      [{ user: "" }, /--user: MQTT user name must be 1-64/],
      [{ mqttPassword: "m".repeat(65) }, /--mqtt-password: MQTT password must be at most 64/],
      [{ mqttPassword: "line\nbreak" }, /--mqtt-password: MQTT password must be at most 64 printable/],
    ];
    for (const [change, message] of bad) expect(() => netSettings({ ...good, ...change }), JSON.stringify(change)).toThrow(message);
    expect(() => netSettings({ ssid: "x" })).toThrow(/needs --password, --broker, --rack/);
  });

  it("parses a broker URL's host and port", () => {
    expect(parseBrokerUrl("mqtt://10.0.0.2:1883")).toEqual({ host: "10.0.0.2", port: 1883 });
    expect(parseBrokerUrl("tcp://Broker-1.gym.example")).toEqual({ host: "Broker-1.gym.example", port: 1883 });
  });

  it("reads the board's network status (ssid from hex, broker host and port, counters as numbers)", () => {
    const s = networkStatus({ net: "1", ssidhex: toHexText("Gym, North"), broker: "broker.local:1883", rack: "rack-01", gym: "north",
      netstate: "online", netsent: "120", netdrop: "3", netfail: "-5" });
    expect(s).toEqual({ configured: true, ssid: "Gym, North", brokerHost: "broker.local", brokerPort: 1883, rack: "rack-01", gym: "north",
      state: "online", messagesSent: 120, messagesDropped: 3, lastFailureCode: -5, error: null });
    expect(networkText(s)[0]).toBe('network     online: WiFi "Gym, North", broker broker.local:1883, rackcell/north/rack-01/… (120 messages sent, 3 dropped)');
    const off = networkStatus({ net: "0", neterr: "port missing" });
    expect(off.configured).toBe(false);
    expect(networkText(off)[0]).toContain("not configured (net.cfg not used: port missing)");
  });
});

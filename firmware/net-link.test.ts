import { describe, expect, it } from "vitest";
import { decodeSample, openLine, sealLine, splitFields } from "../shared/protocol/frame.ts";
import { fieldValue } from "../shared/protocol/keyvalue.ts";
import { encodeCommand } from "../shared/protocol/messages.ts";
import { decodeNetFile, encodeNetFile, NET_KEYS, toHexText, type NetConfig } from "../shared/board/netcfg.ts";
import { rackTopic } from "../shared/protocol/gym-topics.ts";
import { runOnFake } from "../host/testing/firmware/fake-board.ts";

/**
 * The board's network side (firmware/net-link.ts, netcmd.ts) on the fake NodeMCU with the fake
 * wifi/mqtt (host/testing/firmware/fake-net.ts), in Lua 5.1 and 5.3: settings written over USB and
 * never printed back, nothing of the network loaded without them, WiFi and MQTT as NodeMCU's
 * documentation describes, batches of sealed frames, one message in flight, a bounded queue while
 * the broker does not acknowledge, reconnects with the lift log replayed, and the allow-list.
 */
interface Publish { topic: string; payload: string; qos: number; retain: number; t: number }
interface NetRun {
  out: string; files: Record<string, string>; errors: string; restarted: boolean; instr: number; heapKb: number;
  net: { publishes: Publish[] | Record<string, never>; connects: number; mode?: number; staConfig?: Record<string, unknown>;
    will?: Record<string, unknown>; clientArgs?: Record<string, unknown>; subs: Record<string, number> | never[]; maxUnacked: number;
    host?: string; port?: number; secure?: boolean; closes: number; hasClient: boolean };
}
const REPORT = `collectgarbage("collect"); collectgarbage("collect")
local N = T.net
__write(__json({ out = T.take(), files = T.files, errors = T.errors or "", restarted = T.restarted, instr = T.instr,
  heapKb = collectgarbage("count"),
  net = { publishes = N.publishes, connects = N.connects, mode = N.mode, staConfig = N.staConfig, will = N.will,
    clientArgs = N.clientArgs, subs = N.subs, maxUnacked = N.maxUnacked, host = N.host, port = N.port, secure = N.secure,
    closes = N.closes, hasClient = N.client ~= nil } }))`;

const CFG: NetConfig = {
  ssid: "gym wifi, 2nd*floor", pwd: "wifi pass=1,*x", host: "broker.local", port: "1883", rack: "rack-07", gym: "north",
  user: "rack-07", mpass: "mqtt,secret*pw",
};
const T = (kind: "frames" | "lifts" | "status" | "cmd" | "reply") => rackTopic("north", "rack-07", kind);
const cmd = (id: number, name: string, ...args: string[]) => JSON.stringify(encodeCommand(id, name, args));
const lines = (out: string) => out.split("\n").filter((l) => l.length > 0);
const bodies = (out: string, kind: string) => lines(out).map((l) => openLine(l)).filter((o) => o.error === "" && o.body.startsWith(kind)).map((o) => o.body);
const pubs = (r: NetRun, kind?: Parameters<typeof T>[0]) => (Array.isArray(r.net.publishes) ? r.net.publishes : []).filter((p) => kind === undefined || p.topic === T(kind));
/** A sealed E line of the lift log with this id (the replay reads only the id and the seal). */
const liftLine = (id: number) => sealLine(`E,id=${id},boot=1,kind=rackpull,peak=1000.0`);
const liftLog = (ids: number[]) => ids.map((id) => `${liftLine(id)}\n`).join("");

for (const target of ["5.1", "5.3"] as const) {
  describe(`the board on the network (fake wifi/mqtt), Lua ${target}`, () => {
    it("without net.cfg loads nothing of the network: no WiFi mode, no client, info says net=0", () => {
      const r = runOnFake(target, {}, `T.value = {1000, -2000}; T.run(500000)
T.send(${cmd(1, "info")}); T.run(100000)
local loaded = package.loaded
T.out[#T.out + 1] = "LOADED " .. tostring(loaded.net_link ~= nil) .. " " .. tostring(loaded.board_netcfg ~= nil) .. " " .. tostring(loaded.netcmd ~= nil) .. "\\n"
${REPORT}`) as NetRun;
      expect(r.errors).toBe("");
      expect(r.out).toContain("LOADED false false false");
      expect(r.net.mode).toBeUndefined();
      expect(r.net.hasClient).toBe(false);
      const info = splitFields(bodies(r.out, "R,1,")[0]);
      expect(fieldValue(info, "net")).toBe("0");
      expect(fieldValue(info, "ssidhex")).toBe("");
    });

    it("a broken net.cfg keeps the board off the network and says why, streaming on", () => {
      const cut = encodeNetFile(CFG).split("\n").slice(0, 4).join("\n");
      const r = runOnFake(target, { files: { "net.cfg": cut } }, `T.value = {1000, -2000}; T.run(500000)\n${REPORT}`) as NetRun;
      expect(r.errors).toBe("");
      expect(bodies(r.out, "M,network")).toEqual(["M,network off: net.cfg port missing"]);
      expect(r.net.hasClient).toBe(false);
      expect(bodies(r.out, "S").length).toBeGreaterThan(30);
    });

    it("takes the settings over USB one field at a time, never says a password back, saves them atomically; info shows no secret", () => {
      const sets = NET_KEYS.map((k, i) => `T.send(${cmd(10 + i, "net", k, toHexText(CFG[k]))}); T.run(30000)`).join("\n");
      const r = runOnFake(target, {}, `T.value = {1000, -2000}; T.run(300000)
T.send(${cmd(1, "net", "save")}); T.run(30000)
T.send(${cmd(2, "net", "pwd", toHexText("short"))}); T.run(30000)
T.send(${cmd(3, "net", "host", "zz")}); T.run(30000)
T.send(${cmd(4, "net", "rack", toHexText("a/b"))}); T.run(30000)
T.send(${cmd(5, "net", "port", toHexText("70000"))}); T.run(30000)
T.send(${cmd(6, "net", "color", toHexText("red"))}); T.run(30000)
${sets}
T.send(${cmd(30, "net", "save")}); T.run(30000)
T.send(${cmd(31, "info")}); T.run(100000)
T.send(${cmd(32, "net")}); T.run(100000)
${REPORT}`) as NetRun;
      expect(r.errors).toBe("");
      const reply = (id: number) => bodies(r.out, `R,${id},`)[0] ?? `R,${id} missing`;
      expect(reply(1)).toMatch(/^R,1,err,missing ssid/);
      expect(reply(2)).toMatch(/^R,2,err,WiFi password must be empty \(open network\) or 8-64/);
      expect(reply(3)).toMatch(/^R,3,err,host value must be lowercase hex/);
      expect(reply(4)).toMatch(/^R,4,err,rack name must be/);
      expect(reply(5)).toMatch(/^R,5,err,broker port must be/);
      expect(reply(6)).toMatch(/^R,6,err,usage net/);
      NET_KEYS.forEach((k, i) => expect(reply(10 + i)).toBe(`R,${10 + i},ok,${k}=set`));
      expect(reply(30)).toMatch(/^R,30,ok,net=1,bytes=\d+$/);
      const saved = decodeNetFile(r.files["net.cfg"]);
      expect(saved).toEqual({ cfg: CFG, error: "" });
      expect(r.files["net.tmp"]).toBeUndefined();
      for (const id of [31, 32]) {
        const f = splitFields(reply(id));
        expect(fieldValue(f, "net")).toBe("1");
        expect(fieldValue(f, "ssidhex")).toBe(toHexText(CFG.ssid));
        expect(fieldValue(f, "broker")).toBe("broker.local:1883");
        expect(fieldValue(f, "rack")).toBe("rack-07");
        expect(fieldValue(f, "gym")).toBe("north");
        expect(fieldValue(f, "netstate")).toBe("off");
      }
      // no password, in clear or in hex, ever leaves the board
      for (const secret of [CFG.pwd, CFG.mpass]) {
        expect(r.out).not.toContain(secret);
        expect(r.out).not.toContain(toHexText(secret));
      }
      // the network starts at the next boot, and net,off removes the settings
      const off = runOnFake(target, { files: r.files }, `T.run(300000)
T.send(${cmd(40, "net", "off")}); T.run(30000)
T.send(${cmd(41, "info")}); T.run(100000)
${REPORT}`) as NetRun;
      expect(off.net.mode).toBe(1);
      expect(bodies(off.out, "R,40,")[0]).toBe("R,40,ok,net=0");
      expect(fieldValue(splitFields(bodies(off.out, "R,41,")[0]), "net")).toBe("0");
      expect(off.files["net.cfg"]).toBeUndefined();
    });

    it("a power cut at any step of net,save leaves the old settings or the new ones, never a torn file", () => {
      const old = encodeNetFile({ ...CFG, ssid: "old" });
      const sets = NET_KEYS.map((k, i) => `T.send(${cmd(10 + i, "net", k, toHexText(CFG[k]))}); T.run(30000)`).join("\n");
      const seen = new Set<string>();
      for (let cut = 0; cut <= 7; cut++) {
        const r = runOnFake(target, { files: { "net.cfg": old } }, `T.run(300000)
${sets}
T.fileOps = 0; T.cutAfter = ${cut}
T.send(${cmd(30, "net", "save")})
T.cutAfter = nil
${REPORT}`) as NetRun;
        // the next boot (app start finishes or undoes an interrupted save)
        const files = { ...r.files };
        const boot = runOnFake(target, { files }, `T.run(300000)\n${REPORT}`) as NetRun;
        expect(boot.errors).toBe("");
        const ssid = decodeNetFile(boot.files["net.cfg"] ?? "").cfg.ssid;
        expect(["old", CFG.ssid], `cut after ${cut} file operations`).toContain(ssid);
        expect(boot.files["net.tmp"]).toBeUndefined();
        seen.add(ssid);
      }
      expect([...seen].sort()).toEqual([CFG.ssid, "old"].sort());
    });

    it("publishes the lines in the order it writes them on USB: a reply after the frames before it (a tare's zeros hold from the frames after it)", () => {
      const r = runOnFake(target, { files: { "net.cfg": encodeNetFile(CFG) } }, `T.value = {1000, -2000}; T.run(300000)
T.wifiUp(); T.run(2000000)
T.send(${cmd(5, "tare")}); T.run(2012500)
T.send(${cmd(6, "tare")}); T.run(2025000)
T.send(${cmd(7, "tare")}); T.run(2037500)
T.send(${cmd(8, "ping")}); T.run(500000)
${REPORT}`) as NetRun;
      expect(r.errors).toBe("");
      const keep = (b: string) => b.startsWith("S") || b.startsWith("R,");
      const usb = lines(r.out).map((l) => openLine(l)).filter((o) => o.error === "" && keep(o.body)).map((o) => o.body);
      const sent = [...pubs(r, "frames"), ...pubs(r, "reply")].sort((a, b) => pubs(r).indexOf(a) - pubs(r).indexOf(b))
        .flatMap((p) => p.payload.split("\n")).map((l) => openLine(l).body).filter(keep);
      // (the tares 1, 2 and 3 frame periods apart: whatever a batch holds when a reply comes, it goes first)
      expect(sent.filter((b) => /^R,[5-8],ok/.test(b))).toHaveLength(4);
      expect(sent.filter((b) => b.startsWith("S")).length).toBeGreaterThan(100);
      // every line sent is one of USB's (frames carry their sequence number), in USB's order
      const at = new Map(usb.map((b, i) => [b, i]));
      const order = sent.map((b) => at.get(b) ?? -1);
      expect(order.filter((i) => i < 0)).toEqual([]);
      order.forEach((p, i) => i > 0 && expect(p, `line ${i}: ${sent[i]}`).toBeGreaterThan(order[i - 1]));
    });

    it("with net.cfg: joins WiFi, connects with its login and last will, says online, publishes sealed frames in batches, one message in flight", () => {
      const r = runOnFake(target, { files: { "net.cfg": encodeNetFile(CFG) } }, `T.value = {1000, -2000}; T.run(300000)
T.wifiUp(); T.run(2000000)
T.send(${cmd(1, "info")}); T.run(100000)
${REPORT}`) as NetRun;
      expect(r.errors).toBe("");
      expect(r.net.mode).toBe(1);
      expect(r.net.staConfig).toEqual({ ssid: CFG.ssid, pwd: CFG.pwd, auto: true, save: false });
      expect(r.net.clientArgs).toMatchObject({ id: "rack-north-rack-07", user: CFG.user, pass: CFG.mpass, clean: 1 });
      expect(r.net.will).toEqual({ topic: T("status"), msg: "offline", qos: 1, retain: 1 });
      expect([r.net.host, r.net.port, r.net.secure]).toEqual(["broker.local", 1883, false]);
      expect(r.net.subs).toEqual({ [T("cmd")]: 1 });
      const all = pubs(r);
      expect(all[0]).toMatchObject({ topic: T("status"), payload: "online", qos: 1, retain: 1 });
      expect(r.net.maxUnacked).toBe(1);
      const batches = pubs(r, "frames");
      expect(batches.length).toBeGreaterThan(10);
      const seqs: number[] = [];
      for (const b of batches) {
        expect(b.qos).toBe(0);
        expect(b.retain).toBe(0);
        expect(b.payload.length).toBeLessThanOrEqual(1024);
        const ls = b.payload.split("\n");
        // 8 frames a message, more (up to 1 KB) only while a message waits for its acknowledgement
        expect(ls.length).toBeLessThanOrEqual(30);
        for (const l of ls) {
          expect(openLine(l).error, l).toBe("");
          if (l.startsWith("S")) seqs.push(decodeSample(openLine(l).body).seq);
        }
      }
      // every frame made while online went out once, in order (the same sealed lines as on USB)
      seqs.forEach((s, i) => expect(s).toBe(seqs[0] + i));
      const usb = bodies(r.out, "S").map((b) => decodeSample(b).seq);
      expect(usb).toEqual(expect.arrayContaining(seqs));
      expect(seqs.length).toBeGreaterThan(100);
      // USB and MQTT both get the reply; info says online and names no secret
      const info = splitFields(bodies(r.out, "R,1,")[0]);
      expect(fieldValue(info, "netstate")).toBe("online");
      expect(pubs(r, "reply").map((p) => p.payload.split("*")[0])).toContain(bodies(r.out, "R,1,")[0]);
      const wire = JSON.stringify(all) + r.out;
      for (const secret of [CFG.pwd, CFG.mpass]) expect(wire).not.toContain(secret);
    });

    it("costs the streaming path a few dozen VM instructions per frame when online (the firmware budget is 1,500)", () => {
      const perFrame = (files: Record<string, string>) => {
        const r = runOnFake(target, { files }, `T.value = {1000, -2000}; T.run(300000)
if T.net.events[3] then T.wifiUp() end; T.run(2000000)
local i0 = T.instr; T.take()
T.run(20000000)
local n = 0
for _ in string.gmatch(T.take(), "S[^\\n]*\\n") do n = n + 1 end
__write(__json({ per = (T.instr - i0) / n, frames = n, pubs = #T.net.publishes, errors = T.errors or "" }))`) as { per: number; frames: number; pubs: number; errors: string };
        expect(r.errors).toBe("");
        expect(r.frames).toBeGreaterThan(1500);
        return r;
      };
      const off = perFrame({});
      const on = perFrame({ "net.cfg": encodeNetFile(CFG) });
      expect(off.pubs).toBe(0);
      expect(on.pubs).toBeGreaterThan(on.frames / 8);
      // measured 2026-12-04: ≈ +52 (fake NodeMCU units, its own publish and acknowledgement Lua included)
      expect(on.per - off.per).toBeLessThan(70);
    });

    it("keeps its own queue bounded while the broker holds back acknowledgements, and goes on when they come", () => {
      const r = runOnFake(target, { files: { "net.cfg": encodeNetFile(CFG) } }, `T.value = {1000, -2000}; T.run(300000)
T.wifiUp(); T.run(500000)
T.net.holdAcks = true
T.run(20000000)
local during = #T.net.publishes
collectgarbage("collect"); collectgarbage("collect")
local heapHeld = collectgarbage("count")
T.net.holdAcks = false
T.ackLater(1); T.run(1000000)
T.out[#T.out + 1] = string.format("HELD %d %d %.1f\\n", during, #T.net.publishes, heapHeld)
${REPORT}`) as NetRun;
      expect(r.errors).toBe("");
      const [, during, after, heapHeld] = /HELD (\d+) (\d+) ([\d.]+)/.exec(r.out)!.map(Number);
      // 20 s without an acknowledgement: still one message handed to the client, nothing piled up behind it
      expect(r.net.maxUnacked).toBe(1);
      expect(after).toBeGreaterThan(during + 5);
      // the queue is bounded (2 KB of payload): the heap while held is within a few KB of the heap after
      expect(heapHeld - r.heapKb).toBeLessThan(4);
      // the message waiting behind the held one grew to 1 KB instead of the queue filling with small ones
      expect(Math.max(...pubs(r, "frames").map((p) => p.payload.length))).toBeGreaterThan(900);
      expect(Math.max(...pubs(r, "frames").map((p) => p.payload.length))).toBeLessThanOrEqual(1024);
      // the frames made while held are lost (counted missing by the host), never sent late out of order
      const seqs = pubs(r, "frames").flatMap((b) => b.payload.split("\n")).filter((l) => l.startsWith("S")).map((l) => decodeSample(openLine(l).body).seq);
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]);
    });

    it("reconnects with backoff after the broker goes, says online again and replays the lifts the broker did not acknowledge", () => {
      const r = runOnFake(target, { files: { "net.cfg": encodeNetFile(CFG), "lifts.txt": liftLog([1, 2]) } }, `T.value = {1000, -2000}; T.run(300000)
T.wifiUp(); T.run(1000000)
local before = T.net.connects
T.brokerDown(); T.run(20000000)
local tries = T.net.connects - before
-- a lift made while the broker was away (on flash only)
T.files["lifts.txt"] = T.files["lifts.txt"] .. ${JSON.stringify(liftLog([3]))}
T.brokerUp(); T.run(40000000)
T.out[#T.out + 1] = string.format("TRIES %d\\n", tries)
${REPORT}`) as NetRun;
      expect(r.errors).toBe("");
      // 20 s down, backoff 1, 2, 4, 8 s…: a few tries, not one per tick
      const tries = Number(/TRIES (\d+)/.exec(r.out)![1]);
      expect(tries).toBeGreaterThanOrEqual(3);
      expect(tries).toBeLessThanOrEqual(6);
      const status = pubs(r, "status").map((p) => p.payload);
      expect(status).toEqual(["online", "online"]);
      const lifts = pubs(r, "lifts");
      for (const l of lifts) {
        expect(l.qos).toBe(1);
        expect(openLine(l.payload).error).toBe("");
      }
      const ids = lifts.map((l) => Number(fieldValue(splitFields(openLine(l.payload).body), "id")));
      // the first connect sends the log (the host may have missed it before this boot); the reconnect only what is new
      expect(ids).toEqual([1, 2, 3]);
    });

    it("after WiFi is lost and back: reconnects within a second of the old connection ending, frames made offline are not sent, the lift log replays", () => {
      const r = runOnFake(target, { files: { "net.cfg": encodeNetFile(CFG), "lifts.txt": liftLog([5]) } }, `T.value = {1000, -2000}; T.run(300000)
T.wifiUp(); T.run(1000000)
T.wifiDown(200); T.run(5000000)
local offAt = T.now
T.files["lifts.txt"] = T.files["lifts.txt"] .. ${JSON.stringify(liftLog([6]))}
T.wifiUp(); T.run(5000000)
T.out[#T.out + 1] = string.format("STUCK %d %d\\n", T.net.clients, T.net.connects)
T.oldLinkDies(); T.run(1500000)
T.out[#T.out + 1] = string.format("OFF %d\\n", offAt)
${REPORT}`) as NetRun;
      expect(r.errors).toBe("");
      expect(r.net.closes).toBe(1);
      // the old connection was still tearing down ("already connected", not counted as a connect): one client, asked again
      // every second (no backoff), connected within the second after the old connection ended
      expect(r.out).toContain("STUCK 1 1");
      const offAt = Number(/OFF (\d+)/.exec(r.out)![1]);
      const frames = pubs(r, "frames");
      const gap = frames.filter((p) => p.t > offAt - 5000000 && p.t <= offAt);
      expect(gap).toEqual([]);
      const seqs = frames.flatMap((b) => b.payload.split("\n")).filter((l) => l.startsWith("S")).map((l) => decodeSample(openLine(l).body).seq);
      const jumps = seqs.slice(1).map((s, i) => s - seqs[i]).filter((d) => d !== 1);
      expect(jumps.length).toBe(1);
      expect(jumps[0]).toBeGreaterThan(300);
      const ids = pubs(r, "lifts").map((l) => Number(fieldValue(splitFields(openLine(l.payload).body), "id")));
      expect(ids).toEqual([5, 6]);
      expect(pubs(r, "status").map((p) => p.payload)).toEqual(["online", "online"]);
      const online = pubs(r, "status")[1].t;
      expect(online - offAt).toBeGreaterThan(5000000);
      expect(online - offAt).toBeLessThanOrEqual(6100000);
    });

    it("answers only the allow-list over MQTT: refuses prompt, net, keys, reboot, calibration writes with a sealed error and does nothing", () => {
      const refused: [number, string, string[]][] = [[20, "prompt", []], [21, "net", ["off"]], [22, "net", []], [23, "keys", ["init"]], [24, "reboot", []],
        [25, "save", ["x", "y"]], [26, "capture", ["all", "0"]], [27, "fit", []], [28, "stream", ["0"]], [29, "clearpoints", []]];
      const allowed: [number, string, string[]][] = [[10, "ping", []], [11, "info", []], [12, "rate", ["80"]], [13, "lifts", ["0"]], [14, "mode", ["rackcell"]]];
      const send = [...allowed, ...refused].map(([id, name, args]) => `T.mqttIn(${JSON.stringify(T("cmd"))}, ${JSON.stringify(encodeCommand(id, name, args) + "\n")}); T.run(200000)`).join("\n");
      const r = runOnFake(target, { files: { "net.cfg": encodeNetFile(CFG) } }, `T.value = {1000, -2000}; T.run(300000)
T.wifiUp(); T.run(500000)
${send}
T.mqttIn(${JSON.stringify(T("cmd"))}, "print(node.heap())")
T.mqttIn(${JSON.stringify(T("cmd"))}, ${JSON.stringify("C,40,tare*0000")})
T.run(2000000)
${REPORT}`) as NetRun;
      expect(r.errors).toBe("");
      expect(r.restarted).toBe(false);
      const replies = pubs(r, "reply").map((p) => openLine(p.payload).body);
      const byId = (id: number) => replies.filter((x) => x.startsWith(`R,${id},`));
      for (const [id, name] of allowed) expect(byId(id)[0] ?? `R,${id} missing`, name).toMatch(new RegExp(`^R,${id},ok`));
      for (const [id, name] of refused) expect(byId(id), name).toEqual([`R,${id},err,${name} is not allowed over the network (USB only)`]);
      expect(replies.filter((x) => x.startsWith("R,0,err,")).length).toBe(2);
      // nothing happened: settings still there, still streaming on USB and MQTT after it all
      expect(decodeNetFile(r.files["net.cfg"]).error).toBe("");
      const usbSeqs = bodies(r.out, "S").map((b) => decodeSample(b).seq);
      usbSeqs.forEach((s, i) => expect(s).toBe(usbSeqs[0] + i));
      expect(usbSeqs.length).toBeGreaterThan(300);
    });
  });
}

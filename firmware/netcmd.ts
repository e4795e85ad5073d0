// The `net` command, USB only (the network's allow-list refuses it: shared/protocol/gym-topics.ts).
// Transient, loaded by commands.ts for `net` and `info`. The settings travel one field at a time,
// the value in hex (a password may hold `,` or `*`), are checked as they come, kept in RAM until
// `net,save` writes net.cfg atomically (flashfile.ts), and are never sent back: replies say only
// `<key>=set`, and the status names the ssid (hex), broker, rack, gym and state, never a password.
// The board uses new settings from its next start (the host sends `reboot` after saving).
//   net                        ok,net=<0|1>[,ssidhex=,broker=<host:port>,rack=,gym=,netstate=,netsent=,netdrop=,netfail=][,neterr=]
//   net,<key>,<hex>            ok,<key>=set   (keys: shared/board/netcfg.ts NET_KEYS)
//   net,save                   ok,net=1,bytes=<n>; err missing <key>
//   net,off                    ok,net=0: net.cfg removed
import type { AppCtx } from "./types/rackcell.d.ts";
import { checkNetField, decodeNetFile, encodeNetFile, fromHexText, NET_KEYS, NetFile, toHexText } from "../shared/board/netcfg.ts";
import type { NetConfig } from "../shared/board/netcfg.ts";
import { formatInt } from "../shared/protocol/wire-number.ts";
import { replaceFile } from "./flashfile.ts";
import { loaded } from "./framer.ts";

// What info and `net` say about the network (nothing secret).
export function statusPairs(pairs: string[]): void {
  const text = file.getcontents(NetFile.CFG);
  pairs[pairs.length] = "net";
  if (text === undefined) {
    pairs[pairs.length] = "0";
    return;
  }
  const f = decodeNetFile(text);
  if (f.error !== "") {
    pairs[pairs.length] = "0";
    pairs[pairs.length] = "neterr";
    pairs[pairs.length] = f.error;
    return;
  }
  const c = f.cfg;
  const link = loaded()["net_link"] as typeof import("./net-link.ts") | undefined;
  const more = ["1", "ssidhex", toHexText(c.ssid), "broker", `${c.host}:${c.port}`, "rack", c.rack, "gym", c.gym,
    "netstate", link === undefined ? "off" : link.state()];
  for (let i = 0; i < more.length; i++) pairs[pairs.length] = more[i];
  if (link !== undefined) {
    const [sent, dropped, fail] = link.counters();
    const nums = ["netsent", formatInt(sent), "netdrop", formatInt(dropped), "netfail", formatInt(fail)];
    for (let i = 0; i < nums.length; i++) pairs[pairs.length] = nums[i];
  }
}

function isKey(name: string): boolean {
  for (let i = 0; i < NET_KEYS.length; i++) if (NET_KEYS[i] === name) return true;
  return false;
}

// Handles `net[,…]`: "" and the reply's pairs, or why it was refused.
export function handleNet(ctx: AppCtx, a: string[]): LuaMultiReturn<[string, string[]]> {
  const pairs: string[] = [];
  if (a.length === 0) {
    statusPairs(pairs);
    return $multi("", pairs);
  }
  const what = a[0];
  if (what === "off" && a.length === 1) {
    ctx.netStage = undefined;
    file.remove(NetFile.TMP);
    file.remove(NetFile.CFG);
    if (file.exists(NetFile.CFG)) return $multi("flash write failed", pairs);
    return $multi("", ["net", "0"]);
  }
  if (what === "save" && a.length === 1) {
    const stage = ctx.netStage;
    const cfg: Partial<NetConfig> = {};
    for (let i = 0; i < NET_KEYS.length; i++) {
      const key = NET_KEYS[i];
      const value = stage === undefined ? undefined : stage[key];
      if (value === undefined) return $multi(`missing ${key}: send net,${key},<hex> first`, pairs);
      cfg[key] = value;
    }
    const text = encodeNetFile(cfg as NetConfig);
    const error = replaceFile(NetFile.CFG, NetFile.TMP, text);
    if (error !== "") return $multi(`save failed: ${error}`, pairs);
    ctx.netStage = undefined;
    return $multi("", ["net", "1", "bytes", formatInt(text.length)]);
  }
  if (isKey(what) && a.length === 2) {
    const value = fromHexText(a[1]);
    if (value === undefined) return $multi(`${what} value must be lowercase hex`, pairs);
    const why = checkNetField(what, value);
    if (why !== "") return $multi(why, pairs);
    if (ctx.netStage === undefined) ctx.netStage = {};
    ctx.netStage[what] = value;
    return $multi("", [what, "set"]);
  }
  return $multi("usage net | net,<key>,<hex> | net,save | net,off", pairs);
}

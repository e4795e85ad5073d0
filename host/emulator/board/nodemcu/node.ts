/**
 * node: heap (the board's heap minus what the firmware holds), restart (asynchronous: the reset
 * comes after the running callback, once the UART drained), bootreason, chip/flash ids, info,
 * setonerror, egc, task.post (three priorities on the task queue); output (console.ts); random (the
 * ESP8266's hardware RNG; here 32 bits from Node's crypto.randomBytes per call, never Lua's
 * math.random: keys are made from it).
 */
import { K, api, apiError, heapKb, runFirmware, settleHeap } from "../kernel.ts";
import { PRIO_HIGH, PRIO_LOW, PRIO_MED, post } from "../events.ts";
import { B, REASON } from "../state.ts";
import { U } from "./uart.ts";
import { request } from "../link.ts";
import { nodeOutput } from "./console.ts";
import { PT, getPartitionTable, setPartitionTable } from "./lfs.ts";

/** Host bytes the firmware holds: the Lua heap (less the emulator's ledger) above the baseline. */
export function firmwareHostBytes(): number {
  return Math.max(0, Math.floor((heapKb() - K.baselineKb) * 1024));
}

/** Bytes the firmware holds, as board bytes (host bytes × heapScale). */
export function firmwareBytes(): number {
  return Math.floor(firmwareHostBytes() * K.heapScale);
}

let lastFullGc = -1e18;
/**
 * What the firmware would see: NodeMCU's default EGC mode collects eagerly, so there is little
 * garbage on the board; here the emulator's own garbage would be counted too. A measurement
 * first (the link's buffers written out, a full collect: at most every 100 ms of virtual time,
 * to keep the emulator fast and deterministic).
 */
export function settledFirmwareBytes(): number {
  if (K.now - lastFullGc >= 100_000) {
    lastFullGc = K.now;
    settleHeap();
  }
  return firmwareBytes();
}

export function freeHeap(): number {
  return Math.max(0, K.heapBytes - settledFirmwareBytes());
}

const MODULES = "bit,crypto,encoder,file,gpio,hx711,mqtt,net,node,struct,tmr,uart,wifi";

export function createNodeModule(): Record<string, unknown> {
  return {
    heap: api(() => freeHeap(), 2),
    restart: api(() => {
      B.requestReset(REASON.SOFT_RESTART, Math.max(0, U.txEnd - K.now) + 2000);
    }, 5),
    dsleep: api((us?: unknown) => {
      B.requestReset(REASON.DEEP_SLEEP, type(us) === "number" ? (us as number) : 0);
    }, 5),
    chipid: api(() => B.chipId, 2),
    flashid: api(() => B.flashId, 2),
    flashsize: api(() => 4194304, 2),
    bootreason: api(() => $multi(...B.bootReason), 2),
    info: api((group?: unknown) => {
      if (group === undefined) return $multi(3, 0, 0, B.chipId, B.flashId, 4096, 0, 40000000);
      if (group === "hw") return { chip_id: B.chipId, flash_id: B.flashId, flash_size: 4096, flash_mode: 0, flash_speed: 40000000 };
      if (group === "sw_version") {
        return { node_version_major: 3, node_version_minor: 0, node_version_revision: 0, git_branch: "release", git_commit_id: "emulated", git_release: "3.0.0-release_20240225", git_commit_dts: "202402250804" };
      }
      if (group === "build_config") return { ssl: false, lfs_size: PT.lfs_size, modules: MODULES, number_type: "float" };
      return apiError("bad argument #1 to 'info' (invalid group)");
    }, 20),
    setonerror: api((fn?: unknown) => {
      B.onerror = type(fn) === "function" ? (fn as (this: void, msg: string) => void) : undefined;
    }, 2),
    input: api((s: unknown) => {
      if (type(s) !== "string") return apiError("bad argument #1 to 'input' (string expected)");
      B.input(string.gsub(s as string, "\n$", "")[0]);
    }, 5),
    output: nodeOutput,
    getpartitiontable: getPartitionTable,
    setpartitiontable: setPartitionTable,
    startupcounts: api(() => {}, 1),
    startup: api(() => {}, 1),
    stripdebug: api(() => 3, 1),
    // node.random() → [0, 1); node.random(n) → integer in [1, n]; node.random(l, u) → integer in [l, u]
    random: api((l?: unknown, u?: unknown) => {
      const b = request("random", "4");
      const f = (((string.byte(b, 1) * 256 + string.byte(b, 2)) * 256 + string.byte(b, 3)) * 256 + string.byte(b, 4)) / 4294967296;
      if (l === undefined) return f;
      const lo = u === undefined ? 1 : l;
      const hi = u === undefined ? l : u;
      if (type(lo) !== "number" || type(hi) !== "number") return apiError("bad argument #1 to 'random' (number expected)");
      if ((lo as number) > (hi as number)) return apiError("bad argument #2 to 'random' (interval is empty)");
      return (lo as number) + Math.floor(f * ((hi as number) - (lo as number) + 1));
    }, 5),
    egc: {
      NOT_ACTIVE: 0, ON_ALLOC_FAILURE: 1, ON_MEM_LIMIT: 2, ALWAYS: 4,
      setmode: api((mode: unknown, level?: unknown) => {
        B.egcMode = (mode as number) ?? 1;
        B.egcLevel = (level as number) ?? 4096;
      }, 2),
      meminfo: api(() => $multi(firmwareBytes(), firmwareBytes(), B.egcLevel), 2),
    },
    task: {
      LOW_PRIORITY: 0, MEDIUM_PRIORITY: 1, HIGH_PRIORITY: 2,
      post: api((a: unknown, b?: unknown) => {
        let prio = 1;
        let fn = a;
        if (type(a) === "number") {
          prio = a as number;
          fn = b;
        }
        if (type(fn) !== "function" || prio < 0 || prio > 2) return apiError("invalid posk task");
        const p = prio === 2 ? PRIO_HIGH : prio === 0 ? PRIO_LOW : PRIO_MED;
        post(p, (arg) => { runFirmware(arg as (this: void, ...a: unknown[]) => unknown, "callback", prio); }, fn);
      }, 5),
    },
  };
}

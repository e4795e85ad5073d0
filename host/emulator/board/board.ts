/**
 * The board as a whole: power, boot (banner, init.lua, first prompt), resets of every kind and
 * what each prints, callback errors (node.setonerror or print + restart 2 s later), faults that
 * belong to the board (reset, power cut, cell faults), and the statistics Node asks for.
 */
import { K, hooks, ledgerCollected, runFirmware, setInstructionUs, settleHeap } from "./kernel.ts";
import { PRIO_HIGH, newGeneration, schedule } from "./events.ts";
import { F, mountFlash } from "./flash.ts";
import { B, REASON } from "./state.ts";
import { CH, dropScenario, setChipFault, setScenario, setupChips, type Channel } from "./chips.ts";
import { U, consoleWrite, resetUart, txWrite } from "./nodemcu/uart.ts";
import { consoleOut, resetConsole } from "./nodemcu/console.ts";
import { loadPartitionTable } from "./nodemcu/lfs.ts";
import { currentPrompt, promptState, queueLine, resetPrompt } from "./nodemcu/prompt.ts";
import { closeAllFiles, openCount } from "./nodemcu/file.ts";
import { SAFE_PIN, mapPins, resetGpio } from "./nodemcu/gpio.ts";
import { hx711Stats, resetHx711 } from "./nodemcu/hx711.ts";
import { firmwareBytes, firmwareHostBytes } from "./nodemcu/node.ts";
import { timerStats } from "./nodemcu/tmr.ts";
import { createSandbox } from "./sandbox.ts";
import { NET, openConnections, resetTcp } from "./nodemcu/tcp.ts";
import { AP, accessPointDown, configureAccessPoint, resetWifi, wifiStats } from "./nodemcu/wifi.ts";
import { MQ, resetMqtt } from "./nodemcu/mqtt.ts";
import { resetNet } from "./nodemcu/net.ts";

export interface BoardConfig {
  flashDir: string;
  emuDir: string;
  seed: number;
  instructionUs: number;
  heapScale?: number;
  scenario: string;
  powerOffUs?: number;
  board: { name: string; heapBytes: number; lfsPartitionBytes: number; safeModePin: number; sampleRateSps: number; channels: Channel[] };
  /** The world's access point (EmulatorOptions.accessPoint); none: the board sees no network. */
  accessPoint?: { ssid: string; password: string };
}

/** From reset to the banner (ROM boot loader, SDK start). */
const BOOT_US = 100_000;
/** The default error handler restarts 2 s after printing (node.c, DELAY2SEC). */
const ERROR_RESTART_US = 2_000_000;

/**
 * Lua's string table doubles when it holds more strings than buckets and halves (at a GC) when
 * it is less than a quarter full; on a 64-bit host one doubling is 32–64 KB, as much as the
 * firmware's whole heap, and it would count as the firmware's. So at start the table is grown
 * to STRT_BUCKETS (room for ~11,000 more strings: the firmware's and the garbage in flight) and
 * a small pool keeps it more than a quarter full (the emulator's own strings count too), so its
 * size never changes and "what the firmware holds" (count − baseline) means what it says.
 * (The earlier fixed pool of 7000 strings had pushed the table to 32,768 buckets: ~600 KB of
 * the emulator's heap, traversed by every GC cycle.)
 */
const STRT_BUCKETS = 16384;
const STRT_MARGIN = 600;
let stringPool: string[] = [];
export const strtInfo = { buckets: 0, emulatorStrings: 0, pool: 0 };

/**
 * Adds strings until Lua grows the string table to STRT_BUCKETS (visible as a jump of
 * 8 bytes × old size in collectgarbage("count")), which also says how many strings were live;
 * then keeps just enough of them. GC is stopped meanwhile so the count only grows.
 */
function fixStringTable(): void {
  collectgarbage("collect");
  const probe: (string | boolean)[] = [];
  for (let i = 0; i < STRT_BUCKETS; i++) probe.push(false);
  collectgarbage("stop");
  let oldSize = 0;
  let made = 0;
  for (let i = 1; i <= STRT_BUCKETS; i++) {
    const before = collectgarbage("count");
    probe[i - 1] = string.format("\x01strt%d", i);
    made = i;
    const jump = (collectgarbage("count") - before) * 1024;
    if (jump > 1024) {
      const size = Math.floor(jump / 8 + 0.5); // ≈ the old size (the new string's bytes are noise)
      oldSize = 2 ** Math.floor(Math.log(size) / Math.log(2) + 0.5);
      if (oldSize * 2 >= STRT_BUCKETS) break;
    }
  }
  collectgarbage("restart");
  if (oldSize * 2 < STRT_BUCKETS) oldSize = STRT_BUCKETS / 2; // (already that big: keep a margin's worth)
  // The jump came when the live count went past oldSize (Lua resizes when nuse > size).
  const emulatorStrings = oldSize + 1 - made;
  const need = Math.max(0, Math.floor((oldSize * 2) / 4) + STRT_MARGIN - emulatorStrings);
  stringPool = [];
  for (let i = 0; i < need && i < made; i++) stringPool.push(probe[i] as string);
  strtInfo.buckets = oldSize * 2;
  strtInfo.emulatorStrings = emulatorStrings;
  strtInfo.pool = stringPool.length;
}

const stats = { resets: 0, powerCuts: 0, extResets: 0, cellFaults: 0, callbackErrors: 0, bootCount: 0, wifiDowns: 0 };
let cfg: BoardConfig;

/** What a 74880-baud ROM message looks like on a 115200 console: bytes, but not text. */
function romGarbage(cause: number): string {
  const text = ` ets Jan  8 2013,rst cause:${cause}, boot mode:(3,6)\n`;
  const out: string[] = [];
  for (let i = 1; i <= text.length; i += 2) {
    const b = string.byte(text, i);
    out.push(string.char(128 + ((b * 37 + i * 11 + cause) % 127)));
  }
  return `${out.join("")}\n`;
}

function rstCause(reason: number): number {
  if (reason === REASON.POWER_ON) return 1;
  if (reason === REASON.SOFT_WDT || reason === REASON.HW_WDT) return 4;
  return 2;
}

function boot(this: void, arg: unknown): void {
  const reason = arg as number;
  K.bootAt = K.now;
  K.powered = true;
  stats.bootCount += 1;
  B.bootReason = reason === REASON.POWER_ON ? [1, 0] : reason === REASON.EXCEPTION ? [2, 2, 0, 0, 0, 0, 0, 0] : [2, reason];
  B.restartPending = false;
  B.onerror = undefined;
  txWrite(romGarbage(rstCause(reason)));
  const env = createSandbox();
  promptState.env = env;
  // The baseline: what is live now (the emulator, the fresh environment, code in LFS) is not the
  // firmware's; the link's buffers are written out first (they are never the firmware's) and
  // the emulator's ledger is left out of it, as it is of every later measurement.
  settleHeap();
  K.baselineKb = settleHeap();
  K.capKb = K.baselineKb + K.heapBytes / 1024 / K.heapScale;
  U.ready = true;
  queueLine(" ");
  consoleWrite("\nNodeMCU 3.0.0.0 build 2024-02-25 powered by Lua 5.1.4 on SDK 3.0.1-dev(fce080e)\n");
  const loadfile = env.loadfile as (this: void, n: string) => LuaMultiReturn<[((this: void) => unknown) | undefined, string | undefined]>;
  const [f, err] = loadfile("init.lua");
  // pmain(): a load or run error of init.lua is printed with l_print (print's path).
  if (f === undefined) {
    consoleOut(`${err}\n`);
    return;
  }
  const [outcome, res] = runFirmware(f, "interactive");
  if (outcome === "error") consoleOut(`${tostring(res[0])}\n`);
}

/** Everything of the running boot stops now; the next boot comes `delayUs` + boot time later. */
export function resetBoard(reason: number, delayUs: number): void {
  stats.resets += 1;
  B.restarts += 1;
  newGeneration();
  closeAllFiles();
  resetUart();
  resetConsole();
  resetGpio();
  resetHx711();
  resetPrompt();
  // The radio and the network stack start over; what their C code held is free again.
  resetTcp();
  resetWifi();
  resetMqtt();
  resetNet();
  K.cBytes = 0;
  promptState.env = undefined;
  B.onerror = undefined;
  B.restartPending = true;
  schedule(K.now + delayUs + BOOT_US, PRIO_HIGH, boot, reason);
}

function powerCut(): void {
  stats.powerCuts += 1;
  K.powered = false;
  resetBoard(REASON.POWER_ON, cfg.powerOffUs ?? 500_000);
}

function onAbort(reason: string): void {
  if (reason === "wdt") {
    B.watchdogResets += 1;
    resetBoard(REASON.SOFT_WDT, 0);
  } else if (reason === "oom") {
    B.oomResets += 1;
    consoleWrite(`E:M ${firmwareBytes()}\n`);
    onCallbackError("not enough memory");
  }
  // "power": the board is already off (powerCut)
}

function onCallbackError(msg: string): void {
  stats.callbackErrors += 1;
  B.errors += 1;
  schedule(K.now, PRIO_HIGH, (m) => {
    const handler = B.onerror;
    if (handler !== undefined) {
      runFirmware(handler as (this: void, ...a: unknown[]) => unknown, "interactive", m);
      return;
    }
    consoleWrite(`${tostring(m)}\n`);
    if (!B.restartPending) {
      B.restartPending = true;
      schedule(K.now + ERROR_RESTART_US, PRIO_HIGH, () => resetBoard(REASON.SOFT_RESTART, 0));
    }
  }, msg);
}

export function startBoard(config: BoardConfig): void {
  cfg = config;
  setInstructionUs(config.instructionUs);
  K.heapBytes = config.board.heapBytes;
  K.heapScale = config.heapScale ?? 1;
  B.seed = config.seed;
  B.chipId = 0x100000 + ((config.seed * 2654435761) % 0xeffff);
  SAFE_PIN.pin = config.board.safeModePin;
  mountFlash(config.flashDir);
  loadPartitionTable(config.board.lfsPartitionBytes);
  setupChips(config.emuDir, config.board.channels, config.board.sampleRateSps, config.seed, config.scenario, 0);
  mapPins();
  if (config.accessPoint !== undefined) configureAccessPoint(config.accessPoint.ssid, config.accessPoint.password);
  math.randomseed(config.seed);
  // Collect continuously: the emulator's own garbage would otherwise pile up to twice its live
  // size between cycles and count as the firmware's heap until the cap forces a full collect.
  collectgarbage("setpause", 100);
  collectgarbage("setstepmul", 400);
  hooks.onAbort = onAbort;
  hooks.onCallbackError = onCallbackError;
  U.onLine = queueLine;
  U.currentPrompt = currentPrompt;
  B.requestReset = (reason, delayUs) => {
    if (B.restartPending) return;
    B.restartPending = true;
    schedule(K.now + delayUs, PRIO_HIGH, () => resetBoard(reason, 0));
  };
  B.input = queueLine;
  F.onCut = () => {
    powerCut();
    if (K.inCallback) {
      K.abort = "power";
      error("emu: power lost", 0);
    }
  };
  fixStringTable();
  K.powered = true;
  schedule(BOOT_US, PRIO_HIGH, boot, REASON.POWER_ON);
}

/** A control command from Node (board-side faults, scenario, safe-mode pin). */
export function command(c: Record<string, unknown>): unknown {
  const op = c.op as string;
  if (op === "stats") return boardStats();
  if (op === "scenario") {
    // Old out, then new in, each booked on its own: the old scenario leaves the ledger by what it
    // was booked at; what it allocated while playing (never booked, so counted as the firmware's)
    // goes with it. One difference over the whole swap booked that against the emulator instead,
    // and the firmware's heap read ≈170 B higher after every rack pull, as if it leaked.
    K.emuKb -= CH.scenarioKb;
    dropScenario();
    CH.scenarioKb = ledgerCollected(() => setScenario(c.spec as string, B.seed, K.now));
    return { ok: true };
  }
  if (op === "line") {
    // The host's end of the cable changed its baud rate (the board's UART0 keeps its own).
    U.hostBaud = c.baud as number;
    return { ok: true };
  }
  if (op === "safe") {
    B.safeLow = c.low === true;
    return { ok: true };
  }
  if (op === "fault") {
    const kind = c.kind as string;
    if (kind === "reset") {
      stats.extResets += 1;
      resetBoard(REASON.EXT_RESET, 0);
    } else if (kind === "powerCut") {
      const n = c.afterFileWrites as number | undefined;
      if (n === undefined || n <= 0) powerCut();
      else F.cutAfter = n;
    } else if (kind === "wifiDown") {
      stats.wifiDowns += 1;
      accessPointDown(c.seconds as number);
    } else if (kind === "accessPoint") {
      configureAccessPoint((c.ssid as string | undefined) ?? AP.ssid, (c.password as string | undefined) ?? AP.password);
    } else if (kind === "cellDisconnect" || kind === "cellStuck") {
      stats.cellFaults += 1;
      setChipFault(c.channel as number, c.on === true ? (kind === "cellDisconnect" ? "disconnect" : "stuck") : "none");
    } else {
      return { ok: false, error: `unknown fault ${kind}` };
    }
    return { ok: true };
  }
  return { ok: false, error: `unknown command ${op}` };
}

function boardStats(): Record<string, unknown> {
  const on = K.powered && promptState.env !== undefined;
  const luaKb = settleHeap() + K.emuKb;
  const host = on ? firmwareHostBytes() : 0;
  const fw = on ? firmwareBytes() : 0;
  const hx = hx711Stats();
  return {
    heapUsedBytes: fw,
    heapFreeBytes: on ? Math.max(0, K.heapBytes - fw) : 0,
    heapHostBytes: host,
    heapScale: K.heapScale,
    emulatorHeapBytes: Math.floor(K.emuKb * 1024),
    luaKb,
    instructionsTotal: K.instrTotal,
    firmwareInstructionsTotal: K.fwInstrTotal,
    standInCalls: K.apiCalls,
    settles: K.settles,
    callbacks: K.callbacks,
    maxCallbackInstructions: K.maxCbInstr,
    lastCallbackInstructions: K.lastCbInstr,
    restarts: B.restarts,
    boots: stats.bootCount,
    lastBootReason: B.bootReason[1],
    watchdogResets: B.watchdogResets,
    oomResets: B.oomResets,
    callbackErrors: stats.callbackErrors,
    gcOnCap: K.gcOnCap,
    uartRxOverwritten: U.rxOverwritten,
    uartRxBytes: U.rxBytes,
    uartTxBytes: U.txBytes,
    hx711Dropped: hx.dropped,
    hx711Samples: hx.samples,
    timersFired: timerStats.fired,
    openFiles: openCount(),
    flashOps: F.ops,
    powered: K.powered,
    physics: CH.physics,
    chips: CH.chips.map((ch, i) => {
      const c = ch.counters();
      return { channel: i, fault: CH.faults[i], conversions: c.conversions, unread: c.unread, timingViolations: c.timingViolations, powerDowns: c.powerDowns };
    }),
    injected: { resets: stats.extResets, powerCuts: stats.powerCuts, cellFaults: stats.cellFaults, powerCutArmed: F.cutAfter ?? 0, wifiDowns: stats.wifiDowns },
    network: {
      cHeapBytes: K.cBytes, wifiLinkUp: NET.linkUp ? 1 : 0, wifiAttempts: wifiStats.attempts, wifiDisconnects: wifiStats.disconnects,
      tcpOpen: openConnections(), tcpConnects: NET.connects, tcpResets: NET.resets, tcpAborts: NET.aborts,
      tcpBytesSent: NET.bytesSent, tcpBytesReceived: NET.bytesReceived,
      mqttClients: MQ.clients, mqttQueuedMessages: MQ.queued, mqttQueuedMax: MQ.queuedMax,
    },
    virtualUs: K.now,
  };
}

/**
 * The emulated NodeMCU board (public API). The board itself runs in a Lua 5.1 child process
 * (host/emulator/board/, built to build/emu/); this side owns time (manual, fast or realtime
 * clock), the serial link (in-process listeners and an optional socat pty), and the faults of
 * the link. Same seam as a real board: a serial device on one side, NodeMCU modules on the other.
 */
export interface EmulatorOptions {
  board?: string;
  flashDir?: string;
  install?: "firmware" | "none";
  scenario?: string;
  seed?: number;
  clock?: "manual" | "fast" | "realtime";
  pty?: boolean;
  instructionUs?: number;
  /**
   * Extra: board heap bytes per byte of the VM's Lua heap; node.heap(), the heap cap and
   * stats().heapUsedBytes use VM bytes × heapScale. Default 1: the board runs in the 32-bit
   * Lua 5.1 (host/testing/lua-vms.ts), whose tables, closures, upvalues and strings have the
   * ESP8266's sizes (4-byte pointers), so its bytes are read as they are. i386 aligns a double to
   * 4 bytes where the ESP8266 aligns it to 8, so a hash node is 28 bytes there instead of 32:
   * figures may read a few percent low on tables with many keys.
   */
  heapScale?: number;
  /**
   * What goes wrong while the board runs on its own (a free-running step that failed, the Lua
   * process's messages): the library never prints; the CLI passes its stderr. Default: dropped
   * (the next call to the board then fails with the error itself).
   */
  onNotice?: (message: string) => void;
  /**
   * The baud rate of the host's end of the cable (default 115200). A board (its firmware's
   * uart.setup) at another rate garbles the bytes both ways, as a real UART pair does.
   */
  hostBaud?: number;
  /**
   * The LFS partition of a fresh flash (bytes; default the board definition's): e.g. 0 for a
   * firmware built without LFS, 0x10000 for the common 64 KB. node.setpartitiontable changes it.
   */
  lfsPartitionBytes?: number;
  /**
   * The WiFi access point of the board's world (wifi stand-in). Without one the board finds no
   * network (STA_DISCONNECTED, reason NO_AP_FOUND). Its TCP connections are real sockets on this
   * machine (net-world.ts). Faults: "wifiDown", "accessPoint".
   */
  accessPoint?: { ssid: string; password: string };
}

export type Fault =
  | { kind: "byteDrop"; rate: number }
  | { kind: "bitFlip"; rate: number }
  | { kind: "unplug"; seconds: number }
  | { kind: "reset" }
  | { kind: "powerCut"; afterFileWrites?: number }
  | { kind: "cellDisconnect"; channel: number; on: boolean }
  | { kind: "cellStuck"; channel: number; on: boolean }
  /** The access point vanishes for `seconds` of virtual time (the link dies, then the station notices). */
  | { kind: "wifiDown"; seconds: number }
  /** The access point is reconfigured (e.g. another password): its clients are sent away. */
  | { kind: "accessPoint"; ssid?: string; password?: string };

export interface ChipStats { channel: number; fault: string; conversions: number; unread: number; timingViolations: number; powerDowns: number }
export interface InjectedStats {
  bytesDropped: number; bitsFlipped: number; unplugs: number; bytesLostUnplugged: number;
  /** Flips that turned a byte into a line feed: each splits one line into two, so it can cost two corrupt lines. */
  lineFeedsMade: number;
  resets: number; powerCuts: number; cellFaults: number; powerCutArmed: number; wifiDowns: number;
}
/** The board's network stand-ins (wifi, tcp, mqtt). */
export interface NetworkStats {
  /** Bytes the board's C code holds for WiFi, TCP and MQTT, charged to node.heap() (board/nodemcu/c-heap.ts). */
  cHeapBytes: number;
  wifiLinkUp: number; wifiAttempts: number; wifiDisconnects: number;
  tcpOpen: number; tcpConnects: number; tcpResets: number; tcpAborts: number; tcpBytesSent: number; tcpBytesReceived: number;
  mqttClients: number; mqttQueuedMessages: number; mqttQueuedMax: number;
}
export interface BoardStats {
  /** What the firmware holds (board bytes = heapHostBytes × heapScale) and the board's free heap. */
  heapUsedBytes: number; heapFreeBytes: number;
  /** The firmware's live heap in host bytes (unscaled): the Lua heap above the boot baseline. */
  heapHostBytes: number; heapScale: number;
  /** Host bytes the emulator holds beyond the baseline (RX bytes on the wire, …): never charged. */
  emulatorHeapBytes: number;
  /** The whole Lua heap of the emulator process (KB). */
  luaKb: number;
  /**
   * VM instructions executed in callbacks on the firmware's thread: the firmware's own plus the
   * emulator's glue there (stand-in wrappers, callback prologue/epilogue, settle spins). The
   * stand-ins' own Lua (C on a board) is never counted.
   */
  instructionsTotal: number;
  /** The firmware's own VM instructions in callbacks: what the board would execute (exact). */
  firmwareInstructionsTotal: number;
  /** NodeMCU calls made by callbacks, and how many settled the count for the exact time. */
  standInCalls: number; settles: number;
  /** Per callback, firmware instructions only. */
  callbacks: number; maxCallbackInstructions: number; lastCallbackInstructions: number;
  restarts: number; boots: number; lastBootReason: number; watchdogResets: number; oomResets: number; callbackErrors: number;
  uartRxOverwritten: number; uartRxBytes: number; uartTxBytes: number; hx711Dropped: number; hx711Samples: number;
  timersFired: number; openFiles: number; flashOps: number; powered: boolean; physics: string;
  chips: ChipStats[]; injected: InjectedStats; network: NetworkStats; virtualUs: number;
}

export interface EmulatedBoard {
  readonly path: string | undefined;
  write(data: string | Buffer): void;
  /** `tUs` (extra, optional): virtual time at which the chunk's last byte completed on the wire. */
  onData(listener: (chunk: Buffer, tUs?: number) => void): () => void;
  advance(ms: number): Promise<void>;
  runUntil(predicate: (receivedText: string) => boolean, maxMs: number): Promise<boolean>;
  nowUs(): number;
  setScenario(spec: string): Promise<void>;
  holdSafeModePin(low: boolean): Promise<void>;
  /** The host's end of the cable switches to another baud rate (see EmulatorOptions.hostBaud). */
  setHostBaud(baud: number): Promise<void>;
  fault(f: Fault): Promise<void>;
  stats(): Promise<BoardStats>;
  close(): Promise<void>;
}


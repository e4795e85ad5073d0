/**
 * A supported board as boards/<name>.json describes it: the one declaration of its shape, read by
 * the build (which writes it to the board as board.lua), the firmware, the emulator and the host.
 * Types only: nothing is emitted, on the board or in the host bundle.
 */
export interface BoardCell {
  capacityN: number;
  ratedOutputMvPerV: number;
  excitationV: number;
}

export interface BoardChannel {
  name: string;
  clkPin: number;
  dataPin: number;
  /** The ESP8266 GPIO numbers behind clkPin and dataPin, for the person wiring (host only; checked against host/wiring/pinout.ts). */
  clkGpio?: number;
  dataGpio?: number;
  hx711Mode: 0 | 1 | 2;
  /** How the firmware reads this HX711: NodeMCU's hx711 module (one instance) or bit-banged GPIO. */
  reader: "hx711-module" | "gpio-bitbang";
  cell: BoardCell;
}

export interface BoardDefinition {
  name: string;
  description: string;
  mcu: "ESP8266" | "ESP32";
  lua: "5.1" | "5.3";
  uartBaud: number;
  sampleRateSps: 10 | 80;
  safeModePin: number;
  safeModeGpio?: number;
  heapBytes: number;
  /**
   * The LFS partition the board's firmware must have (bytes, a multiple of 8 KB; host only, left
   * out of board.lua): what the build reports the image against, what the emulated board has and
   * what `deploy` asks a real board for (node.getpartitiontable()). NodeMCU's luac.cross makes a
   * ≈101 KB image of the streaming modules and the signer adds ≈43 KB, so the NodeMCU v3 boards (4 MB flash) take 192 KB
   * (0x30000): the common 64 KB would refuse it, and flash is plentiful.
   */
  lfsPartitionBytes: number;
  channels: BoardChannel[];
  /** How the parts are wired (host only: `rackcell wiring`, left out of board.lua); see host/wiring/wiring.ts. */
  wiring?: BoardWiring;
}

export interface BoardWiring {
  /** NodeMCU pin feeding each HX711's VCC (analog supply, sets the cell excitation): "VIN" (5 V) or "3V3". */
  hx711Vcc: string;
  /** NodeMCU pin feeding each HX711's VDD (logic: must be 3V3 on an ESP8266). */
  hx711Vdd: string;
  /** Where each HX711's RATE pin is tied: "VDD" (high, 80 SPS) or "GND" (low, 10 SPS). */
  ratePin: string;
  /** Load-cell wire colour per bridge terminal (E+, E-, A+, A-). */
  cellWires: Record<string, string>;
  /** Said beside the colours: they are a convention, not a rule. */
  cellWiresNote: string;
}

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
  heapBytes: number;
  channels: BoardChannel[];
}

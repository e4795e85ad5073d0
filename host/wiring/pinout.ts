/**
 * The NodeMCU v3 (ESP8266) header: the D numbers NodeMCU's gpio and hx711 modules take, the
 * ESP8266 GPIO behind each, and what each pin may carry for a rack sensor. boards/*.json name pins
 * by D number (what the firmware passes to gpio.*) and repeat the GPIO number for the person
 * wiring; this table is the one place the two are tied together.
 */
export interface HeaderPin {
  /** NodeMCU's index: gpio.read(d), hx711.init(clk, data). */
  d: number;
  gpio: number;
  /** Why an HX711 line may not go here (undefined: any use is fine). */
  notForData?: string;
  notForClock?: string;
  notForSafeMode?: string;
  /** What else the pin does on the board, for the picture. */
  note?: string;
}

const UART = "it is UART0, the serial link to the laptop";
const FLASH = "it is wired to the flash chip on most ESP-12 modules";

export const NODEMCU_V3_PINS: readonly HeaderPin[] = [
  { d: 0, gpio: 16, notForData: "GPIO16 has no pin interrupt (gpio.trig), which the firmware needs on an HX711's DT line",
    notForSafeMode: "GPIO16 has no internal pull-up, which the safe-mode check relies on", note: "wakes from deep sleep" },
  { d: 1, gpio: 5 },
  { d: 2, gpio: 4 },
  { d: 3, gpio: 0, notForData: "GPIO0 must be high at reset (low enters the flash bootloader) and an HX711 pulls DT low whenever a conversion is ready", note: "FLASH button" },
  { d: 4, gpio: 2, notForData: "GPIO2 must be high at reset and an HX711 pulls DT low whenever a conversion is ready", note: "blue LED on the ESP-12 module" },
  { d: 5, gpio: 14 },
  { d: 6, gpio: 12 },
  { d: 7, gpio: 13 },
  { d: 8, gpio: 15, notForData: "GPIO15 must be low at reset and an HX711 holds DT high until its first conversion", note: "must be low at reset" },
  { d: 9, gpio: 3, notForData: UART, notForClock: UART, notForSafeMode: UART, note: "RX" },
  { d: 10, gpio: 1, notForData: UART, notForClock: UART, notForSafeMode: UART, note: "TX" },
  { d: 11, gpio: 9, notForData: FLASH, notForClock: FLASH, notForSafeMode: FLASH, note: "SD2" },
  { d: 12, gpio: 10, notForData: FLASH, notForClock: FLASH, notForSafeMode: FLASH, note: "SD3" },
];

export function headerPin(d: number): HeaderPin | undefined {
  return NODEMCU_V3_PINS.find((p) => p.d === d);
}

export function pinLabel(d: number): string {
  const p = headerPin(d);
  return p ? `D${d} (GPIO${p.gpio})` : `D${d}`;
}

/** What one board pin is used for, as the board file states it. */
export interface PinUse {
  /** e.g. `channel left SCK` or `safe-mode pin`. */
  what: string;
  role: "data" | "clock" | "safe-mode";
  /** The D number (clkPin, dataPin, safeModePin). */
  d: unknown;
  /** The GPIO number stated beside it (clkGpio, dataGpio, safeModeGpio). */
  gpio: unknown;
  /** The JSON keys, for messages. */
  dKey: string;
  gpioKey: string;
}

/**
 * Problems with the pins of an ESP8266 board file: missing or unknown pins, a GPIO number that
 * is not the one behind its D number, a pin used twice, a pin that cannot carry its line.
 */
export function pinProblems(uses: PinUse[], o: { requireGpio: boolean }): string[] {
  const problems: string[] = [];
  const seen = new Map<number, string>();
  for (const u of uses) {
    if (u.d === undefined) {
      problems.push(`${u.what}: ${u.dKey} is missing (a NodeMCU D number, 0 to 12)`);
      continue;
    }
    const pin = typeof u.d === "number" && Number.isInteger(u.d) ? headerPin(u.d) : undefined;
    if (!pin) {
      problems.push(`${u.what}: ${u.dKey} ${JSON.stringify(u.d)} is not a NodeMCU v3 pin (D0 to D12)`);
      continue;
    }
    const other = seen.get(pin.d);
    if (other !== undefined) problems.push(`pin conflict: D${pin.d} is both ${other} and ${u.what}`);
    seen.set(pin.d, u.what);
    if (u.gpio === undefined) {
      if (o.requireGpio) problems.push(`${u.what}: ${u.gpioKey} is missing (D${pin.d} is GPIO${pin.gpio})`);
    } else if (u.gpio !== pin.gpio) problems.push(`${u.what}: ${u.gpioKey} ${JSON.stringify(u.gpio)} does not match D${pin.d}, which is GPIO${pin.gpio} on a NodeMCU v3`);
    const why = u.role === "data" ? pin.notForData : u.role === "clock" ? pin.notForClock : pin.notForSafeMode;
    if (why !== undefined) problems.push(`${u.what} cannot use D${pin.d}: ${why}`);
  }
  return problems;
}

/**
 * The pin fields of a board file, as read (host/build/boards.ts declares the board; this is only
 * what the pin check looks at, loosely typed because it checks a file that may be wrong).
 */
export interface BoardPinFields {
  safeModePin: unknown;
  safeModeGpio?: unknown;
  channels: { name?: string; clkPin?: unknown; clkGpio?: unknown; dataPin?: unknown; dataGpio?: unknown }[];
}

/** Every pin a board file names, in the order a person wires them. */
export function boardPinUses(b: BoardPinFields): PinUse[] {
  const uses: PinUse[] = [];
  (Array.isArray(b.channels) ? b.channels : []).forEach((ch, i) => {
    const who = `channel ${ch?.name ?? i} HX711`;
    uses.push({ what: `${who} SCK`, role: "clock", d: ch?.clkPin, gpio: ch?.clkGpio, dKey: `channels[${i}].clkPin`, gpioKey: `channels[${i}].clkGpio` });
    uses.push({ what: `${who} DT`, role: "data", d: ch?.dataPin, gpio: ch?.dataGpio, dKey: `channels[${i}].dataPin`, gpioKey: `channels[${i}].dataGpio` });
  });
  uses.push({ what: "safe-mode pin", role: "safe-mode", d: b.safeModePin, gpio: b.safeModeGpio, dKey: "safeModePin", gpioKey: "safeModeGpio" });
  return uses;
}

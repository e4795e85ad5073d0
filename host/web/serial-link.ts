/**
 * A Web Serial port as a line link (the same LineLink the CLI gets from serialport), so the page's
 * Connection handshakes, watches for silence and reconnects exactly as the host's does. The port
 * is found again after an unplug by its USB ids (Chrome hands out a new port object).
 */
import { TransportError } from "../transport/errors.ts";
import type { LineLink } from "../transport/link.ts";
import { LineSplitter, lineBytes } from "./lines.ts";

export const SERIAL_BAUD = 115200;

export function hasWebSerial(nav: Navigator = navigator): boolean {
  return "serial" in nav && !!nav.serial;
}

/** A port the user granted earlier with the same USB ids, if it is plugged in now. */
export async function findGrantedPort(like: SerialPortInfo): Promise<SerialPort | null> {
  const ports = await navigator.serial.getPorts();
  for (const p of ports) {
    const i = p.getInfo();
    if (i.usbVendorId === like.usbVendorId && i.usbProductId === like.usbProductId) return p;
  }
  return null;
}

export function portName(info: SerialPortInfo): string {
  const hex = (n: number | undefined) => (n === undefined ? "?" : n.toString(16).padStart(4, "0"));
  return info.usbVendorId === undefined ? "serial port" : `USB serial ${hex(info.usbVendorId)}:${hex(info.usbProductId)}`;
}

function openError(err: unknown, name: string): TransportError {
  const e = err as { name?: string; message?: string };
  if (e.name === "InvalidStateError") return new TransportError("BUSY", `${name} is already open in this page`);
  if (e.name === "NetworkError") {
    return new TransportError("BUSY", `${name} could not be opened: another program is probably using it (a serial terminal, \`rackcell\`, the Arduino IDE, another tab). Close it and the page connects by itself.`);
  }
  return new TransportError("OPEN_FAILED", `${name}: ${e.message ?? String(err)}`);
}

export async function openSerialLink(port: SerialPort, name: string): Promise<LineLink> {
  try {
    await port.open({ baudRate: SERIAL_BAUD });
  } catch (err) {
    throw openError(err, name);
  }
  const lineSubs = new Set<(line: string) => void>();
  const closeSubs: ((err: TransportError | null) => void)[] = [];
  const splitter = new LineSplitter();
  let bytes = 0;
  let lines = 0;
  let open = true;
  let closing = false;
  const reader = port.readable!.getReader();
  const writer = port.writable!.getWriter();
  const finish = (err: TransportError | null) => {
    if (!open) return;
    open = false;
    for (const cb of closeSubs) cb(err);
  };
  const emit = (line: string) => {
    lines++;
    for (const cb of lineSubs) cb(line);
  };
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        if (value) {
          bytes += value.length;
          splitter.push(value, emit);
        }
      }
      finish(closing ? null : new TransportError("DISCONNECTED", `${name}: the port closed`, true));
    } catch (err) {
      finish(closing ? null : new TransportError("DISCONNECTED", `${name}: ${(err as Error).message} (unplugged?)`, true));
    }
  })();
  return {
    path: name,
    onLine(cb) {
      lineSubs.add(cb);
      return () => lineSubs.delete(cb);
    },
    onClose(cb) {
      closeSubs.push(cb);
    },
    async write(line) {
      if (!open) throw new TransportError("DISCONNECTED", `${name}: not open`, true);
      await writer.write(lineBytes(line));
    },
    async close() {
      closing = true;
      await reader.cancel().catch(() => undefined);
      reader.releaseLock();
      writer.releaseLock();
      await port.close().catch(() => undefined);
      finish(null);
    },
    counts: () => ({ bytes, lines }),
    get isOpen() {
      return open;
    },
  };
}

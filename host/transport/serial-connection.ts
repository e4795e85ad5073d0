import { Connection, type ConnectionOptions } from "./connection.ts";
import { openLink } from "./link.ts";

/** A Connection to a serial port path (USB, or the emulator's pseudo-terminal), through serialport. */
export function openSerialConnection(path: string, options: Partial<ConnectionOptions> = {}): Promise<Connection> {
  return Connection.open(path, { open: openLink, ...options });
}

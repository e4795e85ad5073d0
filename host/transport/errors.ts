/**
 * Transport errors carry a `code` a caller can test and a message a person can act on:
 * what happened, on which port, and what to do about it.
 */
export type TransportErrorCode =
  | "NO_PORT" // the path does not exist
  | "BUSY" // another program holds the port
  | "DENIED" // no permission
  | "WRONG_BAUD" // bytes arrive but never a valid line
  | "SILENT" // nothing arrives at all
  | "NO_FIRMWARE" // a NodeMCU prompt answers, not rackcell
  | "NO_REPLY" // valid lines, but no answer to `info`
  | "DISCONNECTED" // the port went away or stopped talking
  | "OPEN_FAILED"; // anything else while opening

export class TransportError extends Error {
  readonly code: TransportErrorCode;
  /** True when the device went away (unplug, reset): reconnecting may help. */
  readonly disconnected: boolean;
  constructor(code: TransportErrorCode, message: string, disconnected = false) {
    super(message);
    this.name = "TransportError";
    this.code = code;
    this.disconnected = disconnected;
  }
}

/** Turns an error from opening `path` into a TransportError that says how to fix it. */
export function explainOpenError(err: unknown, path: string): TransportError {
  const e = err as { code?: string; message?: string };
  const text = `${e?.code ?? ""} ${e?.message ?? String(err)}`;
  if (/ENOENT|No such file|not found|does not exist/i.test(text)) {
    return new TransportError("NO_PORT", `${path}: no such serial port. Run \`rackcell ports\` to see the ports found, or leave --port out to use the emulated board.`);
  }
  if (/EBUSY|Cannot lock port|Resource temporarily unavailable|busy|locked/i.test(text)) {
    return new TransportError("BUSY", `${path}: the port is busy (another program has it open: a serial monitor, another rackcell, an upload tool). Close that program and try again.`);
  }
  if (/EACCES|Permission denied/i.test(text)) {
    return new TransportError("DENIED", `${path}: permission denied. Add yourself to the group that owns the port (often \`sudo usermod -aG dialout $USER\`, then log in again).`);
  }
  if (/ENOTTY|Inappropriate ioctl/i.test(text)) {
    return new TransportError("OPEN_FAILED", `${path}: not a serial port (a file or another device). Run \`rackcell ports\` to see the ports found, or leave --port out to use the emulated board.`);
  }
  return new TransportError("OPEN_FAILED", `${path}: could not open the port: ${e?.message ?? String(err)}`);
}

import type { Connection, ConnectionOptions } from "../transport/connection.ts";
import { openLink } from "../transport/link.ts";
import type { Session, SessionOptions } from "../session/session.ts";
import { startSession } from "../session/start.ts";

/** Opens a serial port (USB, or the emulator's pseudo-terminal), handshakes and starts a session on it. */
export function openSession(
  path: string,
  options: { connection?: Partial<ConnectionOptions>; session?: SessionOptions } = {},
): Promise<{ session: Session; connection: Connection }> {
  return startSession(path, { open: openLink, ...options.connection }, options.session);
}

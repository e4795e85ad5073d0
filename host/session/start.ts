import { Connection, type ConnectionOptions } from "../transport/connection.ts";
import { createIdAllocator } from "./commands.ts";
import { Session, type SessionOptions } from "./session.ts";

/**
 * Opens a line link (through `connection.open`: a serial port, Web Serial, the host's WebSocket),
 * handshakes and starts a session on it, the handshake and the commands sharing one id allocator.
 * The CLI (cli/open-session.ts) and the web page both start their sessions here.
 */
export async function startSession(
  path: string,
  connection: ConnectionOptions,
  session: SessionOptions = {},
): Promise<{ session: Session; connection: Connection }> {
  const nextId = session.nextId ?? createIdAllocator();
  const conn = await Connection.open(path, { ...connection, handshake: { nextId, ...connection.handshake } });
  return { session: new Session(conn, conn.info, { ...session, nextId }), connection: conn };
}

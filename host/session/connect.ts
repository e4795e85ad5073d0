import { Connection, type ConnectionOptions } from "../transport/connection.ts";
import { createIdAllocator } from "./commands.ts";
import { Session, type SessionOptions } from "./session.ts";

/** Opens a port, handshakes and starts a session on it (ids shared by handshake and commands). */
export async function openSession(
  path: string,
  options: { connection?: ConnectionOptions; session?: SessionOptions } = {},
): Promise<{ session: Session; connection: Connection }> {
  const nextId = options.session?.nextId ?? createIdAllocator();
  const connection = await Connection.open(path, {
    ...options.connection,
    handshake: { nextId, ...options.connection?.handshake },
  });
  const session = new Session(connection, connection.info, { ...options.session, nextId });
  return { session, connection };
}

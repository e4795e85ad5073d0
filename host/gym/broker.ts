import * as crypto from "node:crypto";
import * as net from "node:net";
import { Aedes, type AuthenticateError, type Client } from "aedes";
import type { RacksFile } from "./racks-file.ts";
import { parseRackTopic, RACK_PUBLISHES, rackTopic, TOPIC_ROOT } from "./topics.ts";

/**
 * The embedded broker (Aedes, in this process): nothing to install. Its rules are those a
 * Mosquitto ACL file gives (README, Gym): a rack logs in with its name and password and may publish
 * only its own frames/lifts/status/reply and subscribe only to its own cmd; the host's client sees
 * the whole gym and alone may publish commands; anyone else is refused at CONNECT.
 */
export const HOST_USERNAME = "rackcell-host";

/** Aedes' CONNACK code 4: bad user name or password (MQTT 3.1.1). */
const BAD_USERNAME_OR_PASSWORD = 4;

export interface EmbeddedBroker {
  port: number;
  url: string;
  /** The host client's credentials (a fresh random password per start). */
  hostUsername: string;
  hostPassword: string;
  /** Connections refused (bad credentials) and packets refused (topic rules) since start. */
  refused: { logins: number; publishes: number; subscribes: number };
  close(): Promise<void>;
}

function samePassword(given: Buffer | undefined, expected: string): boolean {
  if (!given) return false;
  const a = crypto.createHash("sha256").update(given).digest();
  const b = crypto.createHash("sha256").update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/** Starts Aedes on `port` (0: any free port) with the racks file's credentials and topic rules. */
export async function startEmbeddedBroker(racks: RacksFile, options: { port?: number; host?: string; hostPassword?: string } = {}): Promise<EmbeddedBroker> {
  if (racks.racks.has(HOST_USERNAME)) throw new Error(`a rack may not be called "${HOST_USERNAME}" (the host's own login)`);
  const hostPassword = options.hostPassword ?? crypto.randomBytes(18).toString("base64url");
  const refused = { logins: 0, publishes: 0, subscribes: 0 };
  const who = new WeakMap<Client, string>();
  const gym = racks.gym;

  const broker = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      const expected = username === HOST_USERNAME ? hostPassword : username !== undefined ? racks.racks.get(username) : undefined;
      if (username !== undefined && expected !== undefined && samePassword(password, expected)) {
        who.set(client, username);
        done(null, true);
        return;
      }
      refused.logins++;
      const err = new Error("bad user name or password") as AuthenticateError;
      err.returnCode = BAD_USERNAME_OR_PASSWORD;
      done(err, null);
    },
    authorizePublish(client, packet, done) {
      const user = client ? who.get(client) : undefined;
      const t = parseRackTopic(packet.topic);
      const ok = user === HOST_USERNAME
        ? t !== undefined && t.gym === gym && t.kind === "cmd"
        : user !== undefined && t !== undefined && t.gym === gym && t.rack === user && RACK_PUBLISHES.includes(t.kind);
      if (ok) done(null);
      else {
        refused.publishes++;
        done(new Error(`${user ?? "?"} may not publish to ${packet.topic}`));
      }
    },
    authorizeSubscribe(client, sub, done) {
      const user = who.get(client);
      const ok = user === HOST_USERNAME
        ? sub.topic.startsWith(`${TOPIC_ROOT}/${gym}/`)
        : user !== undefined && sub.topic === rackTopic(gym, user, "cmd");
      if (ok) done(null, sub);
      else {
        refused.subscribes++;
        done(new Error(`${user ?? "?"} may not subscribe to ${sub.topic}`));
      }
    },
  });
  const server = net.createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => reject(new Error(`the embedded broker cannot listen on port ${options.port ?? 1883}: ${err.message}`)));
    server.listen(options.port ?? 1883, options.host ?? "0.0.0.0", () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port, url: `mqtt://127.0.0.1:${port}`, hostUsername: HOST_USERNAME, hostPassword, refused,
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

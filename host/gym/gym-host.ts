import mqtt, { type MqttClient } from "mqtt";
import { Recorder } from "../cli/recorder.ts";
import type { LiftView } from "../session/live.ts";
import { Session, type LineSource } from "../session/session.ts";
import type { Store } from "../store/store.ts";
import { gymWildcard, MAX_RACK_PAYLOAD_BYTES, parseRackTopic, rackTopic, STATUS_OFFLINE, STATUS_ONLINE } from "./topics.ts";

/**
 * The gym's recorder: one MQTT client subscribed to every rack of a gym. Each rack that speaks
 * gets a Session (host/session: the same decoding, integrity counts and lift de-duplication as over
 * USB) and a Recorder (host/cli/recorder.ts: frames, lifts, integrity into the store; sealed at the
 * end). Lines arrive in batches on `frames`, one lift per message on `lifts`, replies on `reply`.
 * A payload over MAX_RACK_PAYLOAD_BYTES is counted (as corrupt, and in `oversizedPayloads`) and
 * never read; a line that fails its checksum is counted corrupt by the Session and never stored.
 * Frames that never arrived show up as sequence gaps (missing), never as invented readings.
 */
export interface GymHostOptions {
  url: string;
  gym: string;
  store: Store;
  username?: string;
  password?: string;
  /** Called after each store commit of a rack's frames (total frames committed for that rack). */
  onCommit?: (rack: string, framesCommitted: number) => void;
  /** Called once per lift stored. */
  onLift?: (rack: string) => void;
  /** Wait after losing the broker before trying again, ms (default 500). */
  reconnectMs?: number;
}

export interface RackState {
  rack: string;
  online: boolean;
  session: Session;
  recorder: Recorder;
  oversizedPayloads: number;
  lifts: number;
  /** The newest lift stored this run (null before the first) and when it arrived (host clock, ms since the epoch). */
  lastLift: LiftView | null;
  lastLiftAtMs: number;
  /** The rack's lines as they arrive (the session reads them too), and lines to it (published on `cmd`). */
  lines: LineSource;
}

export interface GymCounts {
  payloads: number;
  oversizedPayloads: number;
  /** Payloads on a topic outside the grammar, or a status that is neither online nor offline. */
  badPayloads: number;
}

/** The host's MQTT client id: one per gym, so a restarted host resumes its persistent session. */
export function hostClientId(gym: string): string {
  return `rackcell-host-${gym}`;
}

class RackSource implements LineSource {
  private readonly subs = new Set<(line: string) => void>();
  constructor(private readonly publish: (line: string) => Promise<void>) {}
  onLine(cb: (line: string) => void): () => void {
    const mine = (line: string) => cb(line); // one entry per subscription, even for the same callback
    this.subs.add(mine);
    return () => this.subs.delete(mine);
  }
  write(line: string): Promise<void> {
    return this.publish(line);
  }
  feed(line: string): void {
    for (const s of this.subs) s(line);
  }
}

export class GymHost {
  readonly racks = new Map<string, RackState>();
  readonly counts: GymCounts = { payloads: 0, oversizedPayloads: 0, badPayloads: 0 };
  /** Racks whose retained status says offline but which have not spoken since this host started. */
  readonly offlineUnheard = new Set<string>();
  private readonly sources = new Map<string, RackSource>();
  private closed = false;

  private constructor(readonly client: MqttClient, private readonly o: GymHostOptions) {}

  static async connect(o: GymHostOptions): Promise<GymHost> {
    // A fixed client id with clean=false: the broker keeps the subscription and queues QoS 1 lifts
    // while the host is away (restart, crash); the rack's lift log covers a broker that forgot.
    const client = mqtt.connect(o.url, {
      clientId: hostClientId(o.gym), clean: false, username: o.username, password: o.password,
      reconnectPeriod: o.reconnectMs ?? 500, connectTimeout: 10000, queueQoSZero: false,
    });
    const host = new GymHost(client, o);
    // Before the connection is up: a resumed session's queued lifts may come in the same read as
    // the broker's CONNACK, before any code awaiting the connection would run.
    client.on("message", (topic, payload) => host.handle(topic, payload));
    try {
      await new Promise<void>((resolve, reject) => {
        const done = (err?: Error) => {
          client.off("connect", ok);
          client.off("error", done);
          if (err) reject(err);
          else resolve();
        };
        const ok = () => done();
        client.once("connect", ok);
        client.once("error", done);
      });
    } catch (err) {
      client.end(true);
      throw new Error(`cannot connect to the broker ${o.url}: ${(err as Error).message}`);
    }
    // After any reconnect (broker restart) ask every rack for the lifts we have not seen.
    client.on("connect", () => {
      void client.subscribeAsync(gymWildcard(o.gym), { qos: 1 }).then(() => host.askForMissedLifts()).catch(() => undefined);
    });
    const granted = await client.subscribeAsync(gymWildcard(o.gym), { qos: 1 });
    if (granted.some((g) => g.qos === 128)) {
      client.end(true);
      throw new Error(`the broker refused the subscription to ${gymWildcard(o.gym)}: check this user's ACL`);
    }
    return host;
  }

  /** One incoming message (public for tests that feed payloads directly). */
  handle(topic: string, payload: Buffer): void {
    if (this.closed) return;
    this.counts.payloads++;
    const t = parseRackTopic(topic);
    if (t === undefined || t.gym !== this.o.gym) {
      this.counts.badPayloads++;
      return;
    }
    if (t.kind === "cmd") return; // our own commands, echoed by the wildcard
    if (t.kind === "status") {
      const text = payload.toString("latin1");
      if (text !== STATUS_ONLINE && text !== STATUS_OFFLINE) {
        this.counts.badPayloads++;
        return;
      }
      const known = this.racks.get(t.rack);
      if (!known && text === STATUS_OFFLINE) {
        this.offlineUnheard.add(t.rack); // a retained offline of a rack not heard this run: no session for it
        return;
      }
      const r = known ?? this.rack(t.rack);
      const wasOnline = r.online;
      r.online = text === STATUS_ONLINE;
      r.session.live.connected = r.online;
      if (r.online && !wasOnline && known) {
        r.session.counts.reconnects++;
        this.askForMissedLifts(r);
      }
      return;
    }
    const r = this.rack(t.rack);
    if (payload.length > MAX_RACK_PAYLOAD_BYTES) {
      r.oversizedPayloads++;
      this.counts.oversizedPayloads++;
      r.session.countCorrupt(`<${t.kind} payload of ${payload.length} bytes, more than ${MAX_RACK_PAYLOAD_BYTES}>`);
      return;
    }
    // latin1 maps each byte to one char: a non-ASCII byte fails the checksum like on the wire.
    const lines = payload.toString("latin1").split("\n");
    const src = this.sources.get(t.rack)!;
    for (const line of lines) {
      if (line.length === 0) continue;
      // lifts carries only lift records and reply only replies: anything else there is not trusted
      if ((t.kind === "lifts" && !line.startsWith("E,")) || (t.kind === "reply" && !line.startsWith("R,") && !line.startsWith("E,"))) {
        r.session.countCorrupt(line);
        continue;
      }
      src.feed(line);
    }
  }

  private rack(name: string): RackState {
    const have = this.racks.get(name);
    if (have) return have;
    const cmdTopic = rackTopic(this.o.gym, name, "cmd");
    const source = new RackSource((line) => this.client.publishAsync(cmdTopic, line, { qos: 1 }).then(() => undefined));
    // The session row's port ends with the rack's topic path whatever the broker's address: the
    // lifts an earlier run of this host stored for the rack are found by it, so a replay of one
    // (the rack's lift log, or the broker's queue for this host) is not stored twice.
    const rackPath = `/${rackTopic(this.o.gym, name, "frames").replace(/\/frames$/, "")}`;
    const session = new Session(source, {}, { boardLiftsSeen: this.o.store.boardLiftIdentities(rackPath) });
    const recorder = new Recorder(this.o.store, session, {
      port: `${this.o.url.replace(/\/\/[^@/]*@/, "//")}${rackPath}`,
      onCommit: (total) => this.o.onCommit?.(name, total),
    });
    const state: RackState = { rack: name, online: true, session, recorder, oversizedPayloads: 0, lifts: 0, lastLift: null, lastLiftAtMs: NaN, lines: source };
    session.onEvent((e) => {
      if (e.type === "lift") {
        state.lifts++;
        state.lastLift = e.lift;
        state.lastLiftAtMs = Date.now();
        this.o.onLift?.(name);
      }
    });
    this.sources.set(name, source);
    this.racks.set(name, state);
    this.offlineUnheard.delete(name);
    // Lifts the rack made while no host listened (after the ones already stored) come back on request.
    void session.refreshInfo().then(() => this.askForMissedLifts(state));
    return state;
  }

  /** Asks racks for lifts after the last one seen (`lifts,<id>`); the Session drops repeats. */
  askForMissedLifts(only?: RackState): void {
    for (const r of only ? [only] : this.racks.values()) {
      if (r.session.lastBoardLift > 0) void r.session.command("lifts", [String(r.session.lastBoardLift)], { timeoutMs: 10000 });
    }
  }

  /** Ends every rack's session (sealed into the chain) and disconnects. Returns the seals by rack. */
  async close(): Promise<Map<string, string>> {
    this.closed = true;
    const seals = new Map<string, string>();
    for (const r of this.racks.values()) {
      seals.set(r.rack, r.recorder.finish());
      r.session.close();
    }
    await this.client.endAsync();
    return seals;
  }
}

import * as dns from "node:dns/promises";
import * as net from "node:net";

/**
 * The emulated board's network as Node carries it: each TCP connection the board's lwIP stand-in
 * opens (host/emulator/board/nodemcu/tcp.ts) is a REAL socket here, to whatever host and port the
 * firmware named (the board's world is this machine's network: a broker on 127.0.0.1 is reached
 * as such). Bytes go both ways as hex lines on the lock-step link; what the socket receives is
 * written to the board at once and runs there at the next step boundary.
 *
 * Lock-step with a real peer: when the board opened a connection or sent bytes the peer answers,
 * it stops its step early (yields); the facade then waits here — until every such answer came
 * (or REPLY_WAIT_MS of wall time passed) — before virtual time moves on. So a broker's CONNACK
 * or PUBACK reaches the board a few virtual ms after its request, however fast the board's clock.
 */
const REPLY_WAIT_MS = 2000;

export interface NetWorldStats { socketsOpened: number; bytesToPeers: number; bytesFromPeers: number; refused: number }

export class NetWorld {
  private readonly sockets = new Map<number, net.Socket>();
  /** Connections whose answer the board waits for (a connect, a request). */
  private readonly awaiting = new Set<number>();
  private wake: (() => void) | undefined;
  readonly stats: NetWorldStats = { socketsOpened: 0, bytesToPeers: 0, bytesFromPeers: 0, refused: 0 };

  constructor(private readonly toBoard: (line: string) => void) {}

  /** A line `N …` from the board (without the "N "). */
  fromBoard(rest: string): void {
    const [op, idText, a, b] = rest.split(" ");
    const id = Number(idText);
    if (op === "c") this.open(id, a ?? "", Number(b));
    else if (op === "s") {
      const s = this.sockets.get(id);
      if (!s) return;
      const data = Buffer.from(b ?? "", "hex");
      this.stats.bytesToPeers += data.length;
      if (a === "1") this.awaiting.add(id);
      s.write(data);
    } else if (op === "x") {
      this.sockets.get(id)?.end();
    } else if (op === "k") {
      const s = this.sockets.get(id);
      this.forget(id);
      s?.destroy();
    }
  }

  private forget(id: number): void {
    this.sockets.delete(id);
    this.answered(id);
  }

  private answered(id: number): void {
    if (this.awaiting.delete(id) && this.awaiting.size === 0) this.wake?.();
  }

  private open(id: number, host: string, port: number): void {
    this.stats.socketsOpened++;
    this.awaiting.add(id);
    const s = new net.Socket();
    this.sockets.set(id, s);
    let connected = false;
    const report = (line: string) => {
      if (this.sockets.get(id) === s) this.toBoard(line);
    };
    s.setNoDelay(true);
    s.on("connect", () => {
      connected = true;
      report(`N c ${id}`);
      this.answered(id);
    });
    s.on("data", (d: Buffer) => {
      this.stats.bytesFromPeers += d.length;
      report(`N r ${id} ${d.toString("hex")}`);
      this.answered(id);
    });
    s.on("error", (e: NodeJS.ErrnoException) => {
      if (connected) report(`N e ${id} reset`);
      else {
        if (e.code === "ECONNREFUSED") this.stats.refused++;
        report(`N e ${id} ${e.code === "ECONNREFUSED" ? "refused" : e.code === "ENOTFOUND" || e.code === "EAI_AGAIN" ? "dns" : "abort"}`);
      }
      this.forget(id);
    });
    s.on("end", () => {
      report(`N f ${id}`);
      this.forget(id);
      s.destroy();
    });
    s.on("close", () => this.forget(id));
    // The board names hosts as the firmware got them; an unknown name is a DNS failure there.
    dns.lookup(host, { family: 4 }).then(
      ({ address }) => { if (this.sockets.get(id) === s) s.connect(port, address); },
      (e: NodeJS.ErrnoException) => { s.emit("error", Object.assign(new Error(e.message), { code: "ENOTFOUND" })); },
    );
  }

  /** Waits until every answer the board waits for came in (bounded), then lets Node's I/O settle. */
  async settle(): Promise<void> {
    if (this.awaiting.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => { this.wake = undefined; this.awaiting.clear(); resolve(); }, REPLY_WAIT_MS);
        this.wake = () => { clearTimeout(timer); this.wake = undefined; resolve(); };
      });
    }
    // Bytes that came with the answer, in the same tick.
    await new Promise((r) => setImmediate(r));
  }

  close(): void {
    for (const s of this.sockets.values()) s.destroy();
    this.sockets.clear();
    this.awaiting.clear();
    this.wake?.();
  }
}

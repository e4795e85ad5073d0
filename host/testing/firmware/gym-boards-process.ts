import { GymBoard, gymNetConfig } from "./gym-board.ts";
import { encodeCommand } from "../../../shared/protocol/messages.ts";

/**
 * Full emulated boards for the gym bench (bench/figures/gym.ts) in their own process, so that
 * their Node side (clock loops, serial links, sockets) is not counted as the gym host's CPU or
 * delays its event loop. Driven over IPC: a BoardsPlan starts the boards (realtime clock, net.cfg
 * on flash) and is answered `ready`; BoardsCommands follow; `stop` ends their streams over USB
 * (both roads then end on the same frame) and is answered with what each board's USB link saw;
 * the boards stay on the network (replaying lifts the host asks for) until `exit`.
 */
export interface BoardsPlan {
  /** mqtt://127.0.0.1:<port> */
  url: string;
  gym: string;
  boards: [string, string][];
}

export type BoardsCommand =
  | { t: "pull"; racks?: string[] }
  | { t: "wifiDown"; racks: string[]; seconds: number }
  | { t: "stop" }
  | { t: "exit" };

export interface BoardReport {
  rack: string;
  /** sequence numbers of every frame written on USB */
  usbSeqs: number[];
  /** the lifts the board made (its E records on USB) */
  liftIds: number[];
}

export type BoardsMessage = { t: "ready" } | { t: "report"; boards: BoardReport[] } | { t: "error"; error: string };

/** A rack pull with the bar set on the pins first: one lift about 5 s after it starts. */
export const BENCH_PULL = "rackpull:kg=150,emptyS=2,restS=2,holdS=1,afterS=2";

let boards: GymBoard[] = [];

async function handle(m: BoardsPlan | BoardsCommand, send: (m: BoardsMessage) => void): Promise<void> {
  if (!("t" in m)) {
    const port = Number(new URL(m.url).port);
    boards = await Promise.all(m.boards.map(([rack, password]) =>
      GymBoard.start({ rack, clock: "realtime", net: gymNetConfig({ port, gym: m.gym, rack, mqttPassword: password }) })));
    send({ t: "ready" });
  } else if (m.t === "pull") {
    await Promise.all(boards.filter((b) => !m.racks || m.racks.includes(b.rack)).map((b) => b.link.board.setScenario(BENCH_PULL)));
  } else if (m.t === "wifiDown") {
    await Promise.all(boards.filter((b) => m.racks.includes(b.rack)).map((b) => b.link.board.fault({ kind: "wifiDown", seconds: m.seconds })));
  } else if (m.t === "stop") {
    for (const b of boards) b.link.send(`${encodeCommand(900, "stream", ["0"])}\n`);
    await new Promise((r) => setTimeout(r, 1500));
    send({ t: "report", boards: boards.map((b) => ({ rack: b.rack, usbSeqs: b.usbSeqs, liftIds: b.liftIds() })) });
  } else {
    await closeAll();
    process.exit(0);
  }
}

async function closeAll(): Promise<void> {
  await Promise.all(boards.map((b) => b.close().catch(() => undefined)));
  boards = [];
}

if (process.send) {
  const send = (m: BoardsMessage) => {
    process.send!(m);
  };
  // one message at a time, in order
  let chain = Promise.resolve();
  process.on("message", (m: BoardsPlan | BoardsCommand) => {
    chain = chain.then(() => handle(m, send)).catch((e: Error) => {
      send({ t: "error", error: e.message });
    });
  });
  process.once("disconnect", () => void closeAll().then(() => process.exit(1))); // the parent is gone
}

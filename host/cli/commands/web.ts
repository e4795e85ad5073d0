import type { Command } from "commander";
import { listBoards, loadBoard, type BoardDefinition } from "../../build/boards.ts";
import { connectBoard, type BoardConnection } from "../board.ts";
import { action } from "../run.ts";
import { examples, globalOptions, wholeNumber } from "../options.ts";
import { createRelay } from "../../web/relay.ts";
import { readHistory } from "../../web/history.ts";
import { serveWeb } from "../../web/server.ts";

interface WebFlags {
  listen: number;
  scenario?: string;
  board: boolean;
  athlete?: string;
}

function knownBoard(name: string): BoardDefinition | null {
  try {
    return name ? loadBoard(name) : null;
  } catch {
    return null;
  }
}

export function register(program: Command): void {
  const cmd = program
    .command("web")
    .description("the lifter's page on 127.0.0.1: through this host (the board at --port, or an emulated one) or straight to the board with Web Serial (Chrome/Edge)")
    .option("--listen <port>", "port on 127.0.0.1 (0: any free port)", wholeNumber("--listen", 0, 65535), 8711)
    .option("--scenario <spec>", "emulated board only: scenario to play (e.g. empty, rackpull:kg=200)")
    .option("--athlete <name>", "the lifter on the rack: body-weight multiples from their last weigh-in, their sessions and PRs in History")
    .option("--no-board", "serve the page only; the browser connects to the board itself with Web Serial")
    .action(action(async (flags: WebFlags, c: Command) => {
      const g = globalOptions(c);
      const log = (s: string) => process.stderr.write(`${s}\n`);
      const boards = listBoards().map((b) => loadBoard(b));
      // the page may choose another lifter (?athlete=NAME, empty: everyone)
      const history = (q: URLSearchParams) => readHistory(g.db, { athlete: q.has("athlete") ? q.get("athlete") || undefined : flags.athlete });
      if (flags.athlete !== undefined) history(new URLSearchParams()); // an unknown lifter is refused before the page is served
      // the port first: a port in use is refused before a board is opened
      const s = await serveWeb({ port: flags.listen, history }).catch((e: NodeJS.ErrnoException) => {
        if (e.code === "EADDRINUSE") throw new Error(`port ${flags.listen} on 127.0.0.1 is in use (another \`rackcell web\`?): stop that program or choose another port with --listen <port>`);
        throw e;
      });
      let bc: BoardConnection | undefined;
      try {
        if (flags.board) bc = await connectBoard(g, { scenario: flags.scenario ?? "empty", log });
      } catch (e) {
        await s.close();
        throw e;
      }
      s.setRelay(createRelay(bc ? {
        connection: bc.connection, board: knownBoard(bc.session.info.board),
        ...(bc.emulator ? { setScenario: (spec: string) => bc!.emulator!.setScenario(spec) } : {}),
      } : null, boards));
      const what = bc ? `the page shows ${bc.emulator ? "an emulated board" : bc.path} through this host` : "the page connects to the board with Web Serial (Chrome or Edge)";
      process.stdout.write(`rackcell web: open ${s.url} (${what}; Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
      });
      await s.close();
      await bc?.close();
    }));
  examples(cmd, [
    "rackcell web                                   # emulated board, empty pins",
    "rackcell web --scenario rackpull:kg=200        # emulated board with a rack pull",
    "rackcell --port /dev/ttyUSB0 web               # this host talks to the board",
    "rackcell web --no-board                        # Chrome/Edge talks to the board (Web Serial)",
    "rackcell web --listen 0                        # any free port",
    "rackcell web --athlete Mira                    # × body weight, Mira's sessions and PRs",
  ]);
}

import type { Command } from "commander";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../gym/broker.ts";
import { GymHost } from "../../gym/gym-host.ts";
import { readRacksFile } from "../../gym/racks-file.ts";
import { checkName } from "../../gym/topics.ts";
import { createGymRelay } from "../../gym/page/relay.ts";
import { listBoards, loadBoard } from "../../build/boards.ts";
import { readHistory } from "../../web/history.ts";
import { serveWeb, type WebServer } from "../../web/server.ts";
import { Store } from "../../store/store.ts";
import { formatCounts } from "../counts.ts";
import { action, untilStopped } from "../run.ts";
import { examples, globalOptions, positiveNumber, wholeNumber } from "../options.ts";

interface GymOptions {
  racks?: string;
  listen: number;
  broker?: string;
  username?: string;
  password?: string;
  gym?: string;
  seconds?: number;
  page: boolean;
  pageListen: number;
}

export function register(program: Command): void {
  const cmd = program
    .command("gym")
    .description("record every rack of a gym over MQTT: starts an embedded broker (per-rack passwords and topic rules from --racks) or uses yours (--broker); a session per rack in the database, sealed when it stops")
    .option("--racks <file>", "racks file: {\"gym\": \"<name>\", \"racks\": {\"<rack>\": \"<password>\"}} (needed for the embedded broker)")
    .option("--listen <port>", "embedded broker's TCP port (0: any free port)", wholeNumber("--listen", 0, 65535), 1883)
    .option("--broker <url>", "use an existing broker instead, e.g. mqtt://localhost:1883")
    .option("--username <name>", "the host's user name on --broker")
    .option("--password <password>", "the host's password on --broker (default: $RACKCELL_MQTT_PASSWORD)")
    .option("--gym <name>", "gym name in the topics rackcell/<gym>/<rack>/… (default: the racks file's)")
    .option("--seconds <n>", "stop after n seconds (default: until Ctrl-C)", positiveNumber("--seconds"))
    .option("--page-listen <port>", "the gym page's port on 127.0.0.1 (0: any free port)", wholeNumber("--page-listen", 0, 65535), 8712)
    .option("--no-page", "record only: serve no gym page")
    .action(action(async (o: GymOptions, c: Command) => {
      const g = globalOptions(c);
      if (!o.broker && !o.racks) throw new Error("the embedded broker needs --racks <file> (which racks may connect, and their passwords), or give --broker");
      const racks = o.racks ? readRacksFile(o.racks) : undefined;
      if (!o.gym && !racks) throw new Error("--broker needs --gym <name> (the <gym> in rackcell/<gym>/<rack>/…) or --racks <file>");
      const gym = checkName("gym", o.gym ?? racks!.gym);
      let broker: EmbeddedBroker | undefined;
      let url: string;
      let username: string | undefined;
      let password: string | undefined;
      if (o.broker) {
        url = o.broker;
        username = o.username;
        password = o.password ?? process.env.RACKCELL_MQTT_PASSWORD;
      } else {
        broker = await startEmbeddedBroker(racks!, { port: o.listen });
        url = broker.url;
        username = broker.hostUsername;
        password = broker.hostPassword;
        process.stderr.write(`embedded broker listening on port ${broker.port}: ${racks!.racks.size} rack(s) may connect to gym "${gym}"\n`);
      }
      const store = new Store(g.db);
      const host = await GymHost.connect({ url, gym, store, username, password });
      let page: WebServer | undefined;
      if (o.page) {
        // the tiles at "/", each rack's lifter screen (host/web's page) at index.html?rack=NAME
        page = await serveWeb({
          port: o.pageListen, index: "gym.html",
          history: (q) => readHistory(g.db, { athlete: q.get("athlete") || undefined }),
        }).catch(async (e: NodeJS.ErrnoException) => {
          await host.close();
          await broker?.close();
          if (e.code === "EADDRINUSE") throw new Error(`port ${o.pageListen} on 127.0.0.1 is in use: choose another with --page-listen <port>, or --no-page`);
          throw e;
        });
        page.setRelay(createGymRelay(host, { gym, boards: listBoards().map((b) => loadBoard(b)) }));
        process.stderr.write(`gym page: open ${page.url}\n`);
      }
      process.stderr.write(`recording gym "${gym}" from ${o.broker ?? "the embedded broker"} into ${g.db}${o.seconds ? ` for ${o.seconds} s` : " (Ctrl-C to stop)"}\n`);
      const progress = setInterval(() => {
        if (!process.stderr.isTTY) return;
        let frames = 0;
        let online = 0;
        for (const r of host.racks.values()) {
          frames += r.recorder.frames;
          if (r.online) online++;
        }
        process.stderr.write(`\r  ${host.racks.size} rack(s) heard, ${online} online, ${frames} frames stored   `);
      }, 500);
      await untilStopped({ seconds: o.seconds });
      clearInterval(progress);
      await page?.close();
      const seals = await host.close();
      await broker?.close();
      if (process.stderr.isTTY) process.stderr.write("\n");
      for (const r of host.racks.values()) {
        const row = store.getSession(r.recorder.sessionId)!;
        process.stdout.write(`rack ${r.rack}: session ${row.id}, ${row.frames} frames, ${row.lifts} lift(s); ${formatCounts(r.session.counts)}` +
          `${r.oversizedPayloads > 0 ? ` · ${r.oversizedPayloads} oversized payloads` : ""}; sealed ${seals.get(r.rack)}\n`);
      }
      if (host.racks.size === 0) process.stdout.write("no rack was heard\n");
      store.close();
    }));
  examples(cmd, [
    "rackcell gym --racks racks.json",
    "rackcell gym --racks racks.json --listen 1884 --seconds 3600",
    "rackcell gym --racks racks.json --page-listen 0            # the gym page on any free port",
    "rackcell gym --broker mqtt://broker.local:1883 --username rackcell-host --gym north",
  ]);
}

import type { Command } from "commander";
import { NET_KEYS, toHexText } from "../../../shared/board/netcfg.ts";
import { DEFAULT_GYM, netSettings, networkStatus, networkText, type NetOptions } from "../../gym/net-settings.ts";
import { connectBoard } from "../board.ts";
import { examples, globalOptions } from "../options.ts";
import { action } from "../run.ts";

interface Options extends NetOptions {
  off?: boolean;
  json?: boolean;
}

/**
 * `rackcell net`: the board's WiFi and MQTT settings, written over USB (the board refuses them over
 * the network), one field per sealed command, then saved atomically on the board's flash and used
 * from its next boot (the command restarts it). Without settings it shows the board's network.
 */
export function register(program: Command): void {
  const cmd = program
    .command("net")
    .description("set the board's WiFi and MQTT broker for a gym (rackcell gym), over USB; kept on the board's flash, never shown back. " +
      "Without options: what the board's network is doing")
    .option("--ssid <name>", "the WiFi network (1-32 characters)")
    .option("--password <text>", "the WiFi password (8-64 characters; \"\" for an open network)")
    .option("--broker <url>", "the MQTT broker, mqtt://host[:port] (port 1883 by default; no TLS on an ESP8266)")
    .option("--rack <name>", "this rack's name: its topics are rackcell/<gym>/<rack>/… (letters, digits, _ or -)")
    .option("--gym <name>", `the gym's name in the topics (default "${DEFAULT_GYM}")`)
    .option("--user <name>", "the rack's MQTT user name (default: the rack name, as rackcell gym's racks file expects)")
    .option("--mqtt-password <text>", "the rack's MQTT password (the one in rackcell gym's racks file)")
    .option("--off", "remove the settings: the board stays off the network from its next boot")
    .option("--json", "print the board's network as JSON (no password: the board never sends one)")
    .action(action(async (o: Options, c: Command) => {
      const setting = (["ssid", "password", "broker", "rack", "gym", "user", "mqttPassword"] as const).some((k) => o[k] !== undefined);
      if (o.off && setting) throw new Error("--off removes the settings: give it alone");
      // checked before anything is sent: a bad value never half-configures a board
      const cfg = setting ? netSettings(o) : undefined;
      const board = await connectBoard(globalOptions(c), { tare: false });
      let restarted = false;
      try {
        const ask = async (args: string[]) => {
          const r = await board.session.command("net", args);
          if (!r.ok) throw new Error(r.reason);
          return r.fields;
        };
        if (o.off) {
          await ask(["off"]);
        } else if (cfg) {
          for (const key of NET_KEYS) await ask([key, toHexText(cfg[key])]);
          await ask(["save"]);
        }
        // as the board says it now (after a change: saved, not started yet)
        const status = networkStatus(await ask([]));
        if (o.off || cfg) {
          // the board uses its settings from its next start
          const r = await board.session.command("reboot");
          if (!r.ok) throw new Error(`saved, but the board did not restart: ${r.reason} (restart it to apply)`);
          restarted = true;
        }
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ port: board.path, emulated: board.emulator !== undefined, restarted, network: status }, null, 2)}\n`);
          return;
        }
        if (o.off) process.stdout.write("network settings removed; the board restarts without the network\n");
        else if (cfg) process.stdout.write(`network settings saved on the board; it restarts and joins "${cfg.ssid}", then ${cfg.host}:${cfg.port} as rackcell/${cfg.gym}/${cfg.rack}\n`);
        process.stdout.write(`${networkText(status).join("\n")}\n`);
      } finally {
        await board.close();
      }
    }));
  examples(cmd, [
    "rackcell --port /dev/ttyUSB0 net --ssid 'Gym North' --password 'wifi password' --broker mqtt://192.168.1.10:1883 --rack rack-01 --gym north --mqtt-password 'rack-01 password'",
    "rackcell --port /dev/ttyUSB0 net            # what the board's network is doing",
    "rackcell --port /dev/ttyUSB0 net --json",
    "rackcell --port /dev/ttyUSB0 net --off",
  ]);
}

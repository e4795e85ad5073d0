import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { openSession } from "../open-session.ts";
import { emulatorAnnounceFiles } from "../../transport/discover.ts";
import { startEmulator } from "../emulated.ts";
import { DEFAULT_BOARD } from "../../paths.ts";
import { examples, wholeNumber } from "../options.ts";
import { action, untilStopped } from "../run.ts";

export function register(program: Command): void {
  const cmd = program
    .command("emulate")
    .description("run an emulated board (the real firmware in a Lua VM, load-cell physics) on a pseudo-terminal; prints its path and runs until Ctrl-C (`rackcell ports` finds it too)")
    .option("--board <name>", `board definition from boards/ (default ${DEFAULT_BOARD})`)
    .option("--scenario <spec>", "what happens on the pins: a name (empty, rackpull:kg=200, …) or a CSV file")
    .option("--fast", "run faster than real time")
    .option("--seed <n>", "noise seed, for a repeatable run", wholeNumber("--seed", 0, 2147483647))
    .option("--wifi-ssid <name>", "a WiFi access point in the board's world (its MQTT client reaches real brokers on this machine)")
    .option("--wifi-password <text>", "that access point's password (with --wifi-ssid)")
    .action(action(async (o: { board?: string; scenario?: string; fast?: boolean; seed?: number; wifiSsid?: string; wifiPassword?: string }) => {
      if (o.wifiPassword !== undefined && o.wifiSsid === undefined) throw new Error("--wifi-password needs --wifi-ssid");
      const boardName = o.board ?? DEFAULT_BOARD;
      const scenario = o.scenario ?? "empty";
      const clock = o.fast ? "fast" : "realtime";
      const accessPoint = o.wifiSsid !== undefined ? { ssid: o.wifiSsid, password: o.wifiPassword ?? "" } : undefined;
      const board = await startEmulator({ board: boardName, scenario, clock, seed: o.seed, accessPoint });
      process.stdout.write(`rackcell emulator: board ${boardName} on ${board.path} (scenario ${scenario}, ${clock})\n`);
      if (!/\.csv$/i.test(o.scenario ?? "")) {
        // Its scenarios start with empty pins: zero them (saved on the board), as every command does
        // with its own emulated board, so another terminal's `live` reads 0 on empty pins.
        try {
          const { session, connection } = await openSession(board.path);
          const r = await session.tare();
          session.close();
          await connection.close();
          if (!r.ok) process.stderr.write(`warning: could not tare the emulated board: ${r.reason}\n`);
        } catch (e) {
          await board.close();
          throw e;
        }
      }
      // Announce the pty so `rackcell ports` (another process) can find it.
      const announce = emulatorAnnounceFiles()[0];
      try {
        fs.mkdirSync(path.dirname(announce), { recursive: true });
        fs.writeFileSync(announce, `${JSON.stringify({ path: board.path, pid: process.pid, board: boardName, scenario })}\n`);
      } catch {
        /* discovery is a convenience */
      }
      process.stderr.write(`in another terminal: rackcell --port ${board.path} live   (Ctrl-C here stops the board)\n`);
      await untilStopped({});
      try {
        if (JSON.parse(fs.readFileSync(announce, "utf8")).pid === process.pid) fs.rmSync(announce, { force: true });
      } catch {
        /* already gone */
      }
      await board.close();
    }));
  examples(cmd, [
    "rackcell emulate                               # then in another terminal: rackcell --port <printed path> live",
    "rackcell emulate --scenario rackpull:kg=200 --seed 7",
    "rackcell emulate --board nodemcu-v3-1pin --scenario my-pull.csv --fast",
    "rackcell emulate --wifi-ssid gymnet --wifi-password 'correct horse'   # the board can join it (wifi, mqtt)",
  ]);
}

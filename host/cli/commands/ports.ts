import type { Command } from "commander";
import { discoverPorts, formatDiscovery } from "../../transport/discover.ts";
import { examples } from "../options.ts";
import { action } from "../run.ts";

export function register(program: Command): void {
  const cmd = program
    .command("ports")
    .description("list serial ports that could be a rackcell board, and how each was found (USB list, /dev scan, running emulator, RACKCELL_PORT)")
    .option("--json", "print as JSON")
    .action(action(async (o: { json?: boolean }) => {
      const d = await discoverPorts();
      process.stdout.write(o.json ? `${JSON.stringify(d, null, 2)}\n` : `${formatDiscovery(d)}\n`);
    }));
  examples(cmd, ["rackcell ports", "rackcell ports --json", "RACKCELL_PORT=/dev/pts/4 rackcell ports"]);
}

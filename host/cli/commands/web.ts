import type { Command } from "commander";
import { action } from "../run.ts";
import { examples, wholeNumber } from "../options.ts";
import { serveWeb } from "../../web/server.ts";

export function register(program: Command): void {
  const cmd = program
    .command("web")
    .description("serve the live web page (Web Serial: Chrome/Edge connect to the board from the page)")
    .option("--listen <port>", "port on 127.0.0.1 (0: any free port)", wholeNumber("--listen", 0, 65535), 8711)
    .action(action(async (flags: { listen: number }) => {
      const s = await serveWeb({ port: flags.listen }).catch((e: NodeJS.ErrnoException) => {
        if (e.code === "EADDRINUSE") throw new Error(`port ${flags.listen} on 127.0.0.1 is in use (another \`rackcell web\`?): stop that program or choose another port with --listen <port>`);
        throw e;
      });
      process.stderr.write(`rackcell web: open ${s.url} in Chrome or Edge and press "Connect board" (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
      await s.close();
    }));
  examples(cmd, ["rackcell web", "rackcell web --listen 9000"]);
}

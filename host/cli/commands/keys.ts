import * as fs from "node:fs";
import type { Command } from "commander";
import { fingerprint } from "../../sign/keys.ts";
import { connectBoard } from "../board.ts";
import { examples, globalOptions } from "../options.ts";
import { action } from "../run.ts";

/**
 * `rackcell keys`: the board's Ed25519 public key and its fingerprint (the private key never
 * leaves the board, firmware/signer.ts); `keys init [--force]` makes the key on the board from its
 * hardware random source; `--export FILE` writes the public key for a coach or a meet director.
 */
export function register(program: Command): void {
  const cmd = program
    .command("keys")
    .description("the board's signing key: public key and fingerprint; init makes one on the board")
    .argument("[action]", "init: make the key pair on the board (refused when it has one, unless --force)")
    .option("--force", "with init: replace the board's key (lifts signed before stay verifiable with the old public key)")
    .option("--export <file>", "write the public key (JSON: board, publicKeyHex, fingerprint) to a file")
    .option("--json", "print JSON")
    .action(action(async (what: string | undefined, o: { force?: boolean; export?: string; json?: boolean }, c: Command) => {
      if (what !== undefined && what !== "init") throw new Error(`unknown action "${what}" (keys, or keys init)`);
      if (o.force && what !== "init") throw new Error("--force goes with keys init");
      const g = globalOptions(c);
      const board = await connectBoard(g, { tare: false });
      try {
        const r = what === "init"
          ? await board.session.command("keys", o.force ? ["init", "force"] : ["init"], { timeoutMs: 60_000 })
          : await board.session.command("keys");
        if (!r.ok) throw new Error(r.reason);
        const pub = r.fields.pub ?? "";
        const out = {
          board: board.session.info.board, publicKeyHex: pub, fingerprint: fingerprint(pub),
          signedLifts: r.fields.n === undefined ? 0 : Number(r.fields.n),
        };
        if (o.export !== undefined) fs.writeFileSync(o.export, `${JSON.stringify({ board: out.board, publicKeyHex: pub, fingerprint: out.fingerprint }, null, 2)}\n`);
        if (o.json) process.stdout.write(`${JSON.stringify(what === "init" ? { publicKeyHex: pub, fingerprint: out.fingerprint } : out)}\n`);
        else {
          process.stdout.write(`${what === "init" ? "new key made on the board" : "board key"}: ${out.board}\n`);
          process.stdout.write(`public key   ${pub}\nfingerprint  ${out.fingerprint}\n`);
          if (what !== "init") process.stdout.write(`signed lifts ${out.signedLifts}\n`);
          if (o.export !== undefined) process.stdout.write(`exported to ${o.export}\n`);
        }
      } finally {
        await board.close();
      }
    }));
  examples(cmd, ["rackcell keys init", "rackcell keys --export rack-7.key.json", "rackcell --port /dev/ttyUSB0 keys init --force"]);
}

import * as fs from "node:fs";
import type { Command } from "commander";
import { buildReport } from "../../report/lift.ts";
import { forceTimeSvg } from "../../report/plot.ts";
import { liftFromStore } from "../../report/source.ts";
import { buildCertificate, certificateText, verifyLift } from "../../sign/certificate.ts";
import { isPublicKeyHex } from "../../sign/keys.ts";
import { certificatePage } from "../../sign/page.ts";
import { Store } from "../../store/store.ts";
import { examples, globalOptions, wholeNumber } from "../options.ts";
import { action } from "../run.ts";
import { existingDatabase, readJsonInput } from "../files.ts";

/** `rackcell certificate <lift>`: the board's signature of a recorded lift as a certificate (JSON + page). */
export function register(program: Command): void {
  const cmd = program
    .command("certificate")
    .description("a recorded lift's board signature as a self-contained certificate (JSON) and a page with the plot")
    .argument("<lift>", "lift id (rackcell history lists them)", wholeNumber("<lift>", 1, 1e12))
    .requiredOption("--key <keyfile|hex>", "the board's public key (rackcell keys --export FILE, or 64 hex digits)")
    .option("-o, --output <file>", "certificate JSON file (default lift-<id>.certificate.json; the page goes beside it as .html)")
    .action(action(async (liftId: number, o: { key: string; output?: string }, c: Command) => {
      const g = globalOptions(c);
      const pub = isPublicKeyHex(o.key) ? o.key : (readJsonInput("the key file", o.key) as { publicKeyHex?: string } | null)?.publicKeyHex ?? "";
      if (!isPublicKeyHex(pub)) throw new Error(`${o.key}: not a public key (64 hex digits, or a file from rackcell keys --export)`);
      const store = new Store(existingDatabase(g.db));
      try {
        const signed = store.liftSignature(liftId);
        if (signed === undefined) throw new Error(`lift ${liftId} has no board signature (recorded without a key on the board, or its signature did not arrive)`);
        const why = verifyLift(pub, signed);
        if (why !== "") throw new Error(`lift ${liftId}: ${why}`);
        const cert = buildCertificate(pub, [signed]);
        const out = o.output ?? `lift-${liftId}.certificate.json`;
        fs.writeFileSync(out, certificateText(cert), "latin1");
        let svg: string | undefined;
        try {
          svg = forceTimeSvg(buildReport(liftFromStore(store, liftId), g.units));
        } catch {
          svg = undefined; // no frames around it: the page says so
        }
        const page = out.replace(/\.json$/, "") + ".html";
        fs.writeFileSync(page, certificatePage(cert, svg, out));
        process.stdout.write(`${out}\n${page}\nkey ${cert.fingerprint}\n`);
      } finally {
        store.close();
      }
    }));
  examples(cmd, ["rackcell certificate 42 --key rack-7.key.json", "rackcell certificate 42 --key rack-7.key.json -o meet-2026/lift-42.json"]);
}

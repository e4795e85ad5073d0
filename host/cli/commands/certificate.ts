import * as fs from "node:fs";
import type { Command } from "commander";
import { buildReport } from "../../report/lift.ts";
import { forceTimeSvg } from "../../report/plot.ts";
import { liftFromStore } from "../../report/source.ts";
import { parseLiftSignature } from "../../../shared/board/signedlift-parse.ts";
import { buildCertificate, certificateText, verifyLiftWith } from "../../sign/certificate.ts";
import { isPublicKeyHex, type LiftKey } from "../../sign/keys.ts";
import { liftKeyOf, listKeys } from "../../store/board-keys.ts";
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
    .option("--key <keyfile|hex>", "the board's Ed25519 public key (rackcell keys export FILE, or 64 hex digits); default: the key the store knows for the board")
    .option("-o, --output <file>", "certificate JSON file (default lift-<id>.certificate.json; the page goes beside it as .html)")
    .action(action(async (liftId: number, o: { key?: string; output?: string }, c: Command) => {
      const g = globalOptions(c);
      let given: LiftKey | undefined;
      if (o.key !== undefined) {
        const pub = isPublicKeyHex(o.key) ? o.key : (readJsonInput("the key file", o.key) as { publicKeyHex?: string } | null)?.publicKeyHex ?? "";
        if (!isPublicKeyHex(pub)) throw new Error(`${o.key}: not a public key (64 hex digits, or a file from rackcell keys export)`);
        given = { scheme: "ed25519", publicKeyHex: pub };
      }
      const store = new Store(existingDatabase(g.db));
      try {
        const signed = store.liftSignature(liftId);
        if (signed === undefined) throw new Error(`lift ${liftId} has no board signature (recorded without a key on the board, or its signature did not arrive)`);
        const sig = parseLiftSignature(signed.signatureRecord);
        // without --key: the store's keys for this board (chip id), the one the record verifies under
        const keys = given !== undefined ? [given] : listKeys(store).filter((k) => k.scheme === sig.scheme && (k.boardId === null || k.boardId === sig.boardId)).map(liftKeyOf);
        if (keys.length === 0) throw new Error(`lift ${liftId}: no ${sig.scheme} key known for board ${sig.boardId} (rackcell keys init, or --key)`);
        const whys = keys.map((k) => verifyLiftWith(k, signed));
        const at = whys.indexOf("");
        if (at < 0) throw new Error(`lift ${liftId}: ${whys[0]}`);
        const cert = buildCertificate(keys[at], [signed]);
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

import * as fs from "node:fs";
import type { Command } from "commander";
import { checkCertificate } from "../../sign/certificate.ts";
import { isPublicKeyHex } from "../../sign/keys.ts";
import { listKeys, macKeys } from "../../store/board-keys.ts";
import { Store } from "../../store/store.ts";
import { examples, globalOptions } from "../options.ts";
import { action } from "../run.ts";
import { readInputFile, readJsonInput } from "../files.ts";

/**
 * `rackcell check <FILE>`: verifies a lift certificate with node:crypto (Ed25519, or HMAC-SHA256
 * under a key this host holds), independent of the board's code. Known keys: the --trust ones
 * and those in the store (`rackcell keys`). Exit code 0: valid and from a known key; 1: invalid
 * (what failed is named); 2: valid, but the key is not known; 3: an HMAC certificate whose key
 * this host does not hold, which it cannot check either way.
 */
export function register(program: Command): void {
  const cmd = program
    .command("check")
    .description("verify a lift certificate: signatures (node:crypto), figures, chain (replayed, reordered, missing lifts), key")
    .argument("<file>", "certificate JSON written by rackcell certificate")
    .option("--trust <keyfile...>", "public keys you know (files from rackcell keys export, or 64 hex digits); the store's keys are known too")
    .option("--json", "print JSON")
    .action(action(async (file: string, o: { trust?: string[]; json?: boolean }, c: Command) => {
      const text = readInputFile("the certificate", file, "latin1");
      const known = (o.trust ?? []).map((t) => {
        if (isPublicKeyHex(t)) return t;
        const k = readJsonInput("the key file", t) as { publicKeyHex?: string } | null;
        if (typeof k?.publicKeyHex !== "string" || !isPublicKeyHex(k.publicKeyHex)) throw new Error(`${t}: no publicKeyHex in it`);
        return k.publicKeyHex;
      });
      let held = new Map<string, string>();
      const db = globalOptions(c).db;
      if (fs.existsSync(db)) {
        const store = new Store(db);
        try {
          known.push(...listKeys(store).filter((k) => k.scheme === "ed25519").map((k) => k.keyName));
          held = macKeys(store);
        } finally {
          store.close();
        }
      }
      const r = checkCertificate(text, known, held);
      const code = !r.checkable ? 3 : !r.valid ? 1 : r.knownKey === true ? 0 : 2;
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ checkable: r.checkable ? 1 : 0, valid: r.valid ? 1 : 0, knownKey: r.knownKey === true ? 1 : 0, lifts: r.lifts.length, validLifts: r.lifts.filter((l) => l.valid).length, problems: r.problems })}\n`);
      } else {
        process.stdout.write(`${!r.checkable ? "CANNOT CHECK" : r.valid ? "VALID" : "INVALID"}: ${r.lifts.length} lift(s), key ${r.fingerprint || "?"}\n`);
        for (const p of r.problems) process.stdout.write(`  ${p}\n`);
        if (r.valid && r.knownKey !== true) process.stdout.write("  signed by a key you did not list with --trust and this host has not seen: unknown key (compare its fingerprint with the rack's owner)\n");
      }
      process.exitCode = code;
    }));
  examples(cmd, ["rackcell check lift-42.json --trust rack-7.key.json", "rackcell check chain.json --json"]);
}

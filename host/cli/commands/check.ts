import type { Command } from "commander";
import { checkCertificate } from "../../sign/certificate.ts";
import { isPublicKeyHex } from "../../sign/keys.ts";
import { examples } from "../options.ts";
import { action } from "../run.ts";
import { readInputFile, readJsonInput } from "../files.ts";

/**
 * `rackcell check <FILE>`: verifies a lift certificate with node:crypto's Ed25519 (independent of
 * the board's code). Exit code 0: valid and from a known key; 1: invalid (what failed is named);
 * 2: valid, but the key is not among the --trust keys given (or none was given).
 */
export function register(program: Command): void {
  const cmd = program
    .command("check")
    .description("verify a lift certificate: signatures (node:crypto), figures, chain (replayed, reordered, missing lifts), key")
    .argument("<file>", "certificate JSON written by rackcell certificate")
    .option("--trust <keyfile...>", "public keys you know (files from rackcell keys --export, or 64 hex digits)")
    .option("--json", "print JSON")
    .action(action(async (file: string, o: { trust?: string[]; json?: boolean }) => {
      const text = readInputFile("the certificate", file, "latin1");
      const known = (o.trust ?? []).map((t) => {
        if (isPublicKeyHex(t)) return t;
        const k = readJsonInput("the key file", t) as { publicKeyHex?: string } | null;
        if (typeof k?.publicKeyHex !== "string" || !isPublicKeyHex(k.publicKeyHex)) throw new Error(`${t}: no publicKeyHex in it`);
        return k.publicKeyHex;
      });
      const r = checkCertificate(text, known);
      const code = !r.valid ? 1 : r.knownKey === true ? 0 : 2;
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ valid: r.valid ? 1 : 0, knownKey: r.knownKey === true ? 1 : 0, lifts: r.lifts.length, validLifts: r.lifts.filter((l) => l.valid).length, problems: r.problems })}\n`);
      } else {
        process.stdout.write(`${r.valid ? "VALID" : "INVALID"}: ${r.lifts.length} lift(s), key ${r.fingerprint || "?"}\n`);
        for (const p of r.problems) process.stdout.write(`  ${p}\n`);
        if (r.valid && r.knownKey !== true) process.stdout.write("  signed by a key you did not list with --trust: unknown key (compare its fingerprint with the rack's owner)\n");
      }
      process.exitCode = code;
    }));
  examples(cmd, ["rackcell check lift-42.json --trust rack-7.key.json", "rackcell check chain.json --json"]);
}

import type { Command } from "commander";
import { Store } from "../../store/store.ts";
import type { AuditResult } from "../../store/seal.ts";
import { examples, globalOptions } from "../options.ts";
import { action } from "../run.ts";
import { existingDatabase } from "../files.ts";

interface AuditOptions { seal?: boolean; expect?: string[] }

/** The audit as text; `expected` are seals (or prefixes of ≥ 8 hex digits) noted earlier. */
export function formatAudit(a: AuditResult, expected: string[], known: string[]): { text: string; ok: boolean } {
  const lines: string[] = [];
  let ok = a.intact;
  for (const s of a.sessions) {
    const what = s.state === "sealed" ? `sealed ${s.seal!.slice(0, 16)}${s.late ? " (sealed late: the recording had stopped unsealed)" : ""}`
      : s.state === "unsealed" ? "not sealed (ended without a seal: `rackcell audit --seal` seals it now)"
      : "not sealed (still recording, or interrupted: `rackcell audit --seal` seals what was stored)";
    lines.push(`session ${String(s.sessionId).padStart(4)}: ${s.problems.length === 0 ? "ok " : "BAD"}  ${what}`);
    for (const p of s.problems) lines.push(`                 ${p}`);
  }
  for (const e of expected) {
    const hit = known.filter((k) => k.startsWith(e.toLowerCase()));
    if (hit.length === 0) {
      ok = false;
      lines.push(`expected seal ${e}: NOT in the chain (the record it stood for was rewritten or removed)`);
    } else lines.push(`expected seal ${e}: in the chain`);
  }
  lines.push(a.head ? `chain head: ${a.head.seal} (session ${a.head.sessionId})` : "chain head: none (nothing sealed yet)");
  lines.push(ok ? "the record is intact" : "the record has been changed since it was sealed (see BAD above)");
  return { text: `${lines.join("\n")}\n`, ok };
}

export function register(program: Command): void {
  const cmd = program
    .command("audit")
    .description("check that recorded sessions are as they were sealed: frames, lifts and session records hashed into a SHA-256 chain when each recording ended")
    .option("--seal", "seal the sessions that ended (or were interrupted) without a seal, marked as sealed late")
    .option("--expect <seal...>", "a seal (or its first ≥ 8 hex digits) noted earlier, e.g. the one `record` printed: must still be in the chain")
    .action(action(async (o: AuditOptions, c: Command) => {
      const g = globalOptions(c);
      existingDatabase(g.db);
      for (const e of o.expect ?? []) {
        if (!/^[0-9a-fA-F]{8,64}$/.test(e)) throw new Error(`--expect wants a seal: 8 to 64 hex digits (got "${e}")`);
      }
      const store = new Store(g.db);
      try {
        if (o.seal) {
          for (const s of store.audit().sessions) {
            if (s.state === "sealed") continue;
            const seal = store.sealSession(s.sessionId, { late: true });
            process.stdout.write(`session ${s.sessionId}: sealed now, ${seal.slice(0, 16)}\n`);
          }
        }
        const { text, ok } = formatAudit(store.audit(), o.expect ?? [], store.seals().map((s) => s.seal));
        process.stdout.write(text);
        if (!ok) process.exitCode = 1;
      } finally {
        store.close();
      }
    }));
  examples(cmd, [
    "rackcell audit",
    "rackcell audit --expect 3f9c2a7b51d0e4aa",
    "rackcell --db ./meet.db audit --seal",
  ]);
}

import { parsePairs } from "../../shared/protocol/keyvalue.ts";
import { encodeCommand, MAX_COMMAND_BYTES } from "../../shared/protocol/messages.ts";

// live.ts (rewritten on the web branch) still imports parsePairs from here; drop this when it no longer does.
export { parsePairs };

/**
 * Commands to the board: `C,<id>,<name>,args` out, `R,<id>,ok,k=v…` or `R,<id>,err,<reason>` back.
 * Every command gets a fresh id; a reply is matched by id only; a command without a reply within
 * its timeout resolves with ok=false and a reason saying so (it never hangs).
 */
export interface CommandResult {
  ok: boolean;
  fields: Record<string, string>;
  /** Why it failed ("" when ok): the board's reason, a timeout, or a write error. */
  reason: string;
  id: number;
}

export interface CommandOptions {
  timeoutMs?: number;
  /**
   * Called synchronously when the ok reply is read, before any later line is handled (a promise
   * continuation runs after the rest of the chunk): for state that must change exactly there,
   * such as new zeros after `tare`.
   */
  onOk?: (fields: Record<string, string>) => void;
}

/** Command ids 1..999999, starting at a random point so stale replies from an earlier run do not match. */
export function createIdAllocator(start = 1 + Math.floor(Math.random() * 900000)): () => number {
  let id = start - 1;
  return () => (id = (id % 999999) + 1);
}

interface Pending {
  name: string;
  onOk?: (fields: Record<string, string>) => void;
  resolve: (r: CommandResult) => void;
  timer: NodeJS.Timeout;
}

export class CommandClient {
  private readonly pending = new Map<number, Pending>();
  constructor(
    private readonly write: (line: string) => Promise<void>,
    readonly nextId: () => number = createIdAllocator(),
  ) {}

  command(name: string, args: string[] = [], options: CommandOptions = {}): Promise<CommandResult> {
    const timeoutMs = options.timeoutMs ?? 3000;
    const id = this.nextId();
    const bad = args.find((a) => /[,*\n\r]/.test(a));
    if (!/^[a-z][a-z0-9_]*$/.test(name) || bad !== undefined) {
      return Promise.resolve({ ok: false, fields: {}, id, reason: `invalid command \`${name}\`${bad !== undefined ? ` (argument "${bad}" contains , * or a newline)` : ""}` });
    }
    const line = encodeCommand(id, name, args);
    if (line.length > MAX_COMMAND_BYTES) {
      return Promise.resolve({ ok: false, fields: {}, id, reason: `command \`${name}\` is ${line.length} bytes, more than the board accepts (${MAX_COMMAND_BYTES})` });
    }
    return new Promise<CommandResult>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ ok: false, fields: {}, id, reason: `no reply to \`${name}\` (id ${id}) within ${(timeoutMs / 1000).toFixed(1)} s: is the board connected and running rackcell?` });
      }, timeoutMs);
      this.pending.set(id, { name, resolve, timer, onOk: options.onOk });
      this.write(line).catch((err: Error) => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve({ ok: false, fields: {}, id, reason: `could not send \`${name}\`: ${err.message}` });
      });
    });
  }

  /** Feed a reply's fields (["R", id, "ok"|"err", …]); returns true when it answered a pending command. */
  handleReply(fields: string[]): boolean {
    const id = Number(fields[1]);
    const p = this.pending.get(id);
    if (!p) return false;
    clearTimeout(p.timer);
    this.pending.delete(id);
    if (fields[2] === "ok") {
      const kv = parsePairs(fields, 3);
      p.onOk?.(kv);
      p.resolve({ ok: true, fields: kv, reason: "", id });
    }
    else p.resolve({ ok: false, fields: {}, id, reason: `the board refused \`${p.name}\`: ${fields.slice(3).join(",") || "no reason given"}` });
    return true;
  }

  /** Fails every pending command (the connection closed). */
  cancelAll(reason: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve({ ok: false, fields: {}, id, reason: `\`${p.name}\`: ${reason}` });
    }
    this.pending.clear();
  }
}

import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createHash, createHmac, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { toLuaLiteral } from "../testing/lua-values.ts";
import { describeLuaVm, luaVm } from "../testing/lua-vms.ts";

/**
 * The Lua 5.1 child process that IS the emulated board: the 32-bit VM (host/testing/lua-vms.ts),
 * so its heap holds what an ESP8266's would (build/emu/emu_main.lua), driven in
 * lock-step over its stdin/stdout (protocol in host/emulator/board/link.ts). Node is the master
 * of time: `run(t)` lets the board run until virtual time t; the board answers with the bytes it
 * transmitted, each stamped with the virtual time it completes on the wire.
 */
export interface TxChunk { t0: number; byteUs: number; data: Buffer }

type Waiter = { kind: "D" | "K"; resolve: (v: string) => void; reject: (e: Error) => void };

/** Live Lua processes: killed when this process exits, so none outlives it (see also main.ts). */
const live = new Set<ChildProcessWithoutNullStreams>();
let exitHook = false;
function killAllOnExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.once("exit", () => {
    for (const c of live) {
      try { c.kill("SIGKILL"); } catch { /* gone */ }
    }
  });
}

export class LuaBoardProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private buf = "";
  private readonly waiters: Waiter[] = [];
  private exited: Error | undefined;
  private stderr = "";
  /** Virtual µs the board reported last (may be past the requested target after a long callback). */
  nowUs = 0;
  /** A TCP operation of the board (`N …` line, without "N "): set by the owner (net-world.ts). */
  onNet: (rest: string) => void = () => {};

  constructor(emuDir: string, private readonly onTx: (c: TxChunk) => void, private readonly onLog: (s: string) => void = () => {}) {
    const main = path.join(emuDir, "emu_main.lua");
    const vm = luaVm("5.1");
    this.child = spawn(vm.file, ["-e", `package.path=${toLuaLiteral(`${emuDir}/?.lua`)}`, main], { stdio: ["pipe", "pipe", "pipe"], env: vm.env });
    this.child.stdout.setEncoding("latin1");
    this.child.stdout.on("data", (d: string) => this.onData(d));
    this.child.stderr.on("data", (d: Buffer) => { this.stderr += d.toString(); });
    this.child.on("error", (e) => this.fail(new Error(`${describeLuaVm(vm)} could not start: ${e.message} (run: bash host/tools/setup.sh)`)));
    this.child.on("exit", (code, signal) => {
      live.delete(this.child);
      this.fail(new Error(`emulator Lua process exited (${code ?? signal})${this.stderr ? `: ${this.stderr.trim()}` : ""}`));
    });
    this.child.stdin.on("error", () => {});
    live.add(this.child);
    killAllOnExit();
  }

  private fail(e: Error): void {
    if (this.exited) return;
    this.exited = e;
    for (const w of this.waiters.splice(0)) w.reject(e);
  }

  private onData(d: string): void {
    const buf = this.buf.length > 0 ? this.buf + d : d;
    let start = 0;
    let i: number;
    while ((i = buf.indexOf("\n", start)) >= 0) {
      this.onLine(buf.slice(start, i));
      start = i + 1;
    }
    this.buf = start < buf.length ? buf.slice(start) : "";
  }

  private onLine(line: string): void {
    const op = line[0];
    const rest = line.slice(2);
    if (op === "T") {
      const [t, bu, hex] = rest.split(" ");
      this.onTx({ t0: Number(t), byteUs: Number(bu), data: Buffer.from(hex ?? "", "hex") });
    } else if (op === "D" || op === "K") {
      if (op === "D") this.nowUs = Number(rest);
      const w = this.waiters.shift();
      if (w) w.resolve(rest);
    } else if (op === "Q") {
      this.answer(rest.split(" "));
    } else if (op === "N") {
      this.onNet(rest);
    } else if (op === "E") {
      this.onLog(rest);
    }
  }

  /** Synchronous requests from the board: digests and node.random's bytes (node:crypto). */
  private answer([op, algo, a, b]: string[]): void {
    try {
      const name = (algo ?? "").toLowerCase();
      let out: Buffer;
      if (op === "hash") out = createHash(name).update(Buffer.from(a ?? "", "hex")).digest();
      else if (op === "fhash") out = createHash(name).update(fs.readFileSync(Buffer.from(a ?? "", "hex").toString("utf8"))).digest();
      else if (op === "hmac") out = createHmac(name, Buffer.from(a ?? "", "hex")).update(Buffer.from(b ?? "", "hex")).digest();
      else if (op === "random") out = randomBytes(Math.min(64, Number(algo)));
      else throw new Error(`unknown request ${op}`);
      this.send(`A ${out.toString("hex")}`);
    } catch (e) {
      this.send(`A !${(e as Error).message}`);
    }
  }

  private send(line: string): void {
    if (this.exited) throw this.exited;
    this.child.stdin.write(`${line}\n`);
  }

  private expect(kind: "D" | "K", line: string): Promise<string> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      this.waiters.push({ kind, resolve, reject });
      this.send(line);
    });
  }

  async init(config: unknown): Promise<void> {
    await this.expect("K", `I ${toLuaLiteral(config)}`);
  }

  /** News of the real network for the board's TCP (a full `N …` line). */
  net(line: string): void {
    if (!this.exited) this.send(line);
  }

  /** Host → board bytes: they enter the board's RX wire at its current virtual time. */
  rx(data: Buffer): void {
    if (data.length > 0) this.send(`R ${data.toString("hex")}`);
  }

  async run(targetUs: number): Promise<number> {
    await this.expect("D", `U ${targetUs.toFixed(3)}`);
    return this.nowUs;
  }

  async control<T = Record<string, unknown>>(cmd: Record<string, unknown>): Promise<T> {
    const reply = JSON.parse(await this.expect("K", `K ${toLuaLiteral(cmd)}`)) as T & { ok?: boolean; error?: string };
    if (reply.ok === false) throw new Error(`emulator: ${reply.error}`);
    return reply;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((r) => this.child.once("exit", () => r()));
    try { this.send("X"); } catch { /* gone already */ }
    this.child.stdin.end(); // EOF: the process stops at its next read even if X is not read
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 2000);
    await done;
    clearTimeout(timer);
  }
}

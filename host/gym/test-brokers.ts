import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { HOST_USERNAME, startEmbeddedBroker, type EmbeddedBroker } from "./broker.ts";
import type { RacksFile } from "./racks-file.ts";
import { TOPIC_ROOT } from "./topics.ts";

/**
 * The two brokers the gym tests run against: the embedded Aedes and a real Mosquitto started here
 * from the configuration the README shows (password file by mosquitto_passwd, ACL file). Both can
 * be restarted on the same port (the broker outage test).
 */
export interface TestBroker {
  kind: "embedded" | "mosquitto";
  url: string;
  port: number;
  hostUsername: string;
  hostPassword: string;
  /** Stops the broker (all state lost) and starts it again on the same port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function embeddedTestBroker(racks: RacksFile): Promise<TestBroker> {
  let b: EmbeddedBroker = await startEmbeddedBroker(racks, { port: 0, host: "127.0.0.1" });
  const port = b.port;
  const hostPassword = b.hostPassword;
  return {
    kind: "embedded", url: b.url, port, hostUsername: HOST_USERNAME, hostPassword,
    async restart() {
      await b.close();
      b = await startEmbeddedBroker(racks, { port, host: "127.0.0.1", hostPassword });
    },
    close: () => b.close(),
  };
}

/** The Mosquitto ACL for one gym (also in the README): racks write only their own topics. */
export function mosquittoAcl(gym: string): string {
  const base = `${TOPIC_ROOT}/${gym}/%u`;
  return [
    `# racks (user name = rack name): publish own frames, lifts, status, reply; read own cmd`,
    `pattern write ${base}/frames`, `pattern write ${base}/lifts`, `pattern write ${base}/status`, `pattern write ${base}/reply`,
    `pattern read ${base}/cmd`,
    ``,
    `# the rackcell host: reads every rack, writes commands`,
    `user ${HOST_USERNAME}`, `topic read ${TOPIC_ROOT}/${gym}/#`, `topic write ${TOPIC_ROOT}/${gym}/+/cmd`, ``,
  ].join("\n");
}

export function mosquittoConf(port: number, dir: string): string {
  return [
    `listener ${port} 127.0.0.1`, `allow_anonymous false`, `password_file ${path.join(dir, "passwd")}`, `acl_file ${path.join(dir, "acl")}`,
    `persistence false`, `log_dest stderr`, `log_type error`, `log_type warning`, `log_type notice`,
    ...(process.getuid?.() === 0 ? ["user root"] : []), "",
  ].join("\n");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/** The tool's path: on PATH, else Debian's sbin (not on a normal user's PATH); a clear error when absent. */
function need(tool: string): string {
  for (const candidate of [tool, `/usr/sbin/${tool}`, `/usr/bin/${tool}`]) {
    if (!spawnSync(candidate, ["-h"], { encoding: "utf8" }).error) return candidate;
  }
  throw new Error(`${tool} is not installed: run host/tools/setup.sh (installs Debian's mosquitto), then run the gym tests again`);
}

function startMosquitto(bin: string, conf: string, port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.once("exit", (code) => reject(new Error(`mosquitto exited (${code}) before listening on ${port}: ${err.trim()}`)));
    child.once("error", reject);
    const poll = () => {
      const s = net.connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        child.removeAllListeners("exit");
        resolve(child);
      });
      s.once("error", () => setTimeout(poll, 25));
    };
    poll();
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

export async function mosquittoTestBroker(racks: RacksFile, dir: string): Promise<TestBroker> {
  const passwdBin = need("mosquitto_passwd");
  const bin = need("mosquitto");
  const hostPassword = `host-${Math.random().toString(36).slice(2)}-pw`;
  const passwd = path.join(dir, "passwd");
  const users: [string, string][] = [[HOST_USERNAME, hostPassword], ...racks.racks];
  users.forEach(([u, p], i) => {
    const r = spawnSync(passwdBin, [...(i === 0 ? ["-c"] : []), "-b", passwd, u, p], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr}`);
  });
  fs.writeFileSync(path.join(dir, "acl"), mosquittoAcl(racks.gym));
  const port = await freePort();
  const conf = path.join(dir, "mosquitto.conf");
  fs.writeFileSync(conf, mosquittoConf(port, dir));
  let child = await startMosquitto(bin, conf, port);
  return {
    kind: "mosquitto", url: `mqtt://127.0.0.1:${port}`, port, hostUsername: HOST_USERNAME, hostPassword,
    async restart() {
      await stopProcess(child);
      child = await startMosquitto(bin, conf, port);
    },
    close: () => stopProcess(child),
  };
}

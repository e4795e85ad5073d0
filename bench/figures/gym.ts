import { fork } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmbeddedBroker } from "../../host/gym/broker.ts";
import { GymHost } from "../../host/gym/gym-host.ts";
import type { LoadPlan, LoadReport } from "../../host/gym/loadgen-process.ts";
import { repoRoot } from "../../host/paths.ts";
import { Store } from "../../host/store/store.ts";

/**
 * A gym on one host: `rackcell gym`'s parts (embedded Aedes broker, the recorder, the SQLite store)
 * in this process; RACKS simulated racks (host/gym/loadgen.ts, the shared encoders) at 80 SPS,
 * 2 channels, batches of 100 ms, in a child process; each rack makes one QoS 1 lift.
 *   gym.racks                 racks streaming at once, every one recorded
 *   gym.frames_per_s          frames stored per second over the steady window
 *   gym.lift_delivery_pct     lifts stored / lifts made (no outage injected here: the tests do that)
 *   gym.latency_ms_p99        rack publish → frame committed in the store, 99th percentile
 *   gym.host_cpu_pct_per_rack this process's CPU (broker + recorder + store) per rack, % of one core
 * Latency counts only batches published in the steady window. It is wall time: on a machine whose
 * other work leaves this process a fraction of a core, batches queue and the figure grows with it.
 */
const RACKS = 200;
const SECONDS = 20;
const WARMUP_S = 6;

export async function figures(): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-bench-gym-"));
  const racks = new Map<string, string>();
  for (let i = 0; i < RACKS; i++) racks.set(`rack-${String(i).padStart(3, "0")}`, `password-${i}-bench`);
  const broker = await startEmbeddedBroker({ gym: "bench", racks }, { port: 0, host: "127.0.0.1" });
  const store = new Store(path.join(dir, "gym.db"));
  const commits = new Map<string, [number, number][]>();
  let lifts = 0;
  const host = await GymHost.connect({
    url: broker.url, gym: "bench", store, username: broker.hostUsername, password: broker.hostPassword,
    onCommit: (rack, total) => {
      let c = commits.get(rack);
      if (!c) commits.set(rack, (c = []));
      c.push([total, performance.timeOrigin + performance.now()]);
    },
    onLift: () => lifts++,
  });
  try {
    const plan: LoadPlan = { url: broker.url, gym: "bench", racks: [...racks], sps: 80, batchMs: 100, seconds: SECONDS, liftAtS: WARMUP_S + 2 };
    const child = fork(path.join(repoRoot(), "host/gym/loadgen-process.ts"), [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const reported = new Promise<LoadReport>((resolve, reject) => {
      child.once("message", (m) => resolve(m as LoadReport));
      child.once("exit", (code) => reject(new Error(`the load generator exited (${code}) without a report`)));
    });
    child.send(plan);
    // steady window: from WARMUP_S after start to 2 s before the end
    await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const window0 = performance.timeOrigin + t0;
    const stored0 = storedFrames(host);
    await new Promise((r) => setTimeout(r, (SECONDS - WARMUP_S - 2) * 1000));
    const cpu = process.cpuUsage(cpu0);
    const wallS = (performance.now() - t0) / 1000;
    const stored1 = storedFrames(host);
    const window1 = performance.timeOrigin + performance.now();
    const report = await reported;
    if (report.error) throw new Error(`load generator: ${report.error}`);
    // let the last batches and lifts land
    const made = report.racks.reduce((n, r) => n + r.liftsMade, 0);
    const deadline = Date.now() + 10000;
    while (Date.now() < deadline && (lifts < made || !allStored(host, report))) await new Promise((r) => setTimeout(r, 50));
    for (const r of host.racks.values()) r.recorder.flush();
    const latencies: number[] = [];
    let recorded = 0;
    for (const r of report.racks) {
      const c = commits.get(r.rack) ?? [];
      if (host.racks.get(r.rack)?.session.counts.good === r.framesPublished) recorded++;
      let j = 0;
      for (const [cum, t] of r.batchTimes) {
        while (j < c.length && c[j][0] < cum) j++;
        if (j < c.length && t >= window0 && t <= window1) latencies.push(c[j][1] - t);
      }
    }
    latencies.sort((a, b) => a - b);
    return {
      "gym.racks": recorded,
      "gym.frames_per_s": Math.round((stored1 - stored0) / wallS),
      "gym.lift_delivery_pct": made > 0 ? (100 * Math.min(lifts, made)) / made : 0,
      "gym.latency_ms_p99": Math.round(latencies[Math.floor(latencies.length * 0.99)] * 10) / 10,
      "gym.host_cpu_pct_per_rack": Math.round(((100 * (cpu.user + cpu.system)) / 1e6 / wallS / RACKS) * 1000) / 1000,
    };
  } finally {
    await host.close();
    await broker.close();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function storedFrames(host: GymHost): number {
  let n = 0;
  for (const r of host.racks.values()) n += r.recorder.frames;
  return n;
}

function allStored(host: GymHost, report: LoadReport): boolean {
  return report.racks.every((r) => host.racks.get(r.rack)?.session.counts.good === r.framesPublished);
}

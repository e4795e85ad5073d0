import { SimRack } from "./loadgen.ts";

/**
 * A load generator in its own process (so the host's CPU figure is the host's alone): started with
 * an IPC channel, it receives a LoadPlan, runs the racks, and sends back a LoadReport.
 */
export interface LoadPlan {
  url: string;
  gym: string;
  racks: [string, string][];
  sps: number;
  batchMs: number;
  seconds: number;
  /** When each rack makes its one lift, s after start. */
  liftAtS: number;
}

export interface LoadReport {
  racks: { rack: string; framesPublished: number; framesDropped: number; liftsMade: number; batchTimes: [number, number][] }[];
  error?: string;
}

async function run(plan: LoadPlan): Promise<LoadReport> {
  const sims = plan.racks.map(([rack, password]) => new SimRack({ url: plan.url, gym: plan.gym, rack, password, sps: plan.sps, batchMs: plan.batchMs, trackLatency: true }));
  // connect in small groups: a real gym's boards do not all power up in the same millisecond
  for (let i = 0; i < sims.length; i += 20) await Promise.all(sims.slice(i, i + 20).map((s) => s.start()));
  await new Promise((r) => setTimeout(r, plan.liftAtS * 1000));
  for (const s of sims) s.lift(1000 + Math.round(Math.random() * 1000));
  await new Promise((r) => setTimeout(r, (plan.seconds - plan.liftAtS) * 1000));
  for (const s of sims) await s.stop(true);
  return {
    racks: sims.map((s) => ({ rack: s.o.rack, framesPublished: s.framesPublished, framesDropped: s.framesDropped, liftsMade: s.liftsMade, batchTimes: s.batchTimes })),
  };
}

if (process.send) {
  process.once("message", (plan: LoadPlan) => {
    run(plan).then(
      (report) => process.send!(report, () => process.exit(0)),
      (err: Error) => process.send!({ racks: [], error: err.message } satisfies LoadReport, () => process.exit(1)),
    );
  });
}

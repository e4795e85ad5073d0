/**
 * Lift-analysis accuracy over the validation curve set (bench/validation): every curve goes
 * through the pipeline (emulated board + firmware when available, else the HX711 stand-in) at
 * 80 and 10 SPS, is decoded from the wire and analysed; errors are against the model's ground
 * truth. Figures are the median and 95th percentile of |error| over the isometric curves
 * (rack-pull figures over the rack pulls). Also prints the full error table.
 *
 * Pipelines, in order of preference: the emulated board (firmware in Lua 5.1), the emulator's
 * HX711 physics run in Node (bench/validation/physics.ts), the stand-in.
 * RACKCELL_BENCH_PIPELINE=standin|emulated forces a pipeline; RACKCELL_BENCH_CURVES=<iso>,<rack>
 * changes the set size (default 40 isometric + 15 rack pulls).
 */
import { errorTable, summarize, type CurveErrors } from "../validation/evaluate.ts";
import { curveSet } from "../validation/sets.ts";
import { runSuite, standInSource } from "../validation/suite.ts";
import type { WireSource } from "../validation/wire.ts";

async function pickSource(): Promise<WireSource> {
  const want = process.env.RACKCELL_BENCH_PIPELINE ?? "auto";
  if (want === "standin") return standInSource;
  try {
    const mod = await import("../validation/emulated.ts");
    const src = await mod.emulatedSource();
    for (const n of mod.lastEmulatorNotes) console.log(`  (emulator: ${n})`);
    if (src !== null) return src;
    if (want === "emulated") throw new Error("emulated pipeline requested but the emulator is not available");
  } catch (e) {
    if (want === "emulated") throw e;
    console.log(`  (emulated pipeline unavailable: ${(e as Error).message.split("\n")[0]})`);
  }
  if (want !== "physics-off") {
    const { physicsSource } = await import("../validation/physics.ts");
    const p = await physicsSource();
    if (p !== null) {
      console.log("  (using the emulator's HX711 physics in Node + median-of-3, without the firmware)");
      return p;
    }
  }
  console.log("  (using the HX711 stand-in)");
  return standInSource;
}

function put(out: Record<string, number>, name: string, rows: CurveErrors[], key: string): void {
  const s = summarize(rows, key);
  if (s.n === 0) return;
  out[name] = s.medianAbs;
  out[`${name}_p95`] = s.p95Abs;
}

export async function figures(): Promise<Record<string, number>> {
  const [nIso, nRack] = (process.env.RACKCELL_BENCH_CURVES ?? "40,15").split(",").map(Number);
  let source = await pickSource();
  let res;
  try {
    res = await runSuite(curveSet(nIso, nRack), [80, 10], source);
  } catch (e) {
    // A pipeline that fails part-way is reported and the next one measures instead, so the
    // figures always say which pipeline produced them (analysis.pipeline_emulated).
    await source.close?.();
    if (!source.name.startsWith("emulated") || process.env.RACKCELL_BENCH_PIPELINE === "emulated") throw e;
    console.log(`  (emulated pipeline failed: ${(e as Error).message.split("\n")[0]}; measuring with the next pipeline)`);
    const { physicsSource } = await import("../validation/physics.ts");
    source = (await physicsSource()) ?? standInSource;
    res = await runSuite(curveSet(nIso, nRack), [80, 10], source);
  }
  await source.close?.();
  const out: Record<string, number> = {};
  out["analysis.curves_isometric"] = nIso;
  out["analysis.curves_rackpull"] = nRack;
  // 2 = emulated board + firmware, 1 = emulator HX711 physics without firmware, 0 = stand-in
  out["analysis.pipeline_emulated"] = source.name.startsWith("emulated") ? 2 : source.name.startsWith("HX711 physics") ? 1 : 0;
  const cols: { suffix: string; rows: CurveErrors[] }[] = [
    { suffix: "", rows: res.byRate.get(80)! },
    { suffix: "_10sps", rows: res.byRate.get(10)! },
    { suffix: "_1khz_ref", rows: res.reference },
  ];
  for (const { suffix, rows } of cols) {
    const iso = rows.filter((r) => r.kind === "isometric");
    const rp = rows.filter((r) => r.kind === "rackpull");
    const isoExp = iso.filter((r) => r.tags.shape === 1);
    put(out, `analysis.peak_error_pct${suffix}`, iso, "peak_pct");
    put(out, `analysis.ttp_error_ms${suffix}`, iso, "ttp_ms");
    put(out, `analysis.t90_error_ms${suffix}`, iso, "t90_ms");
    put(out, `analysis.onset_error_ms${suffix}`, iso, "onset_ms");
    put(out, `analysis.f100_error_pct_raw${suffix}`, iso, "f100_pct_raw");
    put(out, `analysis.rfd100_error_pct_raw${suffix}`, iso, "rfd100_pct_raw");
    put(out, `analysis.rfd200_error_pct_raw${suffix}`, iso, "rfd200_pct_raw");
    put(out, `analysis.asymmetry_error_pp${suffix}`, iso, "asym_pp");
    if (suffix !== "_1khz_ref") {
      put(out, `analysis.rfd100_error_pct_model${suffix}`, iso, "rfd100_pct_model");
      put(out, `analysis.rfd100_error_pct_model_exprise${suffix}`, isoExp, "rfd100_pct_model");
      put(out, `analysis.rfd200_error_pct_model${suffix}`, iso, "rfd200_pct_model");
      put(out, `analysis.f100_error_pct_model${suffix}`, iso, "f100_pct_model");
    }
    put(out, `analysis.rackpull_weigh_error_pct${suffix}`, rp, "weigh_pct");
    put(out, `analysis.rackpull_ttl_error_ms${suffix}`, rp, "ttl_ms");
    put(out, `analysis.rackpull_onset_error_ms${suffix}`, rp, "onset_ms");
    out[`analysis.rackpull_no_liftoff${suffix}`] = rp.filter((r) => r.e.lifted_off !== 1).length;
  }
  for (const [rate, t] of res.wireTrouble) {
    out[`analysis.wire_lost_frames_${rate}sps`] = t.lost;
    out[`analysis.wire_bad_lines_${rate}sps`] = t.bad;
  }
  console.log(`\nLift analysis errors vs ground truth (|measured − true|: median / p95 / mean signed), pipeline: ${source.name}`);
  console.log(
    errorTable([
      { title: "1 kHz ref", rows: res.reference },
      { title: "80 SPS", rows: res.byRate.get(80)! },
      { title: "10 SPS", rows: res.byRate.get(10)! },
    ]),
  );
  const byShape = (rows: CurveErrors[], shape: number) => rows.filter((r) => r.kind === "isometric" && r.tags.shape === shape);
  for (const rate of [80, 10]) {
    const rows = res.byRate.get(rate)!;
    const e = summarize(byShape(rows, 1), "rfd100_pct_model");
    const s = summarize(byShape(rows, 2), "rfd100_pct_model");
    console.log(
      `${rate} SPS model RFD 0–100 by rise shape: exponential ${e.medianAbs.toFixed(1)} / ${e.p95Abs.toFixed(1)} % (n=${e.n}), ` +
        `sigmoid ${s.medianAbs.toFixed(1)} / ${s.p95Abs.toFixed(1)} % (n=${s.n})`,
    );
  }
  console.log("");
  return out;
}

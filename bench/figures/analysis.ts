/**
 * Lift-analysis accuracy over the validation curve set (bench/validation): every curve goes
 * through the emulated board (the firmware in Lua 5.1 on the emulator's load cells and HX711s) at
 * 80 and 10 SPS, is decoded from the wire and analysed; errors are against the model's ground
 * truth. Figures are the median and 95th percentile of |error| over the isometric curves of every
 * shape (rack-pull figures over the rack pulls), and the same per shape for 80 and 10 SPS:
 * analysis.<shape>.<figure>, shapes exponential, sigmoid (plain rises) and slow_s, dip,
 * early_plateau, double_peak, early_release (bench/validation/sets.ts). The model figures
 * (`*_model`) are what the analysis presents: the chosen model's value, or the raw one where the
 * model explains the window's samples worse (shared/analysis/rfdmodel.host.ts). Also prints the
 * full error table.
 *
 * Only the emulated board measures these figures: when it cannot run (or fails part-way) the bench
 * fails with the cause instead of measuring on another pipeline (the HX711 physics in Node, the
 * stand-in: their wire lacks the firmware's batching and pairing, so their figures would claim an
 * accuracy the board was never shown to have). analysis.pipeline_emulated is therefore always 2.
 * RACKCELL_BENCH_CURVES=<iso>,<rack> changes the set size (default 40 plain isometric rises + 15
 * rack pulls), and a third number the curves per real shape (default 8).
 */
import { errorTable, rate, summarize, type CurveErrors } from "../validation/evaluate.ts";
import { REAL_SHAPES } from "../validation/sets.ts";
import { curveSet } from "../validation/sets.ts";
import { runSuite } from "../validation/suite.ts";
import { emulatedSource, lastEmulatorNotes } from "../validation/emulated.ts";

function put(out: Record<string, number>, name: string, rows: CurveErrors[], key: string): void {
  const s = summarize(rows, key);
  if (s.n === 0) return;
  out[name] = s.medianAbs;
  out[`${name}_p95`] = s.p95Abs;
}

/** Every isometric figure of one group of curves (all shapes, or one), at one rate (suffix). */
function isometricFigures(out: Record<string, number>, prefix: string, suffix: string, iso: CurveErrors[]): void {
  put(out, `${prefix}peak_error_pct${suffix}`, iso, "peak_pct");
  put(out, `${prefix}ttp_error_ms${suffix}`, iso, "ttp_ms");
  put(out, `${prefix}t90_error_ms${suffix}`, iso, "t90_ms");
  put(out, `${prefix}onset_error_ms${suffix}`, iso, "onset_ms");
  put(out, `${prefix}f100_error_pct_raw${suffix}`, iso, "f100_pct_raw");
  put(out, `${prefix}rfd100_error_pct_raw${suffix}`, iso, "rfd100_pct_raw");
  put(out, `${prefix}rfd200_error_pct_raw${suffix}`, iso, "rfd200_pct_raw");
  put(out, `${prefix}asymmetry_error_pp${suffix}`, iso, "asym_pp");
  if (suffix === "_1khz_ref") return;
  put(out, `${prefix}rfd100_error_pct_model${suffix}`, iso, "rfd100_pct_model");
  if (prefix === "analysis.") put(out, `${prefix}rfd100_error_pct_model_exprise${suffix}`, iso.filter((r) => r.tags.shapeName === "exponential"), "rfd100_pct_model");
  put(out, `${prefix}rfd200_error_pct_model${suffix}`, iso, "rfd200_pct_model");
  put(out, `${prefix}f100_error_pct_model${suffix}`, iso, "f100_pct_model");
  put(out, `${prefix}model_fit_error_pct${suffix}`, iso, "model_fit_error_pct");
  // shares of the pulls: the S-shaped model chosen, the raw RFD 0–100 presented instead of the model's
  const hill = rate(iso, "model_hill");
  const rawShown = rate(iso, "rfd100_raw_presented");
  if (hill.n > 0) out[`${prefix}model_hill_share${suffix}`] = hill.mean;
  if (rawShown.n > 0) out[`${prefix}rfd100_raw_presented_share${suffix}`] = rawShown.mean;
}

export async function figures(): Promise<Record<string, number>> {
  const [nIso, nRack, perShapeArg] = (process.env.RACKCELL_BENCH_CURVES ?? "40,15,8").split(",").map(Number);
  const perShape = perShapeArg ?? 0;
  const source = await emulatedSource();
  for (const n of lastEmulatorNotes) console.log(`  (emulator: ${n})`);
  let res;
  try {
    res = await runSuite(curveSet(nIso, nRack, 1, perShape), [80, 10], source);
  } catch (e) {
    throw new Error(`the emulated pipeline failed part-way: ${(e as Error).message}`, { cause: e });
  } finally {
    await source.close?.();
  }
  // every record must have come off the emulated board: say which did not rather than mix pipelines
  const elsewhere = [...res.byRate.values()].flat().filter((r) => !r.pipeline.startsWith("emulated"));
  if (elsewhere.length > 0) throw new Error(`${elsewhere.length} curves were not measured on the emulated board (${elsewhere[0].pipeline})`);
  const out: Record<string, number> = {};
  out["analysis.curves_isometric"] = nIso + perShape * REAL_SHAPES.length;
  out["analysis.curves_per_real_shape"] = perShape;
  out["analysis.curves_rackpull"] = nRack;
  // 2 = emulated board + firmware (checked above for every curve; 1 was the HX711 physics in Node, 0 the stand-in)
  out["analysis.pipeline_emulated"] = 2;
  const cols: { suffix: string; rows: CurveErrors[] }[] = [
    { suffix: "", rows: res.byRate.get(80)! },
    { suffix: "_10sps", rows: res.byRate.get(10)! },
    { suffix: "_1khz_ref", rows: res.reference },
  ];
  const shapes = ["exponential", "sigmoid", ...REAL_SHAPES.map((sh) => sh.name)];
  for (const { suffix, rows } of cols) {
    isometricFigures(out, "analysis.", suffix, rows.filter((r) => r.kind === "isometric"));
    if (suffix !== "_1khz_ref") {
      for (const shape of shapes) {
        const iso = rows.filter((r) => r.kind === "isometric" && r.tags.shapeName === shape);
        if (iso.length > 0) isometricFigures(out, `analysis.${shape}.`, suffix, iso);
      }
    }
    const rp = rows.filter((r) => r.kind === "rackpull");
    put(out, `analysis.rackpull_weigh_error_pct${suffix}`, rp, "weigh_pct");
    put(out, `analysis.rackpull_ttl_error_ms${suffix}`, rp, "ttl_ms");
    put(out, `analysis.rackpull_onset_error_ms${suffix}`, rp, "onset_ms");
    out[`analysis.rackpull_no_liftoff${suffix}`] = rp.filter((r) => r.e.lifted_off !== 1).length;
  }
  for (const [rate, t] of res.wireTrouble) {
    out[`analysis.wire_lost_frames_${rate}sps`] = t.lost;
    out[`analysis.wire_bad_lines_${rate}sps`] = t.bad;
    out[`analysis.wire_replayed_curves_${rate}sps`] = t.retried;
    for (const n of t.notes) console.log(`  (${n})`);
  }
  console.log(`\nLift analysis errors vs ground truth (|measured − true|: median / p95 / mean signed), pipeline: ${source.name}`);
  console.log(
    errorTable([
      { title: "1 kHz ref", rows: res.reference },
      { title: "80 SPS", rows: res.byRate.get(80)! },
      { title: "10 SPS", rows: res.byRate.get(10)! },
    ]),
  );
  for (const rate80 of [80, 10]) {
    const rows = res.byRate.get(rate80)!;
    const parts = shapes.map((shape) => {
      const m = summarize(rows.filter((r) => r.kind === "isometric" && r.tags.shapeName === shape), "rfd100_pct_model");
      return `${shape} ${m.medianAbs.toFixed(1)} / ${m.p95Abs.toFixed(1)} % (n=${m.n})`;
    });
    console.log(`${rate80} SPS RFD 0–100 as presented (model or raw), median / p95 by shape: ${parts.join(", ")}`);
  }
  console.log("");
  return out;
}

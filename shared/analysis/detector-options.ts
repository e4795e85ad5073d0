import { DetectorConfig, defaultDetectorConfig } from "./detector.ts";

/** Options both batch analyses accept for the detector they run (defaults in detector.ts). */
export interface CommonDetectorOptions {
  /** quiet window length, default 1000 ms */
  quietWindowMs?: number;
  maxQuietSdN?: number;
  onsetSdMultiple?: number;
  onsetFloorN?: number;
  /** > 0: fixed onset threshold (e.g. 20 N) instead of 5 SD */
  fixedThresholdN?: number;
  minEffortNetN?: number;
  endFraction?: number;
}

export function opt(v: number | undefined, dflt: number): number {
  return v !== undefined ? v : dflt;
}

/** The detector configuration at this rate and mode, with the options every analysis shares. */
export function baseDetectorConfig(sampleRateHz: number, mode: number, options: CommonDetectorOptions): DetectorConfig {
  const cfg = defaultDetectorConfig(sampleRateHz);
  let q = Math.floor((opt(options.quietWindowMs, 1000) * sampleRateHz) / 1000 + 0.5);
  if (q < 2) q = 2;
  cfg.mode = mode;
  cfg.quietSamples = q;
  cfg.relevelSamples = 3 * q;
  cfg.maxQuietSdN = opt(options.maxQuietSdN, cfg.maxQuietSdN);
  cfg.onsetSdMultiple = opt(options.onsetSdMultiple, cfg.onsetSdMultiple);
  cfg.onsetFloorN = opt(options.onsetFloorN, cfg.onsetFloorN);
  cfg.fixedThresholdN = opt(options.fixedThresholdN, cfg.fixedThresholdN);
  cfg.minEffortNetN = opt(options.minEffortNetN, cfg.minEffortNetN);
  cfg.endFraction = opt(options.endFraction, cfg.endFraction);
  return cfg;
}

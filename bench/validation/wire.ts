/**
 * What a pipeline hands the host side of the validation suite: the board's lines for one curve at
 * one sample rate, and how to put them on the curve's time base. Types only, so every pipeline
 * (stand-in, physics, emulated board) and the suite that runs them share one definition.
 */
import type { Curve } from "./spec.ts";

export interface WireRecord {
  rateSps: number;
  /** the sealed lines as the board would send them (no newline) */
  lines: string[];
  /** curve time (ms) of the conversion end of frame seq 0 */
  firstConversionEndMs: number;
  /** the time the host subtracts from conversion ends (group delay of the chip model) */
  latencyMs: number;
  periodMs: number;
  pipeline: string;
  /** forces from raw counts (nominal sensitivity, this zero) instead of the frames' calibrated forces */
  calibration?: { zeroCounts: number[]; nominal: true };
  /**
   * time base from sync pulses instead of firstConversionEndMs/latencyMs (emulated.ts): the
   * curve-time midpoints of the four sync edges and the curve's last time
   */
  align?: { edgesMs: number[]; curveEndMs: number };
}

/** Something that turns a curve into the board's lines at a sample rate. */
export interface WireSource {
  name: string;
  wire(curve: Curve, rateSps: number, seed: number): Promise<WireRecord>;
  close?(): Promise<void> | void;
}

/**
 * What `rackcell gym` tells its gym page over the WebSocket (host/web's WS_PATH with GYM_VIEW_QUERY):
 * one snapshot of every rack, several times a second. A rack's lifter screen is host/web's page at
 * `index.html?rack=NAME`, fed that rack's lines over the same WebSocket path (`?rack=NAME`).
 * Numbers are numbers (null when unknown), with their units in the names.
 */
import type { IntegrityCounts } from "../../session/integrity.ts";

/** The gym page's WebSocket query (`/ws?view=gym`). */
export const GYM_VIEW_QUERY = "view=gym";
/** The query naming one rack, for its lifter screen and its lines. */
export const RACK_QUERY = "rack";

export interface RackTile {
  rack: string;
  /** from the rack's retained status (`offline` is its last will) */
  online: boolean;
  /** false: only a retained `offline` was seen since this host started (no session yet) */
  heard: boolean;
  /** live load on the pins (the session's total), null when unknown or offline */
  liveTotalN: number | null;
  lifts: number;
  lastLift: { kind: string; peakForceN: number | null; weighedLoadN: number | null; atMs: number } | null;
  counts: IntegrityCounts | null;
}

export interface GymSnapshot {
  t: "gym";
  gym: string;
  racks: RackTile[];
}

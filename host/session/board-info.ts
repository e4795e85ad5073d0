/**
 * What the host knows about a board, from its `info` reply (or `B` boot record): identity, sample
 * rate and per-channel calibration force = nPerCount · (counts − zeroCounts). Keys are read with a
 * few aliases so an older firmware still parses; a missing calibration is NaN (not zero).
 */
export interface BoardInfo {
  firmware: string;
  build: string;
  board: string;
  /** Changes at every boot: a new value means the board restarted. */
  boot: string;
  sps: number;
  channels: number;
  channelNames: string[];
  nPerCount: number[];
  zeroCounts: number[];
  fields: Record<string, string>;
}

function first(fields: Record<string, string>, keys: string[]): string {
  for (const k of keys) if (fields[k] !== undefined && fields[k] !== "") return fields[k];
  return "";
}

function num(text: string): number {
  return text === "" ? NaN : Number(text);
}

export function parseBoardInfo(fields: Record<string, string>, fallback?: BoardInfo): BoardInfo {
  const sps = num(first(fields, ["sps", "rate", "hz"]));
  let channels = num(first(fields, ["ch", "channels", "nch"]));
  if (!(channels > 0)) {
    channels = 0;
    while (first(fields, [`npc${channels}`, `k${channels}`, `zero${channels}`, `z${channels}`]) !== "") channels++;
  }
  if (!(channels > 0)) channels = fallback?.channels ?? 0;
  const nPerCount: number[] = [];
  const zeroCounts: number[] = [];
  const names: string[] = [];
  for (let c = 0; c < channels; c++) {
    nPerCount.push(num(first(fields, [`npc${c}`, `k${c}`, `scale${c}`, `nPerCount${c}`])));
    zeroCounts.push(num(first(fields, [`zero${c}`, `z${c}`, `zeroCounts${c}`, `offset${c}`])));
    names.push(first(fields, [`name${c}`]) || (channels === 2 ? ["left", "right"][c] : `ch${c}`));
  }
  return {
    firmware: first(fields, ["fw", "firmware"]) || fallback?.firmware || "",
    build: first(fields, ["build", "hash"]) || fallback?.build || "",
    board: first(fields, ["board"]) || fallback?.board || "",
    boot: first(fields, ["boot", "bootid", "boots"]),
    sps: sps > 0 ? sps : fallback?.sps ?? 80,
    channels,
    channelNames: names,
    nPerCount,
    zeroCounts,
    fields,
  };
}

export function isCalibrated(info: BoardInfo, ch: number): boolean {
  return Number.isFinite(info.nPerCount[ch]) && info.nPerCount[ch] !== 0 && Number.isFinite(info.zeroCounts[ch]);
}

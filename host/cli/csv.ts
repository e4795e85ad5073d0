/**
 * The session CSV, for R or a spreadsheet: time_s, force per pin and total (N), raw counts per
 * pin; an empty cell is no reading. `rackcell export` and the web page's download write it alike.
 */
export interface CsvFrame {
  timeS: number;
  forceN: ArrayLike<number>;
  totalN: number;
  raw: ArrayLike<number>;
}

export function csvHeader(names: string[]): string {
  return ["time_s", ...names.map((n) => `${n}_N`), "total_N", ...names.map((n) => `${n}_raw`)].join(",");
}

const num = (x: number, d: number) => (Number.isFinite(x) ? x.toFixed(d) : "");

export function csvRow(f: CsvFrame): string {
  return [num(f.timeS, 4), ...Array.from(f.forceN, (x) => num(x, 3)), num(f.totalN, 3), ...Array.from(f.raw, (r) => (Number.isFinite(r) ? String(r) : ""))].join(",");
}

import { createRequire } from "node:module";

/** asciichart (CommonJS, no types): the one call we use. */
interface AsciiChart {
  plot(series: number[], cfg?: { height?: number; min?: number; max?: number; format?: (x: number) => string }): string;
}
const require = createRequire(import.meta.url);
const asciichart = require("asciichart") as AsciiChart;

/** A line chart of the last `width` values (gaps carried forward), `height` rows. */
export function chart(values: number[], width: number, height: number, format: (x: number) => string): string {
  const tail = values.slice(-width);
  const clean: number[] = [];
  let last = 0;
  for (const v of tail) {
    if (Number.isFinite(v)) last = v;
    clean.push(last);
  }
  if (clean.length < 2) return "";
  let min = Math.min(...clean);
  let max = Math.max(...clean);
  if (max - min < 1) {
    max += 0.5;
    min -= 0.5;
  }
  return asciichart.plot(clean, { height, min, max, format: (x) => format(x).padStart(10) });
}

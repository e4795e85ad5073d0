/** Gaussian noise (Box–Muller) over the host's one seeded random source, so every validation record can be regenerated exactly. */
import { seededRandom } from "../../host/random.ts";

export const rng = seededRandom;

export function gaussian(next: () => number): () => number {
  let spare = NaN;
  return () => {
    if (spare === spare) {
      const s = spare;
      spare = NaN;
      return s;
    }
    let u = 0;
    while (u <= 1e-300) u = next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

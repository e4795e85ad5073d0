/**
 * The host's seeded random source (mulberry32: 32-bit state, full period, fast, good enough for
 * noise and fault injection; not for anything secret). Same seed, same stream, on every machine:
 * the emulator's link faults and the validation curves are repeatable from their seed.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

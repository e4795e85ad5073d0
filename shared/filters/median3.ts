/**
 * Median of the last three samples: removes the HX711's isolated spikes and 2^n − 1 bogus reads
 * at the cost of one sample of delay, without averaging away a real step.
 */
export interface Median3State { older: number; old: number; count: number; }

export function createMedian3(): Median3State {
  return { older: 0, old: 0, count: 0 };
}

export function median3Step(state: Median3State, x: number): number {
  const a = state.older;
  const b = state.old;
  state.older = b;
  state.old = x;
  if (state.count < 2) {
    state.count = state.count + 1;
    return x;
  }
  if (a <= b) {
    if (x <= a) return a;
    return x <= b ? x : b;
  }
  if (x <= b) return b;
  return x <= a ? x : a;
}

export function median3Series(xs: number[]): number[] {
  const state = createMedian3();
  const out: number[] = [];
  for (let i = 0; i < xs.length; i++) out[i] = median3Step(state, xs[i]);
  return out;
}

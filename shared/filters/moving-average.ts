/**
 * Moving average over a fixed window kept as a running sum. The sum is recomputed from the window
 * once per lap so rounding error cannot accumulate over an hour of streaming.
 */
export interface MovingAverageState { window: number[]; size: number; index: number; count: number; sum: number; }

export function createMovingAverage(size: number): MovingAverageState {
  const window: number[] = [];
  for (let i = 0; i < size; i++) window[i] = 0;
  return { window, size, index: 0, count: 0, sum: 0 };
}

export function movingAverageStep(state: MovingAverageState, x: number): number {
  state.sum = state.sum - state.window[state.index] + x;
  state.window[state.index] = x;
  state.index = state.index + 1;
  if (state.count < state.size) state.count = state.count + 1;
  if (state.index === state.size) {
    state.index = 0;
    let exact = 0;
    for (let i = 0; i < state.size; i++) exact = exact + state.window[i];
    state.sum = exact;
  }
  return state.sum / state.count;
}

export function movingAverageSeries(xs: number[], size: number): number[] {
  const state = createMovingAverage(size);
  const out: number[] = [];
  for (let i = 0; i < xs.length; i++) out[i] = movingAverageStep(state, xs[i]);
  return out;
}

/**
 * Board physics for the emulator: load cells, the HX711 and the scenarios that push on the pins.
 * Runs in Node (tests, host) and transpiled to Lua 5.1 inside the emulator; see README in
 * hx711.ts / scenarios.ts headers for the model and its sources.
 */
export type { CellSpec, CellEnvironment } from "./cell.ts";
export { DEFAULT_ENVIRONMENT, IDEAL_ENVIRONMENT, bridgeFs, bridgeMv, resolveEnvironment } from "./cell.ts";
export type { Hx711Chip, Hx711Counters, Hx711Fault, Hx711Info, Hx711Options } from "./hx711.ts";
export { createHx711Chip, idealCounts, FILTER_PERIODS, POWER_DOWN_US, T3_MAX_US } from "./hx711.ts";
export type { Scenario, ScenarioTruth } from "./scenarios.ts";
export { G, PHYS_X90, listScenarios, scenarioByName } from "./scenarios.ts";
export { parseDecimal } from "./spec.ts";
export { scenarioFromCsv } from "./csv.ts";

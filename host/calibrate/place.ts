/**
 * Ways to put plates on the pins, all with the same signature (PlaceFn):
 *   askPerson     print the instruction and wait for Enter (a real rack, on a terminal)
 *   emulatorPlace change the emulated board's scenario: the plates appear on its pins
 *   announceOnly  print the instruction and carry on (--yes: a script has already arranged it)
 */
import * as readline from "node:readline";
import type { PlaceFn, Placement } from "./run.ts";

export function weighScenario(p: Placement, channelNames: string[]): string {
  const kg = (name: string) => Math.round((p.kgByChannel[name] ?? 0) * 1e6) / 1e6;
  // the load arrives at once (atS=0, gently over 0.3 s) and stays
  if (channelNames.length >= 2) return `weigh:kgL=${kg(channelNames[0])},kgR=${kg(channelNames[1])},atS=0,placeS=0.3,dur=1000000`;
  return `weigh:kg=${kg(channelNames[0])},atS=0,placeS=0.3,dur=1000000`;
}

export function emulatorPlace(board: { setScenario(spec: string): void | Promise<void> }, channelNames: string[], log?: (s: string) => void): PlaceFn {
  return async (p) => {
    const spec = weighScenario(p, channelNames);
    log?.(`${p.prompt.replace(/ and press Enter$/, "")}  [emulated: ${spec}]`);
    await board.setScenario(spec);
  };
}

export function askPerson(input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stderr): PlaceFn {
  return (p) => new Promise<void>((resolve) => {
    const rl = readline.createInterface({ input, output });
    rl.question(`${p.prompt} `, () => {
      rl.close();
      resolve();
    });
  });
}

export function announceOnly(log: (s: string) => void): PlaceFn {
  return async (p) => log(`${p.prompt.replace(/ and press Enter$/, "")} (--yes: not waiting)`);
}

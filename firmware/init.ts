import type { BoardDefinition } from "../shared/board/definition.d.ts";

/**
 * init.lua: kept tiny so a bad application can never brick the board.
 *  - The application starts from a one-shot timer STARTUP_DELAY_MS after boot, so there is a
 *    window to type file.remove("init.lua") or upload a fix.
 *  - Safe mode: the board's safeModePin (boards/*.json; D3 = the FLASH button on a NodeMCU v3)
 *    held low at boot or when the timer fires → the application is not started and the board
 *    stays at the Lua prompt, saying why.
 *  - Crash-loop guard: `strikes` counts boots that did not reach a clean run; the application
 *    removes the file after 30 s of running (and on the reboot/prompt commands). After
 *    MAX_STRIKES such boots in a row the board stays at the prompt.
 */
const STARTUP_DELAY_MS = 1500;
const MAX_STRIKES = 3;
const STRIKES = "strikes";

function startApp(pin: number): void {
  if (gpio.read(pin) === 0) {
    print(`rackcell: safe mode: pin ${pin} is held low, application not started (Lua prompt is yours)`);
    return;
  }
  const appModule = require("app") as { start: (this: void) => void };
  appModule.start();
}

function boot(): void {
  const [, loaded] = pcall(require, "board");
  const board = loaded as BoardDefinition;
  const pin = board.safeModePin;
  gpio.mode(pin, gpio.INPUT, gpio.PULLUP);
  if (gpio.read(pin) === 0) {
    print(`rackcell: safe mode: pin ${pin} is held low, application not started (Lua prompt is yours)`);
    return;
  }
  const text = file.getcontents(STRIKES);
  const strikes = text === undefined ? 0 : (tonumber(text) ?? 0);
  if (strikes >= MAX_STRIKES) {
    print(`rackcell: the application did not run cleanly in ${strikes} boots: staying at the prompt. ` +
      `Fix it, then file.remove("${STRIKES}") and node.restart()`);
    return;
  }
  file.putcontents(STRIKES, `${strikes + 1}`);
  print(`rackcell: starting in ${STARTUP_DELAY_MS} ms (hold pin ${pin} low for safe mode)`);
  tmr.create().alarm(STARTUP_DELAY_MS, tmr.ALARM_SINGLE, () => startApp(pin));
}

boot();

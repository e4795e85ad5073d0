import { afterEach, describe, expect, it } from "vitest";
import { atPrompt, type PromptDriver } from "./prompt-driver.ts";

/**
 * The UART as the board has it beyond the console: a host at another baud rate than the board
 * reads garbage and is not understood (both directions), and UART 1 is a TX-only port of its own.
 */
const drivers: PromptDriver[] = [];
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.close()));
});

async function prompt(hostBaud?: number) {
  const d = await atPrompt(hostBaud !== undefined ? { hostBaud } : {});
  drivers.push(d);
  return { b: d.b, send: d.send, all: d.received };
}

describe("baud rate", () => {
  it("a host at another rate than the board reads garbage, and the board cannot read it", async () => {
    const { b, send } = await prompt();
    // The board goes to 9600 (as a firmware with uartBaud 9600 would); the host stays at 115200.
    const echo = await send("uart.setup(0, 9600, 8, 0, 1, 1)", 1000);
    expect(echo.startsWith("uart.setup(0, 9600, 8, 0, 1, 1)\r\n")).toBe(true); // the echo left before the switch
    const afterSwitch = echo.slice("uart.setup(0, 9600, 8, 0, 1, 1)\r\n".length);
    expect(afterSwitch).not.toContain("> "); // its prompt at 9600, read at 115200
    expect(afterSwitch.length).toBeGreaterThan(0);
    // Host → board at 115200 into a 9600 UART: no command gets through.
    const reply = await send('print("a","z")', 1500);
    expect(reply).not.toContain("a\tz");
    // The host switches to 9600 too: both ends agree, the prompt works again.
    await b.setHostBaud(9600);
    await send("", 1000);
    expect(await send('print("a","z")', 1500)).toBe('print("a","z")\r\na\tz\r\n> ');
    await expect(b.setHostBaud(0)).rejects.toThrow(/positive whole number/);
  });

  it("a host at 9600 talking to a board at 115200 sees no prompt and is not understood", async () => {
    const { send, all } = await prompt(9600);
    expect(all()).not.toContain("> ");
    expect(await send('print("a","z")', 1500)).not.toContain("a\tz");
  });

  it("uart.setup needs all five numbers, knows UART 0 and 1 only, and runs an unknown rate at 9600", async () => {
    const { send } = await prompt();
    expect(await send("uart.setup(0, 9600)")).toContain("Lua error: \tbad argument #3 to 'setup' (number expected, got no value)");
    expect(await send("uart.setup(2, 9600, 8, 0, 1)")).toContain("Lua error: \tuart 2 does not exist");
    expect(await send('uart.write(2, "x")')).toContain("Lua error: \tuart 2 does not exist");
    expect(await send("=uart.setup(1, 100000, 8, 0, 1)")).toBe("=uart.setup(1, 100000, 8, 0, 1)\r\n100000\r\n> ");
    expect(await send("=uart.getconfig(1)")).toBe("=uart.getconfig(1)\r\n9600\t8\t0\t1\r\n> ");
    expect(await send("=uart.getconfig(0)")).toBe("=uart.getconfig(0)\r\n115200\t8\t0\t1\r\n> ");
  });

  it("uart.write(1, …) goes out on UART 1's pin, not on the USB serial, and takes its time", async () => {
    const { send } = await prompt();
    await send("uart.setup(1, 9600, 8, 0, 1)");
    const out = await send('t0 = tmr.now() uart.write(1, string.rep("u", 300)) dt = tmr.now() - t0', 1000);
    expect(out).toBe('t0 = tmr.now() uart.write(1, string.rep("u", 300)) dt = tmr.now() - t0\r\n> ');
    // 300 bytes at 9600 baud: the call waits until all but the 128-byte FIFO is out (≈ 179 ms).
    const dt = Number((await send("=dt")).split("\r\n")[1]);
    expect(dt).toBeGreaterThan(170_000);
    expect(dt).toBeLessThan(200_000);
  });
});

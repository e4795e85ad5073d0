import type { Command } from "commander";
import { connectBoard } from "../board.ts";
import { examples, globalOptions } from "../options.ts";
import { action } from "../run.ts";

/** The wire protocols the board speaks (firmware/mode.ts). */
export const BOARD_MODES = ["rackcell", "chronojump"] as const;

export function register(program: Command): void {
  const cmd = program
    .command("mode")
    .argument("<mode>", `${BOARD_MODES.join(" or ")}`)
    .description("switch the protocol the board speaks on its serial port, kept on flash: rackcell's own, or Chronojump's " +
      "force-sensor protocol so the Chronojump program uses the rack as its force sensor (rackcell commands still switch it back)")
    .action(action(async (mode: string, _o: unknown, c: Command) => {
      if (!(BOARD_MODES as readonly string[]).includes(mode)) throw new Error(`mode must be ${BOARD_MODES.join(" or ")} (got "${mode}")`);
      const board = await connectBoard(globalOptions(c), { tare: false });
      try {
        const r = await board.session.command("mode", [mode]);
        if (!r.ok) throw new Error(`the board refused: ${r.reason}`);
        process.stdout.write(mode === "chronojump"
          ? "the board speaks Chronojump's force-sensor protocol now (115200 baud): close this and open it in Chronojump; `rackcell mode rackcell` switches back\n"
          : "the board speaks rackcell's protocol now\n");
      } finally {
        await board.close();
      }
    }));
  examples(cmd, ["rackcell --port /dev/ttyUSB0 mode chronojump", "rackcell --port /dev/ttyUSB0 mode rackcell"]);
}

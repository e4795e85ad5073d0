import * as fs from "node:fs";
import type { Command } from "commander";
import { svgToPng } from "../../report/plot.ts";
import { wiringSvg } from "../../wiring/svg.ts";
import { loadWiringBoard, wiringOf, wiringTable } from "../../wiring/wiring.ts";
import { DEFAULT_BOARD } from "../../paths.ts";
import { examples } from "../options.ts";
import { action } from "../run.ts";

/** Wide enough that the 11 px pin labels stay sharp when a README scales the picture down. */
const PNG_WIDTH_PX = 1600;

interface WiringFlags {
  board: string;
  svg?: string;
  png?: string;
  json?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command("wiring")
    .description("how to wire a board: NodeMCU pins (D number and GPIO), each HX711 (VCC, VDD, GND, DT, SCK, RATE), each load cell's wires; a table, JSON, or a picture (SVG/PNG)")
    .option("--board <name|file.json>", "a board from boards/ (an unknown name lists them), or a board file", DEFAULT_BOARD)
    .option("--svg <file>", "draw the wiring as SVG")
    .option("--png <file>", "draw the wiring as PNG")
    .option("--json", "print the connections as JSON")
    .action(action(async (flags: WiringFlags) => {
      const wiring = wiringOf(loadWiringBoard(flags.board));
      if (flags.svg || flags.png) {
        const svg = wiringSvg(wiring);
        if (flags.svg) fs.writeFileSync(flags.svg, svg);
        if (flags.png) fs.writeFileSync(flags.png, await svgToPng(svg, PNG_WIDTH_PX));
        process.stderr.write(`wiring of ${wiring.board}: ${[flags.svg, flags.png].filter(Boolean).join(", ")}\n`);
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(wiring, null, 2)}\n`);
      else if (!flags.svg && !flags.png) process.stdout.write(`${wiringTable(wiring)}\n`);
    }));
  examples(cmd, [
    "rackcell wiring                                   # the default board as a table",
    "rackcell wiring --board nodemcu-v3-1pin",
    "rackcell wiring --board nodemcu-v3-2pin --png wiring.png --svg wiring.svg",
    "rackcell wiring --board ./my-rack.json            # check and draw your own board file",
    "rackcell wiring --json",
  ]);
}

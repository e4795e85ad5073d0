/**
 * Tare, guided calibration and verification from the page, with the CLI's own code: the plans,
 * rules and runs of host/calibrate and host/verify, over the page's session. Plates get onto the
 * pins through `place`: the host's emulated board, or a person who presses "Done".
 */
import type { BoardDefinition } from "../build/boards.ts";
import { parsePoints } from "../calibrate/plan.ts";
import { CALIBRATED_PLATES, parsePlates } from "../calibrate/plates.ts";
import { describeRun, runCalibration, type PlaceFn, type Placement } from "../calibrate/run.ts";
import type { Session } from "../session/session.ts";
import { certificateText } from "../verify/render.ts";
import { runVerification, type VerifyPlan } from "../verify/run.ts";

export interface ToolsContext {
  session(): Session | null;
  board(): BoardDefinition | null;
  /** The host places plates itself (emulated board); null: a person does. */
  hostPlace(): ((p: Placement) => Promise<void>) | null;
  /** After tare or calibration: the board's zeros and calibration changed. */
  changed(): void;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export class Tools {
  private busy = false;
  /** Session times (s) of the calibrations and verifications run: their loads are not lifts. */
  private readonly runs: { fromS: number; toS: number }[] = [];

  constructor(private readonly ctx: ToolsContext) {
    $("tare").addEventListener("click", () => void this.tare());
    $("calibrate-form").addEventListener("submit", (e) => {
      e.preventDefault();
      void this.calibrate();
    });
    $("verify-form").addEventListener("submit", (e) => {
      e.preventDefault();
      void this.verify();
    });
  }

  /** Did a calibration or verification run during [fromS, toS]? */
  ranDuring(fromS: number, toS: number): boolean {
    return this.runs.some((r) => r.fromS <= toS && fromS <= r.toS);
  }

  private track(session: Session): () => void {
    const run = { fromS: session.live.timeS, toS: Infinity };
    this.runs.push(run);
    return () => (run.toS = session.live.timeS);
  }

  private say(id: string, text: string, error = false): void {
    const el = $(id);
    el.textContent = text;
    el.classList.toggle("error", error);
  }

  private append(id: string, text: string): void {
    $(id).textContent += `${text}\n`;
  }

  /** A person places the plates: the instruction, and a button that says it is done. */
  private personPlace(): PlaceFn {
    return (p) => new Promise<void>((resolve) => {
      const box = $("place-prompt");
      const done = $<HTMLButtonElement>("place-done");
      $("place-text").textContent = p.prompt.replace(/ and press Enter$/, "");
      box.hidden = false;
      done.focus();
      done.onclick = () => {
        box.hidden = true;
        done.onclick = null;
        resolve();
      };
    });
  }

  private place(log: (s: string) => void): PlaceFn {
    const host = this.ctx.hostPlace();
    if (!host) return this.personPlace();
    return async (p) => {
      log(`${p.prompt.replace(/ and press Enter$/, "")} [emulated board: placed by the host]`);
      await host(p);
    };
  }

  private ready(outId: string): { session: Session; board: BoardDefinition } | null {
    const session = this.ctx.session();
    const board = this.ctx.board();
    if (this.busy) this.say(outId, "Another step is still running.", true);
    else if (!session) this.say(outId, "Connect a board first.", true);
    else if (!board) this.say(outId, `This page does not know the board "${session.info.board}": its definition is not among the boards built with this tool.`, true);
    else return { session, board };
    return null;
  }

  async tare(): Promise<void> {
    const session = this.ctx.session();
    if (!session || this.busy) {
      this.say("tare-status", session ? "Another step is still running." : "Connect a board first.", true);
      return;
    }
    this.busy = true;
    this.say("tare-status", "Taring: keep the pins empty and still…");
    const r = await session.tare();
    this.busy = false;
    if (r.ok) {
      this.say("tare-status", `Tared: ${session.info.channelNames.map((n, i) => `${n} zero ${r.fields[`z${i}`] ?? "?"} counts`).join(", ")}.`);
      this.ctx.changed();
    } else this.say("tare-status", `Tare failed: ${r.reason}`, true);
  }

  async calibrate(): Promise<void> {
    const ok = this.ready("calibrate-out");
    if (!ok) return;
    const points = parsePoints($<HTMLInputElement>("cal-points").value);
    const plates = parsePlates($<HTMLInputElement>("cal-plates").value || "calibrated");
    if (points.reasons.length > 0 || "error" in plates) {
      this.say("calibrate-out", [...points.reasons, ...("error" in plates ? [plates.error] : [])].join("\n"), true);
      return;
    }
    this.busy = true;
    const done = this.track(ok.session);
    this.say("calibrate-out", "");
    const log = (s: string) => this.append("calibrate-out", s);
    try {
      const run = await runCalibration(ok.session, ok.board, points.points, plates, this.place(log), {
        samples: Number($<HTMLInputElement>("cal-samples").value) || undefined, log,
      });
      log(describeRun(run));
      $("calibrate-out").classList.toggle("error", !run.ok);
      $("calibrate-out").dataset.result = run.ok ? "ok" : "refused";
      if (run.ok) {
        await ok.session.refreshInfo();
        this.ctx.changed();
      }
    } catch (e) {
      log(`calibration stopped: ${(e as Error).message}`);
      $("calibrate-out").dataset.result = "error";
    } finally {
      this.busy = false;
      done();
    }
  }

  async verify(): Promise<void> {
    const ok = this.ready("verify-out");
    if (!ok) return;
    const num = (id: string) => ($<HTMLInputElement>(id).value.trim() === "" ? undefined : Number($<HTMLInputElement>(id).value));
    const plates = parsePlates($<HTMLInputElement>("ver-plates").value || "calibrated");
    if ("error" in plates) {
      this.say("verify-out", plates.error, true);
      return;
    }
    const plan: VerifyPlan = {
      intervalKg: num("ver-e") ?? NaN, stage: "initial", plates: plates ?? CALIBRATED_PLATES,
      loads: $<HTMLInputElement>("ver-loads").value.split(",").filter((x) => x.trim() !== "").map(Number),
      repeatKg: num("ver-repeat"), eccentricityKg: num("ver-eccentric"), tare: true,
    };
    this.busy = true;
    const done = this.track(ok.session);
    this.say("verify-out", "");
    const log = (s: string) => this.append("verify-out", s);
    try {
      const res = await runVerification(ok.session, ok.session, ok.board, plan, this.place(log), { log, calId: ok.session.info.calibrationId });
      if (!res.ok || !res.certificate) {
        this.say("verify-out", `verification refused:\n${res.reasons.map((r) => `  - ${r}`).join("\n")}`, true);
        $("verify-out").dataset.result = "refused";
      } else {
        log(certificateText(res.certificate));
        $("verify-out").dataset.result = res.certificate.overall;
        this.ctx.changed();
      }
    } catch (e) {
      log(`verification stopped: ${(e as Error).message}`);
      $("verify-out").dataset.result = "error";
    } finally {
      this.busy = false;
      done();
    }
  }
}

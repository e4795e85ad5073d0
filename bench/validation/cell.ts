/**
 * The boards and load cell the validation runs on, taken from boards/*.json (the one description of
 * each supported board): the 2-channel board at 80 SPS and, when there is one, the same at 10 SPS.
 * The stand-in and physics pipelines use that board's cell, the emulated pipeline boots the boards.
 */
import { listBoards, loadBoard, type BoardChannel } from "../../host/build/boards.ts";

export type CellNominal = BoardChannel["cell"];

export interface ValidationBoards {
  /** the first 2-channel board (by name) with sampleRateSps 80 */
  board80: string;
  /** the first 2-channel board with sampleRateSps 10, if any */
  board10?: string;
}

export function validationBoards(): ValidationBoards {
  const twoChannel = listBoards()
    .map((name) => loadBoard(name))
    .filter((b) => b.channels.length === 2);
  const b80 = twoChannel.find((b) => b.sampleRateSps === 80);
  if (b80 === undefined) throw new Error("boards/: no 2-channel board with sampleRateSps 80 to run the validation on");
  return { board80: b80.name, board10: twoChannel.find((b) => b.sampleRateSps === 10)?.name };
}

/** The 80 SPS validation board's cell; both pins must carry the same cell (the suite splits one curve over them). */
function boardCell(): CellNominal {
  const b = loadBoard(validationBoards().board80);
  const [l, r] = b.channels.map((ch) => ch.cell);
  if (l.capacityN !== r.capacityN || l.ratedOutputMvPerV !== r.ratedOutputMvPerV || l.excitationV !== r.excitationV) {
    throw new Error(`boards/${b.name}.json: the validation needs the same cell on both pins`);
  }
  return l;
}

export const VALIDATION_CELL: CellNominal = boardCell();

/** Counts per newton at gain 128 (ratiometric: excitation = AVDD cancels). */
export function countsPerN(cell: CellNominal): number {
  return ((cell.ratedOutputMvPerV * 1e-3 * 128) / 0.5) * 8388608 / cell.capacityN;
}

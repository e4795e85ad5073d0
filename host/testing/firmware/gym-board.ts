import { loadBoard } from "../../build/boards.ts";
import { encodeNetFile, type NetConfig } from "../../../shared/board/netcfg.ts";
import { parseLiftBody } from "../../../shared/board/liftrecord.ts";
import { DEFAULT_BOARD } from "../../paths.ts";
import { EmuLink, nominalCalFile, type EmuLinkOptions } from "./emu-link.ts";

/**
 * A full emulated board for the gym (host/gym/boards.test.ts, bench/figures/gym.ts and
 * firmware-mqtt.ts): the built firmware with a nominal calibration, the emulator's access point,
 * its serial link kept open as the truth the MQTT side is checked against: every frame's sequence
 * number and every lift it made (E records on USB), and the free heap its heartbeats report.
 */
export const GYM_ACCESS_POINT = { ssid: "gym-wifi", password: "the gym's wifi password" };

export interface GymBoardOptions extends EmuLinkOptions {
  rack: string;
  /** net.cfg written on the flash before boot (the bench); without it, configure over USB (`net`). */
  net?: NetConfig;
}

export class GymBoard {
  /** sequence numbers of the frames written on USB since the last boot */
  readonly usbSeqs: number[] = [];
  /** node.heap() of each heartbeat (H heap=) since the board started */
  readonly heartbeatHeap: number[] = [];
  private heard = 0;

  private constructor(readonly rack: string, readonly link: EmuLink) {
    link.onFrame = (f) => this.usbSeqs.push(f.seq);
  }

  static async start(o: GymBoardOptions): Promise<GymBoard> {
    const { rack, net, files, ...emu } = o;
    const link = await EmuLink.start({
      scenario: "empty:dur=3600", accessPoint: GYM_ACCESS_POINT, ...emu,
      files: { "cal.txt": nominalCalFile(loadBoard(emu.board ?? DEFAULT_BOARD), `cal-${rack}`, "gym"), ...(net ? { "net.cfg": encodeNetFile(net) } : {}), ...files },
    });
    return new GymBoard(rack, link);
  }

  /** Picks up the heartbeats written since the last call (their free heap). */
  readHeartbeats(): void {
    const hs = this.link.records("H,");
    for (; this.heard < hs.length; this.heard++) {
      const m = /(?:^|,)heap=(\d+)/.exec(hs[this.heard]);
      if (m) this.heartbeatHeap.push(Number(m[1]));
    }
  }

  /** A new boot counts its frames from 0: USB checks cover the frames from here on. */
  newBoot(): void {
    Object.assign(this.link.stats, { gaps: 0, corrupt: 0, lastSeq: -1 });
    this.usbSeqs.length = 0;
  }

  /** The lifts the board made, by id: its E records on USB (a replay the host asked for shows there too). */
  liftIds(): number[] {
    return [...new Set(this.link.records("E,").map((e) => parseLiftBody(e).id))].sort((x, y) => x - y);
  }

  /**
   * Frames the board made but the host never got, between the first and last the host stored
   * (`stored`: the stored frames' sequence numbers); null when the host stored one the board never made.
   */
  neverSent(stored: number[]): number | null {
    return framesNeverSent(this.usbSeqs, stored);
  }

  close(): Promise<void> {
    return this.link.close();
  }
}

/**
 * Of the frames a board wrote on USB (`usbSeqs`), those between the first and last the host stored
 * (`stored`, sequence numbers in order) that the host never got; null when the host stored one the
 * board never made.
 */
export function framesNeverSent(usbSeqs: number[], stored: number[]): number | null {
  if (stored.length === 0) return 0;
  const made = new Set(usbSeqs);
  if (!stored.every((s) => made.has(s))) return null;
  const got = new Set(stored);
  const first = stored[0];
  const last = stored[stored.length - 1];
  return usbSeqs.filter((s) => s >= first && s <= last && !got.has(s)).length;
}

/** The net.cfg fields of a rack on a broker at 127.0.0.1:`port`. */
export function gymNetConfig(o: { port: number; gym: string; rack: string; mqttPassword: string; wifiPassword?: string }): NetConfig {
  return {
    ssid: GYM_ACCESS_POINT.ssid, pwd: o.wifiPassword ?? GYM_ACCESS_POINT.password, host: "127.0.0.1", port: String(o.port),
    rack: o.rack, gym: o.gym, user: o.rack, mpass: o.mqttPassword,
  };
}

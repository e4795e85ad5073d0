import { SerialPort } from "serialport";
import { startEmulator } from "../cli/emulated.ts";
import { openLine } from "../../shared/protocol/frame.ts";
import { encodeCommand } from "../../shared/protocol/messages.ts";

/**
 * Chronojump's own session with a force sensor, replayed against the emulated board through its
 * serial device (a pseudo-terminal opened at 115200 baud like a USB port): the desktop's order of
 * commands, its waits, and its patterns for every reply (src/execute/micro/discover.cs and
 * src/gui/app1/forceSensor.cs in GNOME/chronojump). The board is switched into Chronojump mode
 * and back with sealed rackcell commands. Used by the interop test and bench/figures/interop.ts.
 */
export interface ChronojumpSession {
  /** what failed, in order ([] when the whole session passed) */
  problems: string[];
  /** samples captured between start_capture: and end_capture: */
  samples: { us: number; forceN: number }[];
  /** mean captured force vs the load on the pins, % */
  forceErrorPct: number;
  truthN: number;
}

const GRAVITY_MPS2 = 9.80665; // TODO(units): shared/units/force.ts
const CAL_KG = { left: 12, right: 8 };
const LOAD_KG = { left: 40, right: 25 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Lines from a serial port (line ends "\n" or "\r\n"), awaited by pattern. */
class Lines {
  private buf = "";
  readonly seen: string[] = [];
  private waiters: (() => void)[] = [];
  constructor(readonly port: SerialPort) {
    port.on("data", (d: Buffer) => {
      this.buf += d.toString("latin1");
      let nl: number;
      while ((nl = this.buf.indexOf("\n")) >= 0) {
        this.seen.push(this.buf.slice(0, nl).replace(/\r$/, ""));
        this.buf = this.buf.slice(nl + 1);
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }
  /** The first line from index `from` on matching `re`, or undefined after `ms`. */
  async wait(re: RegExp, ms: number, from = 0): Promise<{ line: string; index: number } | undefined> {
    const end = Date.now() + ms;
    for (;;) {
      for (let i = from; i < this.seen.length; i++) if (re.test(this.seen[i])) return { line: this.seen[i], index: i };
      const left = end - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => { clearTimeout(t); r(); });
      });
    }
  }
}

async function open(path: string): Promise<{ port: SerialPort; lines: Lines }> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((r, j) => port.open((e) => (e ? j(e) : r())));
  return { port, lines: new Lines(port) };
}

async function close(port: SerialPort): Promise<void> {
  if (port.isOpen) await new Promise<void>((r) => port.close(() => r()));
}

/** Chronojump's reading of a sample line: exactly one ";", an int32 time, a force with "." (trigger lines R/r are not samples). */
export function parseSampleLine(line: string): { us: number; forceN: number } | undefined {
  const parts = line.split(";");
  if (parts.length !== 2 || !/^-?\d+$/.test(parts[0]) || !/^-?\d+(\.\d+)?$/.test(parts[1])) return undefined;
  const us = Number(parts[0]);
  if (us > 2147483647 || us < -2147483648) return undefined;
  return { us, forceN: Number(parts[1]) };
}

export async function replayChronojumpSession(seed = 5): Promise<ChronojumpSession> {
  const problems: string[] = [];
  const samples: { us: number; forceN: number }[] = [];
  const truthN = (LOAD_KG.left + LOAD_KG.right) * GRAVITY_MPS2;
  const emu = await startEmulator({ scenario: "empty", seed, clock: "realtime", calibrated: false });
  let port: SerialPort | undefined;
  const expect = (what: string, ok: boolean) => { if (!ok) problems.push(what); return ok; };
  try {
    // rackcell side: wait for the application, switch to Chronojump mode with a sealed command
    let s = await open(emu.path);
    port = s.port;
    expect("the board runs the application (S frames)", (await s.lines.wait(/^S/, 10000)) !== undefined);
    s.port.write(`${encodeCommand(1, "mode", ["chronojump"])}\n`);
    const switched = await s.lines.wait(/^R,1,/, 3000);
    expect(`mode,chronojump answered ok (${switched?.line})`, switched !== undefined && openLine(switched.line).body === "R,1,ok,mode=chronojump");
    await close(s.port);

    // Chronojump: open, wait 3 s, end any capture, discover, tare, calibrate, capture
    s = await open(emu.path);
    port = s.port;
    await sleep(3000);
    s.port.write("end_capture:\n");
    expect("end_capture: → Capture ended", (await s.lines.wait(/Capture ended/, 2000)) !== undefined);
    s.port.write("get_version:\n");
    const version = await s.lines.wait(/Force_Sensor-(\d+\.\d+)/, 2500);
    const v = version ? Number(/Force_Sensor-(\d+\.\d+)/.exec(version.line)![1]) : 0;
    expect("get_version: → Force_Sensor-<n.n> within 2500 ms", v > 0);
    if (v >= 0.3) {
      const from = s.lines.seen.length;
      s.port.write("get_transmission_format:\n");
      expect("get_transmission_format: → text", (await s.lines.wait(/^text$/, 2000, from)) !== undefined);
    }
    let from = s.lines.seen.length;
    s.port.write("tare:\n");
    const tare = await s.lines.wait(/Taring OK:(\d+)/, 5000, from);
    expect(`tare: → Taring OK:<long> (${s.lines.seen.slice(from).join(" | ")})`, tare !== undefined);
    await emu.setScenario(`weigh:kgL=${CAL_KG.left},kgR=${CAL_KG.right},atS=0,dur=600`);
    await sleep(1500);
    from = s.lines.seen.length;
    s.port.write(`calibrate:${CAL_KG.left + CAL_KG.right};\n`);
    const cal = await s.lines.wait(/Calibrating OK:(\d+(\.\d+)?)/, 5000, from);
    expect(`calibrate:<kg>; → Calibrating OK:<factor> (${s.lines.seen.slice(from).join(" | ")})`, cal !== undefined);
    await emu.setScenario(`weigh:kgL=${LOAD_KG.left},kgR=${LOAD_KG.right},atS=0,dur=600`);
    await sleep(1500);
    from = s.lines.seen.length;
    s.port.write("start_capture:\n");
    const startLine = await s.lines.wait(/^Starting capture/, 2000, from);
    expect("start_capture: → Starting capture...", startLine !== undefined);
    await sleep(2000);
    s.port.write("end_capture:\n");
    const ended = await s.lines.wait(/Capture ended/, 2000, from);
    expect("end_capture: → Capture ended", ended !== undefined);
    if (startLine && ended) {
      for (const line of s.lines.seen.slice(startLine.index + 1, ended.index)) {
        const sample = parseSampleLine(line);
        if (sample) samples.push(sample);
        else if (!/^-?\d+;[Rr]$/.test(line)) problems.push(`not a sample line: ${JSON.stringify(line)}`);
      }
    }
    expect(`about 160 samples in 2 s (${samples.length})`, samples.length >= 120);
    expect("sample times start near 0 and increase", samples.length > 0 && samples[0].us >= 0 && samples[0].us < 200000 &&
      samples.every((x, i) => i === 0 || x.us > samples[i - 1].us));
    expect("every sample line ends \\r\\n", true);
    // malformed and unknown commands: a reply, no restart
    from = s.lines.seen.length;
    for (const bad of ["calibrate:abc;", "set_tare:;", "hello", "set_calibration_factor:-1;"]) s.port.write(`${bad}\n`);
    await s.lines.wait(/x^/, 1500);
    const answers = s.lines.seen.slice(from);
    expect(`unknown/malformed → Not a valid command ×4 (${answers.join(" | ")})`, answers.filter((l) => l === "Not a valid command").length === 4);
    await close(s.port);

    // discovery after a fresh open: get_version: 1500 ms after opening, an answer within 2500 ms
    s = await open(emu.path);
    port = s.port;
    await sleep(1500);
    s.port.write("get_version:\n");
    expect("discovery after a fresh open", (await s.lines.wait(/Force_Sensor-(\d+\.\d+)/, 2500)) !== undefined);
    // back to rackcell with a sealed command
    from = s.lines.seen.length;
    s.port.write(`${encodeCommand(2, "mode", ["rackcell"])}\n`);
    const back = await s.lines.wait(/^R,2,/, 3000, from);
    expect("mode,rackcell answered ok", back !== undefined && openLine(back.line).body === "R,2,ok,mode=rackcell");
    expect("rackcell frames again", (await s.lines.wait(/^S/, 2000, from)) !== undefined);
    const stats = await emu.stats();
    expect(`no restart (${stats.restarts})`, stats.restarts === 0);
  } finally {
    if (port) await close(port);
    await emu.close();
  }
  const settled = samples.slice(Math.floor(samples.length / 4));
  const mean = settled.reduce((a, b) => a + b.forceN, 0) / Math.max(1, settled.length);
  return { problems, samples, forceErrorPct: (Math.abs(mean - truthN) / truthN) * 100, truthN };
}

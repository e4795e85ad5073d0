import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { SerialPort } from "serialport";

/**
 * `rackcell ports`: which serial devices could be a rackcell board, and how each was found.
 * SerialPort.list() needs udev (absent in containers) and only knows USB/ACM names, so we also
 * scan /dev for the usual names, /dev/serial/by-id, running emulators (the file `rackcell
 * emulate` writes, and the <tmp>/rackcell-*\/ttyEMU* links emulated boards make) and RACKCELL_PORT. All I/O is passed in so tests can fake it.
 */
export interface FoundPort {
  path: string;
  /** How it was found: "serialport", "dev-scan", "by-id", "emulator", "env". */
  via: string;
  description: string;
}

export interface Discovery {
  ports: FoundPort[];
  /** What was tried and what happened, for the user (e.g. "SerialPort.list() failed: …"). */
  notes: string[];
}

export interface DiscoverIo {
  list: () => Promise<{ path: string; manufacturer?: string; vendorId?: string; productId?: string; serialNumber?: string }[]>;
  readdir: (dir: string) => string[];
  exists: (p: string) => boolean;
  realpath: (p: string) => string;
  readFile: (p: string) => string;
  env: Record<string, string | undefined>;
}

/** Where a running emulator announces its pty (see host/emulator): one JSON or plain path per file. */
export function emulatorAnnounceFiles(env: Record<string, string | undefined> = process.env): string[] {
  const files: string[] = [];
  if (env.RACKCELL_EMULATOR_FILE) files.push(env.RACKCELL_EMULATOR_FILE);
  files.push(path.join(env.HOME ?? os.homedir(), ".rackcell", "emulator.json"));
  files.push(path.join(env.TMPDIR || os.tmpdir(), "rackcell-emulator.json"));
  return files;
}

const realIo: DiscoverIo = {
  list: () => SerialPort.list(),
  readdir: (dir) => fs.readdirSync(dir),
  exists: (p) => fs.existsSync(p),
  realpath: (p) => fs.realpathSync(p),
  readFile: (p) => fs.readFileSync(p, "utf8"),
  env: process.env,
};

const DEV_PATTERNS = [/^ttyUSB\d+$/, /^ttyACM\d+$/, /^cu\.(usbserial|SLAB_USBtoUART|wchusbserial)/, /^ttyAMA\d+$/];

/** Parses an announce file: JSON `{ path, pid? }` or a bare path. */
export function parseAnnounce(text: string): { path: string; pid?: number } | null {
  const t = text.trim();
  if (t === "") return null;
  if (t.startsWith("{")) {
    try {
      const j = JSON.parse(t) as { path?: string; pty?: string; pid?: number };
      const p = j.path ?? j.pty;
      return p ? { path: p, pid: j.pid } : null;
    } catch {
      return null;
    }
  }
  return { path: t.split("\n")[0] };
}

function pidAlive(pid: number | undefined): boolean {
  if (pid === undefined) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function discoverPorts(io: Partial<DiscoverIo> = {}): Promise<Discovery> {
  const x: DiscoverIo = { ...realIo, ...io };
  const ports: FoundPort[] = [];
  const notes: string[] = [];
  const seen = new Set<string>();
  const add = (p: FoundPort) => {
    let key = p.path;
    try {
      key = x.realpath(p.path);
    } catch {
      /* keep the given path */
    }
    if (seen.has(key)) return;
    seen.add(key);
    ports.push(p);
  };

  const envPort = x.env.RACKCELL_PORT;
  if (envPort) {
    if (x.exists(envPort)) add({ path: envPort, via: "env", description: "RACKCELL_PORT" });
    else notes.push(`RACKCELL_PORT=${envPort} does not exist`);
  }

  for (const file of emulatorAnnounceFiles(x.env)) {
    if (!x.exists(file)) continue;
    let text = "";
    try {
      text = x.readFile(file);
    } catch {
      continue;
    }
    const a = parseAnnounce(text);
    if (!a) continue;
    if (!x.exists(a.path) || !pidAlive(a.pid)) {
      notes.push(`${file} announces ${a.path}, but that emulator is no longer running`);
      continue;
    }
    add({ path: a.path, via: "emulator", description: `emulated board (announced in ${file})` });
  }

  // Emulated boards link their pty as <tmp>/rackcell-*/ttyEMU* while they run (host/emulator/pty.ts).
  try {
    const tmp = x.env.TMPDIR || os.tmpdir();
    for (const dir of x.readdir(tmp).filter((d) => d.startsWith("rackcell-")).sort()) {
      let names: string[] = [];
      try {
        names = x.readdir(path.join(tmp, dir));
      } catch {
        continue;
      }
      for (const n of names.filter((f) => /^ttyEMU\d+$/.test(f))) {
        add({ path: path.join(tmp, dir, n), via: "emulator", description: "emulated board (pseudo-terminal)" });
      }
    }
  } catch {
    /* no temp dir to scan */
  }

  try {
    const listed = await x.list();
    notes.push(`SerialPort.list() found ${listed.length} port(s)`);
    for (const p of listed) {
      const what = [p.manufacturer, p.vendorId && p.productId ? `${p.vendorId}:${p.productId}` : "", p.serialNumber].filter(Boolean).join(" ");
      add({ path: p.path, via: "serialport", description: what || "serial port" });
    }
  } catch (err) {
    notes.push(`SerialPort.list() failed (${(err as Error).message.split("\n")[0]}): scanning /dev instead`);
  }

  try {
    for (const name of x.readdir("/dev").sort()) {
      if (DEV_PATTERNS.some((re) => re.test(name))) add({ path: `/dev/${name}`, via: "dev-scan", description: usbHint(name) });
    }
  } catch {
    notes.push("could not read /dev");
  }
  if (x.exists("/dev/serial/by-id")) {
    try {
      for (const name of x.readdir("/dev/serial/by-id").sort()) {
        add({ path: `/dev/serial/by-id/${name}`, via: "by-id", description: name });
      }
    } catch {
      notes.push("could not read /dev/serial/by-id");
    }
  }
  return { ports, notes };
}

function usbHint(name: string): string {
  if (name.startsWith("ttyUSB")) return "USB serial adapter (CH340/CP210x, as on NodeMCU boards)";
  if (name.startsWith("ttyACM")) return "USB CDC-ACM device";
  return "serial device";
}

export function formatDiscovery(d: Discovery): string {
  const out: string[] = [];
  if (d.ports.length === 0) {
    out.push("No serial ports found.");
    out.push("  - Plug the board in (a NodeMCU shows up as /dev/ttyUSB0 on Linux), or");
    out.push("  - start an emulated board with `rackcell emulate`, or");
    out.push("  - set RACKCELL_PORT=/path/to/port.");
  } else {
    out.push(`Found ${d.ports.length} port(s):`);
    const w = Math.max(...d.ports.map((p) => p.path.length));
    for (const p of d.ports) out.push(`  ${p.path.padEnd(w)}  [${p.via}] ${p.description}`);
  }
  for (const n of d.notes) out.push(`  note: ${n}`);
  return out.join("\n");
}

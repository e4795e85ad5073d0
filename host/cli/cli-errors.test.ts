import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InvalidArgumentError } from "commander";
import { positiveNumber, wholeNumber } from "./options.ts";
import { runCli, SOURCE_ENTRY } from "./testing/run-cli.ts";

/** What a first-time user sees when feeding nonsense: one clear line, never a stack trace. */
const ROOT = path.join(import.meta.dirname, "..", "..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rackcell-cli-errors-"));
const DB = path.join(dir, "r.db");
/** Runs rackcell in a scratch directory (not the repository), as a user would from anywhere. */
const cli = (args: string[]) => runCli(["--db", DB, ...args], { cwd: dir });
const STACK = /\n\s+at |Node\.js v\d/;

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("option parsers", () => {
  it("refuse with commander's InvalidArgumentError (reported as one line)", () => {
    expect(() => positiveNumber("--seconds")("abc")).toThrow(InvalidArgumentError);
    expect(() => positiveNumber("--seconds")("-1")).toThrow(/--seconds must be a positive number \(got "-1"\)/);
    expect(() => positiveNumber("--seconds")("")).toThrow(InvalidArgumentError);
    expect(positiveNumber("--seconds")("2.5")).toBe(2.5);
    expect(() => wholeNumber("--seed", 0, 100)("1.5")).toThrow(InvalidArgumentError);
    expect(() => wholeNumber("--seed", 0, 100)("abc")).toThrow(/--seed must be a whole number from 0 to 100/);
    expect(wholeNumber("--seed", 0, 100)("7")).toBe(7);
  });

  it("a bad number on the command line is one line, no stack trace", async () => {
    const r = await cli(["live", "--seconds", "abc"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: option '--seconds <n>' argument 'abc' is invalid\. --seconds must be a positive number/);
    expect(r.stderr).not.toMatch(STACK);
  });
});

describe("rackcell net", () => {
  it("refuses a bad broker URL, name or password in one line, before touching a board", async () => {
    const base = ["net", "--ssid", "Gym", "--password", "wifi password", "--rack", "rack-01"];
    for (const [args, message] of [
      [[...base, "--broker", "mqtts://broker.local:8883"], /rackcell: --broker mqtts:\/\/… \(TLS\) is not supported/],
      [[...base, "--broker", "broker.local"], /rackcell: --broker "broker.local" must start with mqtt:\/\//],
      [[...base, "--broker", "mqtt://broker.local", "--gym", "north/1"], /rackcell: --gym: gym name must be 1-32 letters/],
      [["net", "--ssid", "Gym", "--broker", "mqtt://b"], /rackcell: rackcell net needs --password, --rack/],
      [["net", "--off", "--rack", "r"], /rackcell: --off removes the settings: give it alone/],
    ] as [string[], RegExp][]) {
      const r = await cli(args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(STACK);
      expect(r.stderr).not.toMatch(/emulated board/);
    }
  });
});

describe("the emulated board (no --port)", () => {
  it("tare works on a board that has just started (its first readings still settle)", async () => {
    const r = await cli(["tare"]);
    expect(r.stderr).not.toMatch(/refused|could not tare/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/left\s+zero -?\d+\.\d counts/);
    expect(r.stdout).toMatch(/saved on the board/);
  });

  it("live on empty pins reads zero: the board was tared when it started", async () => {
    const r = await cli(["--units", "N", "live", "--seconds", "1"]);
    expect(r.stderr).not.toMatch(/could not tare/);
    const last = r.stdout.trim().split("\n").filter((l) => l.startsWith("t=")).at(-1)!;
    const total = Number(/total=(-?[\d.]+) N/.exec(last)![1]);
    expect(Math.abs(total)).toBeLessThan(1);
  });
});

describe("scenarios", () => {
  it("a bad scenario or CSV is one line from the host, not a crash of the board's Lua process", async () => {
    const bogus = await cli(["live", "--scenario", "bogus", "--seconds", "1"]);
    expect(bogus.code).toBe(1);
    expect(bogus.stderr).toBe('rackcell: unknown scenario "bogus": choose one of empty, weigh, rackpull, isometric, drop (or load a CSV)\n');
    const negative = await cli(["live", "--scenario", "rackpull:kg=-50", "--seconds", "1"]);
    expect(negative.stderr).toBe("rackcell: scenario rackpull: kg=-50 is outside 1…5000\n");
    fs.writeFileSync(path.join(dir, "wide.csv"), "time_s,a,b,c\n0,1,2,3\n1,1,2,3\n");
    const wide = await cli(["emulate", "--scenario", "wide.csv"]);
    expect(wide.code).toBe(1);
    expect(wide.stderr).toBe("rackcell: scenario wide.csv: CSV has 3 force column(s) but the board has 2 channel(s)\n");
  });
});

describe("errors in calibrate, verify, deploy, report and web are one line", () => {
  it.each([
    [["calibrate", "--plan", "plan.json", "--yes"], /^rackcell: cannot read the plan plan\.json: no such file\n$/],
    [["calibrate", "--board", "nope", "--points", "left:100,left:200"], /^rackcell: unknown board "nope": choose one of nodemcu-v3-1pin/],
    [["verify", "--plan", "nope.json"], /^rackcell: cannot read the plan nope\.json: no such file\n$/],
    [["--port", "/dev/ttyNOPE", "verify", "--e", "1", "--loads", "100,200"], /^rackcell: \/dev\/ttyNOPE: no such serial port\. Run `rackcell ports`/],
    [["--port", "/dev/ttyNOPE", "deploy"], /^rackcell: \/dev\/ttyNOPE: no such serial port\. Run `rackcell ports`/],
  ])("%j", async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK);
  });
});

describe("deploy", () => {
  it("refuses nonsense block sizes, windows and verify methods before touching a board", async () => {
    expect((await cli(["deploy", "--block-size", "abc"])).stderr).toMatch(/^error: option '--block-size <bytes>' argument 'abc' is invalid\. --block-size must be a whole number from 1 to 240/);
    expect((await cli(["deploy", "--window", "0"])).stderr).toMatch(/^error: option '--window <n>' argument '0' is invalid/);
    expect((await cli(["deploy", "--verify", "md5"])).stderr).toMatch(/^error: option '--verify <how>' argument 'md5' is invalid\. Allowed choices are auto, sha256, adler32\./);
  });

  it("the bundled CLI (dist/rackcell.mjs, built by the test setup) deploys to an emulated board too", async () => {
    const r = await runCli(["deploy"], { bundle: true, cwd: dir });
    expect(r.stderr).not.toMatch(/Cannot find module/);
    expect(r.stderr).toMatch(/deployed build [0-9a-f]+: \d+ files/);
    expect(r.code).toBe(0);
  });

  it("finds the build from any directory (not only the repository's)", async () => {
    const r = await cli(["deploy"]);
    expect(r.stderr).not.toMatch(/manifest\.json not found/);
    expect(r.stderr).toMatch(/deployed build [0-9a-f]+: \d+ files/);
    expect(r.code).toBe(0);
  });
});

describe("nonsense option values are refused before anything starts", () => {
  it.each([
    [["emulate", "--seed", "abc"], "--seed must be a whole number from 0 to 2147483647"],
    [["emulate", "--wifi-password", "secret pw"], "--wifi-password needs --wifi-ssid"],
    [["web", "--listen", "abc"], "--listen must be a whole number from 0 to 65535"],
    [["tare", "--samples", "5"], "--samples must be a whole number from 8 to 1024"],
    [["calibrate", "--points", "left:100,left:200", "--samples", "abc"], "--samples must be a whole number from 8 to 1024"],
    [["calibrate", "--points", "left:100,left:200", "--settle", "-1"], "--settle must be a whole number from 0 to 600000"],
    [["verify", "--e", "1", "--loads", "100", "--read", "0"], "--read must be a whole number from 100 to 600000"],
    [["report", "--demo", "bogus"], "Allowed choices are isometric, rackpull."],
    [["report", "--csv", "x.csv", "--kind", "squat"], "Allowed choices are isometric, rackpull."],
    [["report", "--lift", "abc"], "--lift must be a whole number ≥ 1"],
    [["report", "--demo", "isometric", "--width", "-5", "--png", "x.png"], "--width must be a whole number from 100 to 10000"],
    [["report", "--demo", "isometric", "--body", "-70"], "--body must be a positive number"],
  ])("%j", async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")[0]).toContain(message);
    expect(r.stdout).toBe("");
  });

  it("demo's help states its default once", async () => {
    const r = await cli(["demo", "--help"]);
    expect(r.stdout).toMatch(/--seconds <n>\s+stop after n seconds at the latest \(default: 60\)\n/);
  });
});

describe("web", () => {
  it("a port in use says so and how to choose another", async () => {
    const net = await import("node:net");
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", () => resolve()));
    const port = (busy.address() as { port: number }).port;
    try {
      const r = await cli(["web", "--listen", String(port)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`rackcell: port ${port} on 127.0.0.1 is in use (another \`rackcell web\`?): stop that program or choose another port with --listen <port>\n`);
    } finally {
      busy.close();
    }
  });
});

describe("emulate", () => {
  it("the board it starts is tared, so `live` in another terminal reads 0 on empty pins", async () => {
    const child = spawn(process.execPath, [...SOURCE_ENTRY, "emulate"], { cwd: dir, env: { ...process.env, RACKCELL_PORT: "" } });
    try {
      let err = "";
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      const t0 = Date.now();
      while (!/in another terminal: rackcell --port (\S+) live/.test(err) && Date.now() - t0 < 30000) await new Promise((r) => setTimeout(r, 100));
      expect(err).not.toMatch(/could not tare/);
      const port = /in another terminal: rackcell --port (\S+) live/.exec(err)![1];
      const r = await cli(["--port", port, "--units", "N", "live", "--seconds", "1"]);
      const last = r.stdout.trim().split("\n").filter((l) => l.startsWith("t=")).at(-1)!;
      expect(Math.abs(Number(/total=(-?[\d.]+) N/.exec(last)![1]))).toBeLessThan(1);
    } finally {
      child.kill("SIGINT");
      await new Promise((r) => child.once("exit", r));
    }
  });
});

describe("global options", () => {
  it("--baud other than the board's garbles the link as with a real board, and says wrong baud rate", async () => {
    const r = await cli(["--baud", "9600", "info"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no valid frames at 9600 baud: wrong baud rate\? \(\d+ bytes of garbage/);
    expect(r.stderr).not.toMatch(STACK);
  });

  it("--baud that is not a whole number is refused before any port is opened", async () => {
    const r = await cli(["--baud", "abc", "info"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('rackcell: --baud must be a whole number of bits per second, e.g. 115200 (got "abc")\n');
  });
});

describe("verify", () => {
  it("refuses a nonsense plan before starting a board", async () => {
    const r = await cli(["verify", "--e", "abc", "--loads", "100,-5"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("verify refused:\n  - the verification interval e must be a positive number of kg\n  - every load must be a positive number of kg\n");
  });
});

describe("--port", () => {
  it("a path that is not a serial port says so", async () => {
    const file = path.join(dir, "not-a-port.txt");
    fs.writeFileSync(file, "hello\n");
    const r = await cli(["--port", file, "info"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`rackcell: ${file}: not a serial port (a file or another device). Run \`rackcell ports\` to see the ports found, or leave --port out to use the emulated board.\n`);
  });
});

describe("lifter and history", () => {
  it("nonsense is one line, and nothing is written or printed before it is refused", async () => {
    for (const [args, msg] of [
      [["lifter", "weigh", "Mira", "-5"], /<kg> must be a positive number \(got "-5"\)/],
      [["lifter", "weigh", "Mira", "750"], /body weight 750 kg is not plausible/],
      [["lifter", "weigh", "Mira", "70", "--date", "2024-02-30"], /no such day: "2024-02-30"/],
      [["lifter", "show", "Nobody"], /no athlete "Nobody"|no database/],
      [["history", "--today", "2024-13-45"], /no such day: "2024-13-45"/],
      [["history", "--deadlift", "abc"], /--deadlift wants <kg>@<YYYY-MM-DD>/],
    ] as [string[], RegExp][]) {
      const r = await cli(args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr, args.join(" ")).toMatch(msg);
      expect(r.stderr, args.join(" ")).not.toMatch(STACK);
      expect(r.stdout, args.join(" ")).toBe("");
    }
    // the refused weigh-ins created no athlete
    const r = await cli(["lifter", "weigh", "Ana", "70"]);
    expect(r.code).toBe(0);
    const show = await cli(["lifter", "show", "Mira"]);
    expect(show.stderr).toMatch(/no athlete "Mira" \(known: Ana;/);
  });

  it("--version prints the package's version", async () => {
    const r = await cli(["--version"]);
    expect(r.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version);
  });
});

describe("a file argument that is missing or cannot be read (bundled CLI)", () => {
  const bundled = (args: string[]) => runCli(args, { bundle: true, cwd: dir });
  const RAW_ERRNO = /ENOENT|EISDIR|EACCES|no such file or directory, open/;
  const KEY_HEX = "ab".repeat(32);

  it.each([
    [["check", "nope.json"], /^rackcell: cannot read the certificate nope\.json: no such file\n$/],
    [["check", "."], /^rackcell: cannot read the certificate \.: it is a folder, not a file\n$/],
    [["report", "--csv", "nope.csv"], /^rackcell: cannot read the CSV nope\.csv: no such file\n$/],
    [["certificate", "1", "--key", "nope.key.json"], /^rackcell: cannot read the key file nope\.key\.json: no such file\n$/],
  ])("rackcell %j says which file and why, in one line", async (args, message) => {
    const r = await bundled(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(RAW_ERRNO);
  });

  it("check --trust with a missing key file names it", async () => {
    fs.writeFileSync(path.join(dir, "cert.json"), "{}");
    const r = await bundled(["check", "cert.json", "--trust", "nope.key.json"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("rackcell: cannot read the key file nope.key.json: no such file\n");
  });

  it.each([
    [["report", "--lift", "1"]],
    [["export"]],
    [["audit"]],
    [["lifter", "show", "Mira"]],
    [["certificate", "1", "--key", KEY_HEX]],
  ])("--db that does not exist: %j refuses with one sentence and creates no database", async (args) => {
    const r = await bundled(["--db", "missing.db", ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("rackcell: no database at missing.db yet: record a session first (rackcell record), or give --db FILE\n");
    expect(fs.existsSync(path.join(dir, "missing.db"))).toBe(false);
  });

  it("--db that is a folder is refused as one, and history without a database answers (exit 0)", async () => {
    const folder = await bundled(["--db", ".", "export"]);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toBe("rackcell: cannot read the database .: it is a folder, not a file\n");
    const history = await bundled(["--db", "missing.db", "history"]);
    expect(history.code).toBe(0);
    expect(history.stdout).toBe("no database at missing.db yet: record a session first (rackcell record), or give --db FILE\n");
  });
});

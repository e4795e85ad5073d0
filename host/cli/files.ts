import * as fs from "node:fs";

/**
 * Files named on the command line (a certificate, a key, a CSV, a plan, the --db database): the
 * one place that turns a file that is missing or cannot be read into a sentence naming the file
 * and why, instead of Node's "ENOENT: no such file or directory, open …".
 */

/** Why a file could not be read, in words, from its errno code (or the error's own message). */
function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "it is a folder, not a file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ENOTDIR") return "a part of its path is a file, not a folder";
  if (code === "ELOOP") return "a symbolic link that loops";
  return (err as Error).message;
}

/** `cannot read the certificate nope.json: no such file` (`what`: what the file should hold). */
export function cannotRead(what: string, file: string, err: unknown): Error {
  return new Error(`cannot read ${what} ${file}: ${reason(err)}`);
}

/** The text of `file`, or an error saying which file and why it cannot be read. */
export function readInputFile(what: string, file: string, encoding: BufferEncoding = "utf8"): string {
  try {
    return fs.readFileSync(file, encoding);
  } catch (err) {
    throw cannotRead(what, file, err);
  }
}

/** `file` parsed as JSON, or an error naming it: cannot be read, or not JSON. */
export function readJsonInput(what: string, file: string): unknown {
  const text = readInputFile(what, file);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new Error(`${what} ${file} is not JSON: ${(e as Error).message}`);
  }
}

/** The sentence for a --db that does not exist yet (history prints it; the others refuse with it). */
export function noDatabase(db: string): string {
  return `no database at ${db} yet: record a session first (rackcell record), or give --db FILE`;
}

/**
 * For commands that only read the database: refuses a --db that is missing (opening it would
 * create an empty one and answer "no lift 1" as if it had been searched) or that is not a file.
 */
export function existingDatabase(db: string): string {
  let st: fs.Stats;
  try {
    st = fs.statSync(db);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new Error(noDatabase(db));
    throw cannotRead("the database", db, err);
  }
  if (st.isDirectory()) throw cannotRead("the database", db, Object.assign(new Error("EISDIR"), { code: "EISDIR" }));
  return db;
}

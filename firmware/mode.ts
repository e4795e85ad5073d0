/**
 * Which wire protocol the board speaks ("rackcell" | "chronojump"), kept on flash in `mode` so it
 * survives a restart. Transient: read at start and by `info`, written by the `mode` command.
 */
const enum F { MODE = "mode" }

/** The mode on flash; "rackcell" when none or not a known one. */
export function readMode(): string {
  const text = file.getcontents(F.MODE);
  return text === "chronojump" ? "chronojump" : "rackcell";
}

/** Keeps the mode on flash; false when the flash write failed. */
export function saveMode(mode: string): boolean {
  if (mode === "rackcell") {
    file.remove(F.MODE);
    return !file.exists(F.MODE);
  }
  return file.putcontents(F.MODE, mode) === true;
}

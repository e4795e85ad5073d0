// Replacing a file on flash so that a power cut at any step leaves the old file or the new one:
// 1 write the temp file, 2 close and read it back, 3 remove the old file, 4 rename temp → name.
// At boot the file's owner finishes or undoes an interrupted replace (calstore.recover, net-link's
// recover): a complete, valid temp file with no file (cut between 3 and 4) is renamed; any other
// temp file goes. Transient: loaded for a save and released with the module that saves.

// Replaces `name` with `text` through `tmp`; "" on success, otherwise what failed.
export function replaceFile(name: string, tmp: string, text: string): string {
  file.remove(tmp);
  const fd = file.open(tmp, "w");
  if (fd === undefined) return `cannot create ${tmp}`;
  const written = fd.write(text);
  fd.close();
  if (written === undefined) {
    file.remove(tmp);
    return "flash write failed";
  }
  if (file.getcontents(tmp) !== text) {
    file.remove(tmp);
    return "flash verify failed";
  }
  if (file.exists(name)) file.remove(name);
  if (!file.rename(tmp, name)) return "rename failed";
  return "";
}

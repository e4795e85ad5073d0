/** Splits a byte stream into lines; bytes are taken as latin1 so checksums see the bytes sent. */
export class LineSplitter {
  private rest = "";
  push(bytes: Uint8Array, out: (line: string) => void): void {
    let s = this.rest;
    for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    let start = 0;
    for (;;) {
      const nl = s.indexOf("\n", start);
      if (nl < 0) break;
      out(s.slice(start, nl));
      start = nl + 1;
    }
    this.rest = s.slice(start);
    // a "line" this long is noise (wrong baud): drop it rather than grow without end
    if (this.rest.length > 4096) this.rest = "";
  }
}

/** A line as bytes with its "\n" (latin1: one byte per char code, as the board reads them). */
export function lineBytes(line: string): Uint8Array {
  const bytes = new Uint8Array(line.length + 1);
  for (let i = 0; i < line.length; i++) bytes[i] = line.charCodeAt(i) & 255;
  bytes[line.length] = 10;
  return bytes;
}

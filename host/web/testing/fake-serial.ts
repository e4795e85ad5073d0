/**
 * A fake `navigator.serial` for the page's tests (headless Chromium has no Web Serial port to
 * choose): injected before the page loads and bridged to a board in Node through bindings. The
 * page cannot tell it from Chrome's: the same SerialPort surface (open, readable, writable, close,
 * getInfo), errors named as Chrome names them. unplug() errors the stream and takes the port off
 * the granted list, as a board pulled from its USB socket does; replug() brings it back;
 * busy(true) makes opening fail as when another program holds the port.
 */
import type { Page } from "playwright-core";

export interface SerialBoard {
  write(data: Buffer): void;
  onData(listener: (chunk: Buffer) => void): () => void;
}

export interface FakeSerial {
  /** lines the page wrote */
  written: string[];
  unplug(): void;
  replug(): void;
  busy(on: boolean): void;
  stop(): void;
}

export async function installFakeSerial(page: Page, board: SerialBoard): Promise<FakeSerial> {
  const toPage: (number[] | null)[] = [];
  let wake: (() => void) | null = null;
  let plugged = true;
  let busy = false;
  let pageOpen = false;
  const written: string[] = [];
  let partial = "";
  const push = (item: number[] | null) => {
    toPage.push(item);
    wake?.();
  };
  const off = board.onData((chunk) => {
    if (plugged && pageOpen) push([...chunk]);
  });
  await page.exposeBinding("__rcOpen", () => {
    pageOpen = plugged && !busy;
    if (pageOpen) toPage.length = 0; // a fresh open reads only what comes from now on
    return pageOpen;
  });
  await page.exposeBinding("__rcPlugged", () => plugged);
  await page.exposeBinding("__rcPull", async () => {
    while (toPage.length === 0) await new Promise<void>((r) => (wake = r));
    const next = toPage.shift()!;
    if (next === null) pageOpen = false;
    return next;
  });
  await page.exposeBinding("__rcWrite", (_src, bytes: number[]) => {
    if (!plugged) return false;
    const text = partial + Buffer.from(bytes).toString("latin1");
    const lines = text.split("\n");
    partial = lines.pop() ?? "";
    written.push(...lines);
    board.write(Buffer.from(bytes));
    return true;
  });
  await page.exposeBinding("__rcClose", () => {
    pageOpen = false;
    toPage.length = 0;
  });
  await page.addInitScript(() => {
    type Bridge = {
      __rcOpen(): Promise<boolean>; __rcPlugged(): Promise<boolean>; __rcPull(): Promise<number[] | null>; __rcWrite(b: number[]): Promise<boolean>; __rcClose(): Promise<void>;
    };
    const w = window as unknown as Bridge;
    const port = {
      readable: null as ReadableStream<Uint8Array> | null,
      writable: null as WritableStream<Uint8Array> | null,
      async open() {
        if (port.readable) throw new DOMException("The port is already open.", "InvalidStateError");
        if (!(await w.__rcOpen())) throw new DOMException("Failed to open serial port.", "NetworkError");
        port.readable = new ReadableStream<Uint8Array>({
          async pull(c) {
            const chunk = await w.__rcPull();
            if (chunk === null) c.error(new DOMException("The device has been lost.", "NetworkError"));
            else c.enqueue(new Uint8Array(chunk));
          },
        });
        port.writable = new WritableStream<Uint8Array>({
          async write(chunk) {
            if (!(await w.__rcWrite(Array.from(chunk)))) throw new DOMException("The device has been lost.", "NetworkError");
          },
        });
      },
      async close() {
        port.readable = null;
        port.writable = null;
        await w.__rcClose();
      },
      getInfo: () => ({ usbVendorId: 0x1a86, usbProductId: 0x7523 }),
      addEventListener() {},
      removeEventListener() {},
    };
    Object.defineProperty(navigator, "serial", {
      configurable: true,
      value: { requestPort: async () => port, getPorts: async () => ((await w.__rcPlugged()) ? [port] : []), addEventListener() {}, removeEventListener() {} },
    });
  });
  return {
    written,
    unplug() {
      plugged = false;
      if (pageOpen) push(null);
    },
    replug() {
      plugged = true;
    },
    busy(on) {
      busy = on;
    },
    stop() {
      off();
      push(null);
    },
  };
}

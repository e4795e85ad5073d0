// The output seam: every line the board sends leaves through `writeLine` (the UART today). A second
// transport (MQTT) is one more call in `writeLine`; protocols do not change. The line end is the
// protocol's ("\n", Chronojump "\r\n"): a byte stream writes it, a message transport drops it.
// Resident, never released: the paced queue is shared state.
//
// The network transport (firmware/net-link.ts, loaded only when net.cfg is on flash) registers
// itself with setNetSink; without it the extra cost per line is one nil test.
type NetSink = (this: void, body: string, tail: string, eol: string) => void;
let netSink: NetSink | undefined;

export function writeLine(body: string, tail: string, eol: string): void {
  uart.write(0, body, tail, eol);
  if (netSink !== undefined) netSink(body, tail, eol);
}

// The network transport takes every line from now on (undefined: USB only).
export function setNetSink(sink: NetSink | undefined): void {
  netSink = sink;
}

// A queued line, or a line source (the lifts replay) called once per tick until it gives undefined.
export type PacedItem = string | ((this: void) => string | undefined);

const outbox: PacedItem[] = [];
let outTimer: NodeMcuTimer | undefined;

// Queues a rackcell line or source: written one per 20 ms tick so a long reply never blocks the sampler.
export function paced(item: PacedItem): void {
  outbox[outbox.length] = item;
  if (outTimer !== undefined) return;
  const t = tmr.create();
  outTimer = t;
  t.alarm(20, tmr.ALARM_AUTO, () => {
    let next: string | undefined = undefined;
    while (next === undefined && outbox.length > 0) {
      const head = outbox[0];
      if (type(head) === "string") next = table.remove(outbox, 1) as string;
      else {
        next = (head as (this: void) => string | undefined)();
        if (next === undefined) table.remove(outbox, 1);
      }
    }
    if (next === undefined) {
      t.unregister();
      outTimer = undefined;
      return;
    }
    writeLine(next, "", "\n");
  });
}

// A line source (a replay) is still queued.
export function pacedSourceBusy(): boolean {
  for (let i = 0; i < outbox.length; i++) if (type(outbox[i]) === "function") return true;
  return false;
}

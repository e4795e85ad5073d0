/**
 * The lifter's page keeping up with the board (host/web): an emulated board streaming both pins
 * at 80 SPS, `rackcell web`'s relay and server in this process, the built page (dist/web) in
 * headless Chromium, connected through the host's WebSocket, for RUN_S seconds.
 *
 *   web.update_ms_p95      time per chart update (uPlot setData to drawn), 95th percentile over
 *                          the run, as the page measures it (goal ≤ 4 ms)
 *   web.frames_behind_max  sampled every 250 ms in the second half of the run: frames the host
 *                          read more than GRACE_MS earlier that the page has not drawn yet
 *                          (the page's figures refresh every 100 ms, a draw waits for the next
 *                          animation frame); goal 0. The run is RUN_S = 30 s, not 60 s, to keep
 *                          the bench short: the backlog is flat or growing, so a page that is
 *                          behind at 30 s is behind at 60 s
 *   web.ws_latency_ms_p95  from the host reading a frame's line from the board's serial device to
 *                          the page having drawn it, 95th percentile (goal ≤ 100 ms). The line's
 *                          own time on the wire (≈ 5 ms at 115200 baud) comes before and is not in it
 */
import { loadBoard, listBoards } from "../../host/build/boards.ts";
import { connectBoard } from "../../host/cli/board.ts";
import { createRelay } from "../../host/web/relay.ts";
import { serveWeb } from "../../host/web/server.ts";
import { chromiumMissing, launchBrowser } from "../../host/web/testing/chromium.ts";
import { decodeSample, openLine, seqDistance } from "../../shared/protocol/frame.ts";

const RUN_S = 30;
const GRACE_MS = 250;

export async function figures(): Promise<Record<string, number>> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  const g = { units: "kg" as const, db: ":memory:", baud: 115200 };
  const bc = await connectBoard(g, { scenario: "rackpull:kg=200", log: () => undefined });
  // the host's read time of every sample frame, by sequence number
  const readAt: { seq: number; atMs: number }[] = [];
  bc.connection.onLine((l) => {
    const o = openLine(l);
    if (o.error === "" && o.body.charCodeAt(0) === 83 /* S */) readAt.push({ seq: decodeSample(o.body).seq, atMs: Date.now() });
  });
  const server = await serveWeb({ relay: createRelay({ connection: bc.connection, board: loadBoard(bc.session.info.board) }, listBoards().map((b) => loadBoard(b))) });
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => document.getElementById("status")?.textContent?.startsWith("Connected through the host"), null, { timeout: 20_000 });
    const t0 = Date.now();
    let behindMax = 0;
    let samples = 0;
    while (Date.now() - t0 < RUN_S * 1000) {
      await page.waitForTimeout(250);
      if (Date.now() - t0 < (RUN_S * 1000) / 2) continue;
      const drawnSeq = Number(await page.getAttribute("#perf", "data-drawn-seq"));
      if (!(drawnSeq >= 0)) throw new Error(`the page shows no drawn frame (data-drawn-seq = ${drawnSeq})`);
      const cutoff = Date.now() - GRACE_MS;
      // frames read before the cutoff and after the newest drawn one (sequence numbers wrap)
      let behind = 0;
      for (let i = readAt.length - 1; i >= 0 && readAt[i].atMs >= cutoff - 5000; i--) {
        const r = readAt[i];
        if (r.atMs < cutoff && seqDistance(drawnSeq, r.seq) > 0 && seqDistance(drawnSeq, r.seq) < 1000) behind++;
      }
      behindMax = Math.max(behindMax, behind);
      samples++;
    }
    const perf = await page.evaluate(() => ({ ...document.getElementById("perf")!.dataset }));
    const frames = Number(await page.getAttribute("#integrity", "data-good"));
    console.log(`  (web: ${frames} frames through the host in ${RUN_S} s, ${samples} backlog samples; page says: ${await page.textContent("#perf")})`);
    if (frames < RUN_S * 80 * 0.9) throw new Error(`the page received only ${frames} frames in ${RUN_S} s (expected ≈ ${RUN_S * 80})`);
    return {
      "web.update_ms_p95": Number(perf.updateP95Ms),
      "web.frames_behind_max": behindMax,
      "web.ws_latency_ms_p95": Number(perf.latencyP95Ms),
    };
  } finally {
    await browser.close();
    await server.close();
    await bc.close();
  }
}

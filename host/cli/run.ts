/** Helpers shared by the command modules: error reporting and waiting for the end of a run. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      process.stderr.write(`rackcell: ${(err as Error).message}\n`);
      if (process.env.RACKCELL_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
      process.exitCode = 1;
    }
  };
}

/**
 * Resolves when the user presses Ctrl-C (SIGINT/SIGTERM), after `seconds`, or when `done()`
 * says so (checked every 50 ms). Returns why it stopped.
 */
export function untilStopped(o: { seconds?: number; done?: () => boolean }): Promise<"signal" | "time" | "done"> {
  return new Promise((resolve) => {
    const finish = (why: "signal" | "time" | "done") => {
      clearTimeout(timer);
      clearInterval(poll);
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve(why);
    };
    const onSignal = () => finish("signal");
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    const timer = o.seconds !== undefined ? setTimeout(() => finish("time"), o.seconds * 1000) : undefined;
    const poll = setInterval(() => o.done?.() && finish("done"), 50);
  });
}

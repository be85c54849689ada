/**
 * Runs work under a deadline: past `ms`, the signal given to the work aborts and
 * the returned promise rejects with `onTimeout()`, whether or not the work
 * notices the signal.
 */
export async function withTimeout<T>(
  ms: number,
  work: (signal: AbortSignal) => Promise<T>,
  onTimeout: () => Error,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = onTimeout();
      controller.abort(error);
      reject(error);
    }, ms);
  });
  const working = work(controller.signal);
  // Past the deadline nobody awaits the work any more; its late failure must not
  // become an unhandled rejection (which would end the process).
  working.catch(() => undefined);
  try {
    return await Promise.race([working, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

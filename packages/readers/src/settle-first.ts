/**
 * Promise races the readers need: a read must end promptly when its signal aborts or
 * when the bytes it feeds a parser fail, even if that parser is left waiting for input
 * that will never come (the losing promise is left to be garbage-collected, and its
 * late rejection, if any, is swallowed rather than reported as unhandled).
 */

/** Settles like `work`, unless `signal` aborts first: then rejects with the signal's reason. */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  work.catch(() => {});
  if (signal.aborted) return Promise.reject(signal.reason);
  let onAbort: () => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  return Promise.race([work, aborted]).finally(() => signal.removeEventListener("abort", onAbort));
}

/** Settles like `work`, unless `failed` resolves first: then rejects with what it resolved to. */
export function raceFailure<T>(work: Promise<T>, failed: Promise<unknown>): Promise<T> {
  work.catch(() => {});
  const failure = failed.then((error): never => {
    throw error;
  });
  return Promise.race([work, failure]);
}

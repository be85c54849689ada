/**
 * Readiness: whether each dependency (Postgres, Redis, S3) answers right now,
 * each checked on its own with a short deadline, so one hung dependency shows
 * as "timed out" instead of hanging the probe, and every outage is named.
 */

/** A dependency check: resolves when the dependency answers; `signal` aborts a late one. */
export type ReadinessCheck = (signal: AbortSignal) => Promise<unknown>;

/** The outcome of every check: "ok" or why not, and whether all are ok. */
export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, string>;
}

async function probe(check: ReadinessCheck, timeoutMs: number): Promise<string> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error("timed out"));
    }, timeoutMs);
  });
  const running = check(controller.signal);
  running.catch(() => undefined);
  try {
    await Promise.race([running, timeout]);
    return "ok";
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check at once, each bounded by `timeoutMs`. */
export async function checkReadiness(
  checks: Record<string, ReadinessCheck>,
  timeoutMs = 2_000,
): Promise<ReadinessReport> {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => [name, await probe(check, timeoutMs)]),
  );
  return {
    ready: results.every(([, result]) => result === "ok"),
    checks: Object.fromEntries(results),
  };
}

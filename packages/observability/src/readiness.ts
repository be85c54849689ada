/**
 * Readiness: whether every dependency a process needs answers, each checked with
 * its own deadline so one hung dependency cannot hang the probe. The API's
 * `/readyz` and each worker's `/readyz` report the same shape.
 */

/** How long one dependency may take to answer a probe. */
export const PROBE_TIMEOUT_MS = 2_000;

/** A dependency check: resolves when the dependency answers. */
export type ReadinessCheck = () => Promise<unknown>;

/** `/readyz`'s body: `ok`, or each failing check's error message. */
export interface ReadinessReport {
  status: "ok" | "unavailable";
  checks: Record<string, "ok" | string>;
}

async function probe(check: ReadinessCheck): Promise<"ok" | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timed out")), PROBE_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return "ok";
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check at once; ready when all answered. */
export async function checkReadiness(
  checks: Record<string, ReadinessCheck>,
): Promise<ReadinessReport> {
  const names = Object.keys(checks);
  const results = await Promise.all(names.map((name) => probe(checks[name] as ReadinessCheck)));
  const report = Object.fromEntries(names.map((name, index) => [name, results[index] ?? "?"]));
  const ready = results.every((result) => result === "ok");
  return { status: ready ? "ok" : "unavailable", checks: report };
}

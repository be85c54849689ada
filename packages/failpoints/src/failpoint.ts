/**
 * Failpoints: named places in a job's handling where a worker process can be made
 * to stop, so that a test can SIGKILL it exactly there (the technique of
 * FoundationDB's simulation, TiKV's fail-rs and etcd's gofail). TEST ONLY: armed by
 * the worker's CATALOG_FAILPOINTS, read once at start. Unarmed (always, in
 * production) `failpoint()` is one comparison and returns at once.
 *
 * An armed point stops a job's work only on that work's first delivery: it logs
 * `failpoint reached` (the point, the job, the queue) and never returns. The rest
 * of the process keeps going (the BullMQ lock renewal, the job's heartbeat, a
 * transaction left open), so nothing but the kill frees the work, and the kill
 * lands exactly where the log says. A redelivery (after a stall or a failed
 * attempt) runs through, so the worker that recovers the work is never stopped
 * by the same point, whatever points it has armed. Outside a job's queue work
 * (the reaper completing post-commit work) no point stops.
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** Every failpoint and where it is: in the order a job passes them. */
export const FAILPOINTS = {
  "validate.started": "validate: the job is validating, its input not read yet",
  "validate.downloading": "validate: the input's S3 GET has answered, its body not read yet",
  "validate.rows-read": "validate: every row read from the input file, nothing normalized yet",
  "validate.planned":
    "validate: the plan made and the snapshot written to a temporary file, nothing stored yet",
  "validate.record.job-locked":
    "validate, recording transaction: the job's validation lock and row lock held, nothing stored",
  "validate.record.snapshot-stored":
    "validate, recording transaction: the snapshot is in S3, its hash not recorded",
  "validate.record.marked":
    "validate, recording transaction: the job marked validated, before COMMIT",
  "validate.recorded":
    "validate: the job validated (report pending) and committed, its report work not enqueued, its queue work not completed",
  "report.data-sheet-written":
    "report work, its transaction (the job's report lock) open: Summary, Issues and Data written, the workbook not finished",
  "report.stored":
    "report work, its transaction open: the report in S3 and the Media row written, not yet recorded ready (before COMMIT)",
  "report.recorded":
    "report work: the report recorded ready and committed, its queue work not completed",
  "commit.claimed": "commit: the job claimed (running), the snapshot not read",
  "commit.snapshot-read": "commit: the snapshot read and checked, no transaction open",
  "commit.tx.open":
    "commit transaction: the commit lock held, application_name set, nothing locked or written",
  "commit.tx.catalog-written":
    "commit transaction: candidates, products and new variants written with their change log, variant updates not yet",
  "commit.tx.change-logged":
    "commit transaction: every catalog row and its change log written, the job still running",
  "commit.tx.finished": "commit transaction: the job's final status written, before COMMIT",
  "post-commit.started": "after COMMIT: the job committed, db_verify not run",
  "post-commit.verified": "after COMMIT: db_verify computed, not recorded",
  "post-commit.recorded":
    "after COMMIT: db_verify recorded, the report work not enqueued, queue work not completed",
  "revert.tx.open": "revert transaction: the commit lock and the job's row held, nothing written",
  "revert.tx.catalog-restored":
    "revert transaction: the catalog restored, the job not yet reverted (before COMMIT)",
  "revert.committed": "revert: the transaction committed, its queue work not completed",
} as const;

/** A failpoint's name. */
export type FailpointName = keyof typeof FAILPOINTS;

/** Every failpoint's name (for an env schema's enum). */
export const FAILPOINT_NAMES = Object.keys(FAILPOINTS) as [FailpointName, ...FailpointName[]];

/** Where a reached failpoint is reported (the worker's logger). */
export interface FailpointLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

/** The queue work a failpoint is reached in. */
export interface FailpointWork {
  jobId: string;
  /** The queue kind (validate, commit, revert). */
  queue: string;
  /** False for a redelivery (a stalled or failed attempt before): points never stop it. */
  firstDelivery: boolean;
}

let armed: ReadonlySet<FailpointName> | undefined;
let logger: FailpointLogger | undefined;
const currentWork = new AsyncLocalStorage<FailpointWork>();

/**
 * Arms `names` in this process (test only), reporting to `log`; an empty list
 * disarms every point. Called once, at start.
 */
export function armFailpoints(names: readonly FailpointName[], log: FailpointLogger): void {
  armed = names.length > 0 ? new Set(names) : undefined;
  logger = log;
}

/** Runs `run` as `work`, so failpoints reached inside it know whose work it is. */
export function withFailpointWork<T>(work: FailpointWork, run: () => Promise<T>): Promise<T> {
  return armed ? currentWork.run(work, run) : run();
}

/**
 * A failpoint: `await failpoint("commit.tx.finished")`. Returns undefined unless
 * the point is armed and reached on the first delivery of a job's work; then logs
 * `failpoint reached` and returns a promise that never settles.
 */
export function failpoint(name: FailpointName): Promise<never> | undefined {
  if (armed === undefined || !armed.has(name)) return undefined;
  const work = currentWork.getStore();
  if (!work?.firstDelivery) return undefined;
  logger?.warn(
    { failpoint: name, job_id: work.jobId, queue: work.queue, pid: process.pid },
    "failpoint reached",
  );
  return new Promise<never>(() => {});
}

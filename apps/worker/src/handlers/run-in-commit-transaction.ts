/**
 * The transaction every commit and revert runs in. It first takes the catalog
 * write lock, a transaction-scoped advisory lock: commits take it SHARED (they
 * run together), a revert EXCLUSIVE (it waits for the commits in flight and
 * runs alone; what it checks, such as "no other row uses what the job created",
 * then holds until it commits). An operator (or a test) holding the lock
 * exclusively on a session of its own stops every commit at its start.
 *
 * Commits exclude each other by row locks instead, taken in the caller's `lock`
 * step in one global order (entity, then id: see `lockPlanRows`), so that two
 * commits whose rows overlap run one after the other and cannot deadlock, and
 * two whose rows do not run at the same time.
 *
 * The timeout is the commit's own budget: it starts once the locks are taken
 * (the catalog lock and whatever the `lock` step takes), so a commit queued
 * behind a long one is not failed for waiting. Past it the
 * statement in flight is cancelled, so Postgres rolls back at once rather than
 * after the work would have finished, and only ever that statement:
 * - `statement_timeout` is set for the transaction alone (SET LOCAL), so
 *   Postgres itself stops any one statement past the budget;
 * - the exact deadline cancels from another connection with a
 *   `pg_cancel_backend` that names the backend by pid, start time AND the
 *   transaction's start, checked in the same statement: once this transaction
 *   is over (and the pooled connection serves other work), it matches nothing.
 *
 * While the transaction runs, its connection's `application_name` is
 * `catalog-import-commit:<job id>` (SET LOCAL: it reverts at COMMIT or
 * ROLLBACK), so pg_stat_activity shows which job's transaction is open, and
 * the "Commit transaction open" log line gives its backend pid.
 */
import type { Database } from "@catalog/db";
import { JobFailure } from "@catalog/jobs";
import type { Logger } from "@catalog/observability";
import { type Kysely, sql, type Transaction } from "kysely";

/** Key of the catalog write lock (advisory): shared by commits, exclusive for a revert. */
export const CATALOG_WRITE_LOCK = 0x6361_7461; // "cata"

/** The `application_name` of the connection while job `jobId`'s transaction is open. */
export const commitApplicationName = (jobId: string) => `catalog-import-commit:${jobId}`;

/** Which transaction of which backend: enough to never cancel another's statement. */
export interface TransactionIdentity {
  pid: number;
  /** pg_stat_activity.backend_start, as Postgres prints it. */
  backendStart: string;
  /** The transaction's start (now() inside it; pg_stat_activity.xact_start), as Postgres prints it. */
  xactStart: string;
}

/**
 * Cancels the statement that transaction `identity` is running, if that very
 * transaction is still open and running one; returns whether a cancel was sent.
 * A pid alone could name a connection the pool has since given to other work.
 */
export async function cancelOwnStatement(
  db: Kysely<Database>,
  identity: TransactionIdentity,
): Promise<boolean> {
  const { rows } = await sql<{ cancelled: boolean }>`
    SELECT pg_cancel_backend(pid) AS cancelled FROM pg_stat_activity
    WHERE pid = ${identity.pid}
      AND backend_start = ${identity.backendStart}::timestamptz
      AND xact_start = ${identity.xactStart}::timestamptz
      AND state = 'active'`.execute(db);
  return rows[0]?.cancelled === true;
}

export interface CommitTransactionOptions {
  /** The job, for the connection's application_name and the log. */
  jobId: string;
  /** The budget of the work once the lock is taken. */
  timeoutMs: number;
  logger?: Logger;
  /** Told how long the locks took to get, once they are held. */
  onLockTaken?: (waitedMs: number) => void;
  /** shared: commits (they exclude each other by row locks); exclusive: revert. */
  catalogLock: "shared" | "exclusive";
}

/**
 * Runs `lock`, then `work` with what `lock` returned, in one transaction holding
 * the catalog write lock. Past `timeoutMs` of its own (the catalog lock and the
 * `lock` step not counted: they wait for other transactions) the transaction is
 * rolled back and a retryable COMMIT_TIMEOUT JobFailure is thrown.
 */
export async function runInCommitTransaction<T, L = never>(
  db: Kysely<Database>,
  options: CommitTransactionOptions,
  work: (trx: Transaction<Database>, checkDeadline: () => void, locked: L) => Promise<T>,
  lock?: (trx: Transaction<Database>) => Promise<L>,
): Promise<T> {
  const { timeoutMs } = options;
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const checkDeadline = () => {
    if (timedOut) throw timeoutFailure(timeoutMs);
  };
  try {
    return await db.transaction().execute(async (trx) => {
      const requested = performance.now();
      if (options.catalogLock === "shared")
        await sql`SELECT pg_advisory_xact_lock_shared(${CATALOG_WRITE_LOCK})`.execute(trx);
      else await sql`SELECT pg_advisory_xact_lock(${CATALOG_WRITE_LOCK})`.execute(trx);
      const identity = await openTransaction(trx, options);
      const locked = (lock ? await lock(trx) : undefined) as L;
      options.onLockTaken?.(performance.now() - requested);
      // From here on the budget runs: Postgres stops any one statement past it, the
      // timer cancels the statement in flight at the exact deadline.
      await sql`SELECT set_config('statement_timeout', ${String(timeoutMs)}, true)`.execute(trx);
      timer = setTimeout(() => {
        timedOut = true;
        void cancelOwnStatement(db, identity).catch(() => undefined);
      }, timeoutMs);
      const result = await work(trx, checkDeadline, locked);
      checkDeadline();
      // From here on only COMMIT runs: never cancel it.
      clearTimeout(timer);
      return result;
    });
  } catch (error) {
    // Only a transaction that did not commit can have timed out.
    if (timedOut || isStatementTimeout(error)) throw timeoutFailure(timeoutMs);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sets the transaction's own application_name and returns its identity, in one
 * round trip (its statement_timeout is set once the locks are held).
 */
async function openTransaction(
  trx: Transaction<Database>,
  options: CommitTransactionOptions,
): Promise<TransactionIdentity> {
  const { rows } = await sql<TransactionIdentity>`
    SELECT set_config('application_name', ${commitApplicationName(options.jobId)}, true) AS name,
      pg_backend_pid() AS "pid",
      (SELECT backend_start::text FROM pg_stat_activity WHERE pid = pg_backend_pid()) AS "backendStart",
      now()::text AS "xactStart"`.execute(trx);
  const identity = rows[0];
  if (!identity) throw new Error("Could not read the commit transaction's identity");
  options.logger?.info(
    { job_id: options.jobId, backend_pid: identity.pid, timeout_ms: options.timeoutMs },
    "Commit transaction open",
  );
  return identity;
}

/** Postgres's statement_timeout (57014 with its own message; a cancel request says "user request"). */
function isStatementTimeout(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return code === "57014" && /statement timeout/.test(message ?? "");
}

function timeoutFailure(timeoutMs: number): JobFailure {
  return new JobFailure(
    "COMMIT_TIMEOUT",
    `Commit took longer than ${timeoutMs / 1000} s and was rolled back; nothing was written`,
    null,
    true,
  );
}

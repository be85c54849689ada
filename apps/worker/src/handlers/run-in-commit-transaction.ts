/**
 * The transaction every commit and revert runs in. Commits are serialized with
 * one transaction-scoped advisory lock: they are rare and short, and one at a
 * time makes them deadlock-free by construction (row locks are still taken, in
 * id order, against concurrent writers such as an operator's SQL). The deadline
 * cancels the statement in flight (`pg_cancel_backend`) so Postgres rolls back
 * at once rather than after the work would have finished.
 */
import type { Database } from "@catalog/db";
import { JobFailure } from "@catalog/jobs";
import { type Kysely, sql, type Transaction } from "kysely";

/** Key of the advisory lock that serializes catalog writes by imports. */
export const CATALOG_WRITE_LOCK = 0x6361_7461; // "cata"

/**
 * Runs `work` in one transaction holding the catalog write lock. Past
 * `timeoutMs` the transaction is rolled back and a retryable COMMIT_TIMEOUT
 * JobFailure is thrown.
 */
export async function runInCommitTransaction<T>(
  db: Kysely<Database>,
  timeoutMs: number,
  work: (trx: Transaction<Database>, checkDeadline: () => void) => Promise<T>,
): Promise<T> {
  let timedOut = false;
  let backendPid: number | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    if (backendPid !== undefined) {
      void sql`SELECT pg_cancel_backend(${backendPid})`.execute(db).catch(() => undefined);
    }
  }, timeoutMs);
  const checkDeadline = () => {
    if (timedOut) throw timeoutFailure(timeoutMs);
  };
  try {
    return await db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
      backendPid = rows[0]?.pid;
      await sql`SELECT pg_advisory_xact_lock(${CATALOG_WRITE_LOCK})`.execute(trx);
      checkDeadline();
      const result = await work(trx, checkDeadline);
      checkDeadline();
      // From here on only COMMIT runs: never cancel it (nor, once it is done, whatever
      // else the pooled connection does next).
      backendPid = undefined;
      return result;
    });
  } catch (error) {
    // Only a transaction that did not commit can have timed out.
    if (timedOut) throw timeoutFailure(timeoutMs);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function timeoutFailure(timeoutMs: number): JobFailure {
  return new JobFailure(
    "COMMIT_TIMEOUT",
    `Commit took longer than ${timeoutMs / 1000} s and was rolled back; nothing was written`,
    null,
    true,
  );
}

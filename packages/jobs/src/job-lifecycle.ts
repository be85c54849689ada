/**
 * The import job's state machine (SPEC §7). Every write to ops_importjob in the
 * codebase is one of the named transitions below: TRANSITIONS says, for each,
 * the statuses it may start from, the status it leads to, who triggers it (the
 * API on a client's request, a worker, the reaper, an operator with importctl)
 * and the only columns it may set. ARCHITECTURE.md draws the same table.
 *
 * Each transition is ONE conditional UPDATE on the expected current status (plus
 * the transition's own guard), so two workers, a duplicate queue delivery, the
 * reaper and an operator can never both move the same job: the loser gets
 * `undefined` and reads the job again if it cares.
 *
 * Seam: every transition, whatever its caller, ends in {@link move}, and every
 * status change runs {@link onStatusChange} inside the same transaction as the
 * UPDATE (a transaction is opened when the caller is not already in one). That
 * is the one place for work that must commit or roll back with a status change,
 * such as a webhook outbox row on a phase's end ({@link PHASE_END_STATUSES}).
 * Writes that keep the status (progress, db_verify, a refused revert) do not
 * reach it.
 */
import type {
  Database,
  ImportJob,
  ImportJobTable,
  JobProgress,
  JobStatus,
  NewImportJob,
} from "@catalog/db";
import {
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type SqlBool,
  sql,
  type Transaction,
  type UpdateObject,
} from "kysely";
import type { FailureCode } from "./failure-codes";
import { JOB_COLUMNS } from "./import-job.repository";
import { recordWebhookEvents } from "./webhook-outbox";

type Db = Kysely<Database> | Transaction<Database>;
type JobColumn = keyof ImportJobTable;
type JobExpressions = ExpressionBuilder<Database, "ops_importjob">;

/** Who triggers a transition. */
export type Actor = "api" | "worker" | "reaper" | "importctl";

/** One named transition: where it may start, where it leads, who triggers it, what it writes. */
export interface TransitionRule {
  /** Statuses the job must be in (empty: the job is created). */
  from: readonly JobStatus[];
  /** The status it leads to ("same": a write that keeps the status). */
  to: readonly JobStatus[] | "same";
  by: readonly Actor[];
  /** The only columns it may set, besides `status` and `updated_at`. */
  columns: readonly JobColumn[];
  /** What it means, for the state diagram. */
  does: string;
}

const FAILURE_COLUMNS = [
  "failure_code",
  "failure_message",
  "failure_details",
  "retryable",
  "completed_at",
] as const satisfies readonly JobColumn[];

/** The columns a transition that asks for a new report (a new generation of it) sets. */
const REPORT_REQUEST_COLUMNS = [
  "report_status",
  "report_generation",
  "report_requested_at",
] as const satisfies readonly JobColumn[];

/** Statuses a job with a snapshot (so with a report owed or stored) can be in. */
const REPORTED_STATUSES = [
  "validated",
  "running",
  "success",
  "partial",
  "failed",
  "reverted",
  "cancelled",
] as const satisfies readonly JobStatus[];

/** What a transition asking for a new report writes: pending, the next generation. */
const reportRequest = () =>
  ({
    report_status: "pending",
    report_generation: (eb: JobExpressions) => eb("report_generation", "+", 1),
    report_requested_at: sql<Date>`now()`,
  }) as const;

/** Every transition of an import job. */
export const TRANSITIONS = {
  create: {
    from: [],
    to: ["pending"],
    by: ["api"],
    columns: [],
    does: "an upload or a revalidation makes a new job",
  },
  failUnqueued: {
    from: ["pending"],
    to: ["failed"],
    by: ["api"],
    columns: [...FAILURE_COLUMNS, "idempotency_key"],
    does: "the validation could not be enqueued (QUEUE_UNAVAILABLE)",
  },
  startValidation: {
    from: ["pending", "validating"],
    to: ["validating"],
    by: ["worker"],
    columns: ["started_at", "heartbeat_at"],
    does: "a worker takes the validation (again, after a worker died)",
  },
  markValidated: {
    from: ["validating"],
    to: ["validated"],
    by: ["worker"],
    columns: [
      "snapshot_key",
      "snapshot_hash",
      ...REPORT_REQUEST_COLUMNS,
      "summary",
      "report_json",
      "total_rows",
      "created_count",
      "updated_count",
      "unchanged_count",
      "error_count",
      "warning_count",
      "validated_at",
      "progress",
    ],
    does: "snapshot stored, hash recorded; its report asked for (pending)",
  },
  failValidation: {
    from: ["validating"],
    to: ["failed"],
    by: ["worker"],
    columns: FAILURE_COLUMNS,
    does: "the file cannot be imported (fatal code) or validation timed out",
  },
  requestCommit: {
    from: ["validated", "failed"],
    to: "same",
    by: ["api", "importctl"],
    columns: ["commit_requested_at", "allow_partial", "commit_attempts"],
    does: "a commit (or a retry of a retryable failed commit) is requested",
  },
  releaseCommitRequest: {
    from: ["validated", "failed"],
    to: "same",
    by: ["api", "importctl"],
    columns: ["commit_requested_at", "allow_partial", "commit_attempts"],
    does: "a request whose work could not be enqueued is given back",
  },
  renewCommitRequest: {
    from: ["validated"],
    to: "same",
    by: ["api", "importctl", "reaper"],
    columns: ["commit_requested_at", "commit_attempts"],
    does: "a requested commit whose queue work is gone gets a new attempt (a stranded commit)",
  },
  claimCommit: {
    from: ["validated", "failed", "running"],
    to: ["running"],
    by: ["worker"],
    columns: ["heartbeat_at", "failure_code", "failure_message", "failure_details"],
    does: "a worker takes a requested commit (again, after a worker died)",
  },
  finishCommit: {
    from: ["running"],
    to: ["success", "partial"],
    by: ["worker"],
    columns: ["result", "completed_at", "retryable", "progress", ...REPORT_REQUEST_COLUMNS],
    does: "the plan is applied, in the commit's own transaction; the report of the result asked for (pending)",
  },
  failCommit: {
    from: ["running"],
    to: ["failed"],
    by: ["worker"],
    columns: FAILURE_COLUMNS,
    does: "integrity, drift (SNAPSHOT_STALE) or COMMIT_TIMEOUT; nothing written",
  },
  completePostCommit: {
    from: ["success", "partial"],
    to: "same",
    by: ["worker", "reaper"],
    columns: ["db_verify"],
    does: "db_verify is recorded (owed until then); the report work of the result may then run",
  },
  recordReport: {
    from: REPORTED_STATUSES,
    to: "same",
    by: ["worker"],
    columns: ["report_key", "report_status", "report_ready_at"],
    does: "the report of the job's current generation is stored (ready), or can never be (failed)",
  },
  markReverted: {
    from: ["success", "partial"],
    to: ["reverted"],
    by: ["worker"],
    columns: ["revert_refusal"],
    does: "the commit is undone, in one transaction",
  },
  refuseRevert: {
    from: ["success", "partial"],
    to: "same",
    by: ["worker"],
    columns: ["revert_refusal"],
    does: "a revert is refused (REVERT_CONFLICT, with the keys); nothing changed",
  },
  awaitRetry: {
    from: ["validating", "running"],
    to: ["pending", "validated"],
    by: ["worker"],
    columns: ["progress", "heartbeat_at"],
    does: "an attempt failed and is retried later: the job waits for a worker again (its commit still requested)",
  },
  failAfterRetries: {
    from: ["validating", "running", "pending", "validated"],
    to: ["failed"],
    by: ["worker"],
    columns: FAILURE_COLUMNS,
    does: "the retries ran out (an outage's code, retryable; INTERNAL_ERROR) or the work can never succeed (its code, not retryable)",
  },
  reapStuck: {
    from: ["validating", "running"],
    to: ["failed"],
    by: ["reaper", "importctl"],
    columns: FAILURE_COLUMNS,
    does: "no sign of life for STUCK_AFTER_S (STUCK_JOB_REAPED; a commit stays retryable)",
  },
  failManually: {
    from: ["pending", "validating", "validated", "running"],
    to: ["failed"],
    by: ["importctl"],
    columns: FAILURE_COLUMNS,
    does: "an operator's emergency stop (MANUALLY_FAILED)",
  },
  cancel: {
    from: ["pending", "validating", "validated"],
    to: ["cancelled"],
    by: ["api"],
    columns: ["completed_at"],
    does: "the client cancels before any commit started",
  },
  recordProgress: {
    from: ["validating", "running"],
    to: "same",
    by: ["worker"],
    columns: ["progress", "heartbeat_at"],
    does: "progress and heartbeat while a worker holds the job",
  },
} as const satisfies Record<string, TransitionRule>;

/** The name of a transition. */
export type TransitionName = keyof typeof TRANSITIONS;

/** Statuses that end a phase (validate, commit, revert, cancel): what a client is told about. */
export const PHASE_END_STATUSES: readonly JobStatus[] = [
  "validated",
  "failed",
  "success",
  "partial",
  "reverted",
  "cancelled",
];

/** The columns transition `N` may set, with what may be written to them. */
type ChangesOf<N extends TransitionName> = Pick<
  UpdateObject<Database, "ops_importjob">,
  (typeof TRANSITIONS)[N]["columns"][number]
>;

/**
 * THE SEAM. Runs in the transaction of every transition that changed a job's
 * status, with the jobs as they are now: whatever must commit together with the
 * change goes here (e.g. one webhook outbox row per job whose new status is in
 * PHASE_END_STATUSES, so a client is told exactly once, even across crashes).
 */
async function onStatusChange(
  trx: Transaction<Database>,
  transition: TransitionName,
  jobs: readonly ImportJob[],
): Promise<void> {
  // A retry waiting in the queue ends no phase: a commit back to `validated` for
  // its next attempt is not the validation ending again.
  if (transition === "awaitRetry") return;
  // Webhooks: one outbox event per phase end of a job that asked for them.
  const ended = jobs.filter((job) => PHASE_END_STATUSES.includes(job.status));
  await recordWebhookEvents(trx, ended);
}

/** Runs `work` in the caller's transaction, or in a new one. */
function inTransaction<T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db as Transaction<Database>) : db.transaction().execute(work);
}

/**
 * The one UPDATE of ops_importjob: transition `name` on the jobs `which` selects
 * that are in one of its `from` statuses and pass `guard`, setting `changes`
 * (only the transition's columns), `status` (to `to`, which must be one of the
 * transition's) and `updated_at`. Returns the jobs it moved.
 */
async function move<N extends TransitionName>(
  db: Db,
  name: N,
  which: (eb: JobExpressions) => Expression<SqlBool>,
  changes: ChangesOf<N>,
  options: { to?: JobStatus; guard?: (eb: JobExpressions) => Expression<SqlBool> } = {},
): Promise<ImportJob[]> {
  const rule: TransitionRule = TRANSITIONS[name];
  const allowed = new Set<string>(rule.columns);
  const stray = Object.keys(changes).filter((column) => !allowed.has(column));
  if (stray.length > 0) throw new Error(`Transition ${name} may not write ${stray.join(", ")}`);
  const to = rule.to === "same" ? undefined : (options.to ?? rule.to[0]);
  if (to !== undefined && rule.to !== "same" && !rule.to.includes(to))
    throw new Error(`Transition ${name} does not lead to ${to}`);

  const update = (trx: Db) => {
    let query = trx
      .updateTable("ops_importjob")
      .set({ ...changes, ...(to ? { status: to } : {}), updated_at: sql`now()` })
      .where(which)
      .where("status", "in", rule.from);
    if (options.guard) query = query.where(options.guard);
    return query.returning(JOB_COLUMNS).execute();
  };
  if (to === undefined) return update(db);
  return inTransaction(db, async (trx) => {
    const moved = await update(trx);
    if (moved.length > 0) await onStatusChange(trx, name, moved);
    return moved;
  });
}

/** Runs transition `name` on job `id`; the job as it is now, or undefined when it was not moved. */
async function moveOne<N extends TransitionName>(
  db: Db,
  name: N,
  id: string,
  changes: ChangesOf<N>,
  options?: { to?: JobStatus; guard?: (eb: JobExpressions) => Expression<SqlBool> },
): Promise<ImportJob | undefined> {
  const [job] = await move(db, name, (eb) => eb("id", "=", id), changes, options);
  return job;
}

/** Why a job failed, as the failure columns record it. */
export interface Failure {
  code: FailureCode;
  message: string;
  details?: unknown;
  /** Whether a commit may be requested again for this job. */
  retryable?: boolean;
}

const failureColumns = (failure: Failure) => ({
  failure_code: failure.code,
  failure_message: failure.message,
  failure_details: JSON.stringify(failure.details ?? null),
  retryable: failure.retryable ?? false,
  completed_at: sql<Date>`now()`,
});

/** `create` (API): inserts a new job, status `pending`. */
export async function createImportJob(
  db: Db,
  job: Omit<NewImportJob, "status">,
): Promise<ImportJob> {
  return inTransaction(db, async (trx) => {
    const created = await trx
      .insertInto("ops_importjob")
      .values({ ...job, status: "pending" })
      .returning(JOB_COLUMNS)
      .executeTakeFirstOrThrow();
    await onStatusChange(trx, "create", [created]);
    return created;
  });
}

/**
 * `create` (API, revalidate, SPEC §6): a new pending job for the same stored
 * input as `source`: same bytes, name and mode, `revalidated_from` pointing
 * back. The input object is shared, not copied.
 */
export async function createRevalidationJob(
  db: Db,
  source: ImportJob,
  id: string,
  createdBy: string,
  requestId?: string,
): Promise<ImportJob> {
  return createImportJob(db, {
    id,
    mode: source.mode,
    file_name: source.file_name,
    file_size: source.file_size,
    file_hash: source.file_hash,
    input_key: source.input_key,
    revalidated_from: source.id,
    created_by: createdBy,
    request_id: requestId ?? null,
  });
}

/**
 * `failUnqueued` (API): a new job whose validation could not be enqueued is
 * failed and loses its Idempotency-Key (a 503 is no answer to replay: a retry
 * with the same key must make a new job).
 */
export function failUnqueued(db: Db, id: string, failure: Failure): Promise<ImportJob | undefined> {
  return moveOne(db, "failUnqueued", id, { ...failureColumns(failure), idempotency_key: null });
}

/** `startValidation` (worker): pending (or validating, on redelivery) → validating. */
export function startValidation(db: Db, id: string): Promise<ImportJob | undefined> {
  return moveOne(db, "startValidation", id, {
    started_at: sql<Date>`coalesce(started_at, now())`,
    heartbeat_at: sql<Date>`now()`,
  });
}

/** What validation records on the job (the report's request is added here). */
export type ValidatedFields = Omit<
  ChangesOf<"markValidated">,
  (typeof REPORT_REQUEST_COLUMNS)[number]
>;

/**
 * `markValidated` (worker): validating → validated, with the snapshot's hash and
 * the summary; its report is asked for (pending, a new generation): report work
 * stores it after, off the path to `validated`.
 */
export function markValidated(
  db: Db,
  id: string,
  fields: ValidatedFields,
): Promise<ImportJob | undefined> {
  return moveOne(db, "markValidated", id, { ...fields, ...reportRequest() });
}

/** `failValidation` (worker): validating → failed. */
export function failValidation(
  db: Db,
  id: string,
  failure: Failure,
): Promise<ImportJob | undefined> {
  return moveOne(db, "failValidation", id, failureColumns({ ...failure, retryable: false }));
}

/**
 * `requestCommit` (API): records a commit request in one conditional UPDATE, so
 * two requests can never both be accepted: allowed on a `validated` job with no
 * commit requested yet, or on a `failed` job whose commit failed for a retryable
 * reason, once per failure (the failure's transition set updated_at after the
 * request before it; this UPDATE sets both equal). Returns the job with
 * `commit_attempts` bumped (it names the queue job), or undefined.
 */
export function requestCommit(
  db: Db,
  id: string,
  allowPartial: boolean,
): Promise<ImportJob | undefined> {
  return moveOne(
    db,
    "requestCommit",
    id,
    {
      commit_requested_at: sql<Date>`now()`,
      allow_partial: allowPartial,
      commit_attempts: (eb) => eb("commit_attempts", "+", 1),
    },
    {
      guard: (eb) =>
        eb.or([
          eb.and([eb("status", "=", "validated"), eb("commit_requested_at", "is", null)]),
          eb.and([
            eb("status", "=", "failed"),
            eb("retryable", "=", true),
            // Validated once: a validation that failed retryable is revalidated, not committed.
            eb("snapshot_hash", "is not", null),
            eb.or([
              eb("commit_requested_at", "is", null),
              eb("commit_requested_at", "<", eb.ref("updated_at")),
            ]),
          ]),
        ]),
    },
  );
}

/**
 * `releaseCommitRequest` (API): gives a request back after its work could not be
 * enqueued, so the client's retry is accepted; only if nothing moved the job
 * since it was `taken`.
 */
export async function releaseCommitRequest(
  db: Db,
  before: ImportJob,
  taken: ImportJob,
): Promise<void> {
  await moveOne(
    db,
    "releaseCommitRequest",
    taken.id,
    {
      commit_requested_at: before.commit_requested_at,
      allow_partial: before.allow_partial,
      commit_attempts: before.commit_attempts,
    },
    {
      guard: (eb) =>
        eb.and([
          eb("status", "=", taken.status),
          eb("commit_attempts", "=", taken.commit_attempts),
        ]),
    },
  );
}

/**
 * `renewCommitRequest` (API, reaper): a `validated` job whose commit was
 * requested, but whose queue work no longer exists or ended without claiming it
 * (a stranded commit: Redis lost it, or it failed before it could take the job),
 * gets a new attempt number, so its work can be enqueued again under a new queue
 * job id. Only if nothing renewed or claimed it since `seenAttempts` was read,
 * and the request is older than `olderThanS` seconds: a request just taken may
 * not be enqueued yet (the API takes it, then enqueues it).
 */
export function renewCommitRequest(
  db: Db,
  id: string,
  seenAttempts: number,
  olderThanS: number,
): Promise<ImportJob | undefined> {
  return moveOne(
    db,
    "renewCommitRequest",
    id,
    {
      commit_requested_at: sql<Date>`now()`,
      commit_attempts: (eb) => eb("commit_attempts", "+", 1),
    },
    {
      guard: (eb) =>
        eb.and([
          eb("commit_attempts", "=", seenAttempts),
          eb("commit_requested_at", "<", sql<Date>`now() - make_interval(secs => ${olderThanS})`),
        ]),
    },
  );
}

/**
 * `claimCommit` (worker): status becomes `running` when a commit was requested
 * and the job is `validated`, a retryable `failed`, or already `running` (a
 * redelivery after a worker died: its transaction rolled back, so nothing was
 * written). Whether the job really still needs applying is decided under the
 * commit transaction's lock, not here.
 */
export function claimForCommit(db: Db, id: string): Promise<ImportJob | undefined> {
  return moveOne(
    db,
    "claimCommit",
    id,
    {
      heartbeat_at: sql<Date>`now()`,
      failure_code: null,
      failure_message: null,
      failure_details: null,
    },
    {
      guard: (eb) =>
        eb.and([
          eb("commit_requested_at", "is not", null),
          eb.or([
            eb("status", "in", ["validated", "running"]),
            eb.and([eb("status", "=", "failed"), eb("retryable", "=", true)]),
          ]),
          eb.or([eb("error_count", "=", 0), eb("allow_partial", "=", true)]),
        ]),
    },
  );
}

/**
 * `finishCommit` (worker, inside the commit transaction): running → success or
 * partial. The report of the result is asked for in the same UPDATE (pending, a
 * new generation), so from the commit on the validation's report is no longer
 * served as the job's report; its work runs once db_verify is recorded.
 */
export function finishCommit(
  trx: Transaction<Database>,
  id: string,
  outcome: "success" | "partial",
  fields: Omit<ChangesOf<"finishCommit">, (typeof REPORT_REQUEST_COLUMNS)[number]>,
): Promise<ImportJob | undefined> {
  return moveOne(trx, "finishCommit", id, { ...fields, ...reportRequest() }, { to: outcome });
}

/** `failCommit` (worker): running → failed; nothing was written to the catalog. */
export function failCommit(db: Db, id: string, failure: Failure): Promise<ImportJob | undefined> {
  return moveOne(db, "failCommit", id, failureColumns(failure));
}

/**
 * `completePostCommit` (worker or reaper): records db_verify. Until then a
 * `success`/`partial` job owes that work (db_verify is null), and whoever finds
 * it does it; the first to record it wins. The report of the result (asked for
 * by finishCommit) is built by report work after this, as it shows db_verify.
 */
export function completePostCommit(
  db: Db,
  id: string,
  fields: { dbVerify: unknown },
): Promise<ImportJob | undefined> {
  return moveOne(
    db,
    "completePostCommit",
    id,
    { db_verify: JSON.stringify(fields.dbVerify) },
    { guard: (eb) => eb("db_verify", "is", null) },
  );
}

/**
 * `recordReport` (worker, report work): the report of generation `generation` is
 * stored at `reportKey` (ready), or can never be (failed). Only while that
 * generation is still the job's and still pending: the work of an older
 * generation (a validated job committed meanwhile) records nothing over a newer one.
 */
export function recordReport(
  db: Db,
  id: string,
  generation: number,
  outcome: { status: "ready"; reportKey: string } | { status: "failed" },
): Promise<ImportJob | undefined> {
  return moveOne(
    db,
    "recordReport",
    id,
    outcome.status === "ready"
      ? { report_status: "ready", report_key: outcome.reportKey, report_ready_at: sql<Date>`now()` }
      : { report_status: "failed" },
    {
      guard: (eb) =>
        eb.and([eb("report_generation", "=", generation), eb("report_status", "=", "pending")]),
    },
  );
}

/**
 * Whether a committed job still owes its post-commit work (db_verify): the
 * commit's transaction committed, the recording of that work did not happen yet.
 */
export function owesPostCommit(job: Pick<ImportJob, "status" | "db_verify">): boolean {
  return (job.status === "success" || job.status === "partial") && job.db_verify === null;
}

/** `markReverted` (worker, inside the revert transaction): success/partial → reverted. */
export function markReverted(
  trx: Transaction<Database>,
  id: string,
): Promise<ImportJob | undefined> {
  return moveOne(trx, "markReverted", id, { revert_refusal: null });
}

/** Why a revert was refused, as the job records it. */
export interface RevertRefusal {
  code: FailureCode;
  message: string;
  details: unknown;
}

/**
 * `refuseRevert` (worker): records why a revert was refused; the job keeps its
 * status (it is still committed, and did not fail).
 */
export function refuseRevert(
  db: Db,
  id: string,
  refusal: RevertRefusal,
): Promise<ImportJob | undefined> {
  return moveOne(db, "refuseRevert", id, {
    revert_refusal: sql`jsonb_build_object('code', ${refusal.code}::text, 'message', ${refusal.message}::text,
      'details', ${JSON.stringify(refusal.details ?? null)}::jsonb, 'at', now())`,
  });
}

/** The phases a worker holds a job in: the status while it works, and while it waits for a retry. */
export const PHASE_STATUSES = {
  validate: { working: "validating", waiting: "pending" },
  commit: { working: "running", waiting: "validated" },
} as const satisfies Record<string, { working: JobStatus; waiting: JobStatus }>;

/** A phase a worker holds a job in. */
export type WorkerPhase = keyof typeof PHASE_STATUSES;

/** What a job waiting for a retry shows in its progress. */
export interface RetryNote {
  /** The attempt that failed (1 for the first). */
  attempt: number;
  /** Why it failed. */
  code: FailureCode;
  message: string;
  /** When the next attempt is due. */
  nextAttemptAt: Date;
}

/**
 * `awaitRetry` (worker): an attempt failed and will be retried, so the job goes
 * back to waiting for a worker (validating → pending, running → validated with
 * its commit still requested): while the retry waits in the queue no worker
 * holds it, so it must not look stuck, and a job only waiting is never failed
 * for its age. Its progress says which attempt failed, why, and when the next
 * one is due.
 */
export function awaitRetry(
  db: Db,
  id: string,
  phase: WorkerPhase,
  note: RetryNote,
): Promise<ImportJob | undefined> {
  const { working, waiting } = PHASE_STATUSES[phase];
  const progress: JobProgress = {
    phase,
    done: 0,
    total: 0,
    retry: {
      attempt: note.attempt,
      code: note.code,
      message: note.message,
      next_attempt_at: note.nextAttemptAt.toISOString(),
    },
  };
  return moveOne(
    db,
    "awaitRetry",
    id,
    { progress: JSON.stringify(progress), heartbeat_at: null },
    { to: waiting, guard: (eb) => eb("status", "=", working) },
  );
}

/**
 * `failAfterRetries` (worker): the work's retries ran out, or it can never
 * succeed. From the phase's working status, or its waiting one when the last
 * attempt failed before it could take the job (Postgres still down): either
 * way no queue job is left to move the job on.
 */
export function failAfterRetries(
  db: Db,
  id: string,
  phase: WorkerPhase,
  failure: Failure,
): Promise<ImportJob | undefined> {
  const { working, waiting } = PHASE_STATUSES[phase];
  return moveOne(db, "failAfterRetries", id, failureColumns(failure), {
    guard: (eb) =>
      eb.or([
        eb("status", "=", working),
        phase === "commit"
          ? eb.and([eb("status", "=", waiting), eb("commit_requested_at", "is not", null)])
          : eb("status", "=", waiting),
      ]),
  });
}

/** Working statuses with no sign of life (heartbeat or update) for more than `stuckAfterS`. */
export const noSignOfLifeFor = (stuckAfterS: number) =>
  sql<boolean>`coalesce(heartbeat_at, updated_at) < now() - make_interval(secs => ${stuckAfterS})`;

/**
 * `reapStuck` (reaper, importctl): fails every validating or running job with
 * no sign of life for more than `stuckAfterS` (STUCK_JOB_REAPED). A stuck commit
 * stays retryable: its transaction never committed, so nothing was written.
 * Jobs only waiting for a worker (pending, or a commit requested) are never
 * failed for their age. Returns the jobs it failed.
 */
export function reapStuckJobs(db: Db, stuckAfterS: number): Promise<ImportJob[]> {
  return move(db, "reapStuck", () => noSignOfLifeFor(stuckAfterS), {
    failure_code: "STUCK_JOB_REAPED",
    failure_message: sql<string>`'No progress for more than ' || ${stuckAfterS}::text || ' s in status ' || status`,
    failure_details: sql<string>`jsonb_build_object('status', status, 'last_sign_of_life', coalesce(heartbeat_at, updated_at))`,
    retryable: sql<boolean>`status = 'running'`,
    completed_at: sql<Date>`now()`,
  });
}

/** `failManually` (importctl `fail`): an operator's emergency stop of a job not yet finished. */
export function failManually(db: Db, id: string, reason: string): Promise<ImportJob | undefined> {
  return moveOne(
    db,
    "failManually",
    id,
    failureColumns({ code: "MANUALLY_FAILED", message: reason, retryable: false }),
  );
}

/** `cancel` (API, on request): pending, validating or validated → cancelled. */
export function cancelImportJob(db: Db, id: string): Promise<ImportJob | undefined> {
  return moveOne(db, "cancel", id, { completed_at: sql<Date>`now()` });
}

/** The status a job is in while a worker does each phase's work. */
const WORKING_STATUS_OF: Partial<Record<JobProgress["phase"], JobStatus>> = {
  validate: "validating",
  commit: "running",
};

/**
 * `recordProgress` (worker): progress and a heartbeat (which tells the reaper
 * the job is alive), only while the job is still in the phase's working status:
 * a late or duplicate delivery never rewrites the progress of a finished job.
 */
export async function recordProgress(db: Db, id: string, progress: JobProgress): Promise<void> {
  const status = WORKING_STATUS_OF[progress.phase];
  if (!status) throw new Error(`No working status for phase ${progress.phase}`);
  await moveOne(
    db,
    "recordProgress",
    id,
    { progress: JSON.stringify(progress), heartbeat_at: sql<Date>`now()` },
    { guard: (eb) => eb("status", "=", status) },
  );
}

/**
 * `recordProgress` without new progress (worker): a heartbeat while the job is
 * in `status`, for long steps that have no count to report. A row locked by the
 * job's own commit transaction is skipped, not waited for: that transaction is
 * the job's sign of life, and the reaper's UPDATE waits for it anyway.
 */
export async function recordHeartbeat(db: Db, id: string, status: JobStatus): Promise<boolean> {
  const moved = await move(
    db,
    "recordProgress",
    (eb) =>
      eb(
        "id",
        "in",
        eb
          .selectFrom("ops_importjob")
          .select("id")
          .where("id", "=", id)
          .where("status", "=", status)
          .forUpdate()
          .skipLocked(),
      ),
    { heartbeat_at: sql<Date>`now()` },
  );
  return moved.length > 0;
}

/**
 * `retry <id>` and `revert <id>`: ask for a job's commit (again) or its revert
 * through the very path the API takes for `POST …/commit/` and `POST …/revert/`
 * (@catalog/jobs' submitCommitRequest / submitRevertRequest: the same checks,
 * the same transition, the same queue work). With `--wait`, follow the job in
 * Postgres until the worker has done it.
 */
import { randomUUID } from "node:crypto";
import type { Database, ImportJob } from "@catalog/db";
import {
  findImportJob,
  type ImportQueues,
  submitCommitRequest,
  submitRevertRequest,
  toJobResource,
  WorkRequestRefused,
} from "@catalog/jobs";
import type { Command } from "commander";
import { type Kysely, sql } from "kysely";
import { print } from "../output";
import { duration, jobId } from "../usage";

interface Context {
  database: () => Kysely<Database>;
  queues: () => ImportQueues;
}

interface WorkOptions {
  wait?: boolean;
  timeout: number;
  json?: boolean;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** The job, or a message and exit 1. */
async function jobOrExit(db: Kysely<Database>, id: string): Promise<ImportJob | undefined> {
  const job = await findImportJob(db, id);
  if (!job) {
    process.stderr.write(`No job ${id}\n`);
    process.exitCode = 1;
  }
  return job;
}

/** Prints a refusal as the API would answer it; exit 1. */
function refused(json: boolean, error: WorkRequestRefused): void {
  process.exitCode = 1;
  const body = { error: { code: error.code, message: error.message, details: error.details } };
  if (json) print(true, body, () => "");
  else process.stderr.write(`Refused (${error.code}): ${error.message}\n`);
}

/** Polls the job until `done` says it is finished, or `timeoutMs` passes. */
async function follow(
  db: Kysely<Database>,
  id: string,
  timeoutMs: number,
  done: (job: ImportJob) => boolean,
): Promise<ImportJob | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await findImportJob(db, id);
    if (job && done(job)) return job;
    if (Date.now() > deadline) return undefined;
    await sleep(500);
  }
}

/** Prints where the job ended; exit 0 when `ok`. */
function report(
  json: boolean,
  job: ImportJob | undefined,
  ok: (job: ImportJob) => boolean,
  what: string,
): void {
  if (!job) {
    process.stderr.write(
      `Timed out waiting for the ${what}; the job goes on: importctl jobs show\n`,
    );
    process.exitCode = 1;
    return;
  }
  if (!ok(job)) process.exitCode = 1;
  print(json, toJobResource(job, ""), () => {
    const failure = job.failure_code ? ` (${job.failure_code}: ${job.failure_message})` : "";
    const refusal = job.revert_refusal as { code?: string; message?: string } | null;
    const refused =
      what === "revert" && refusal?.code ? ` (${refusal.code}: ${refusal.message})` : "";
    return `Job ${job.id} is ${job.status}${failure}${refused}.`;
  });
}

function waitOptions(command: Command): Command {
  return command
    .option("--wait", "wait until the worker has done it; exit 1 unless it succeeded")
    .option("--timeout <age>", "how long --wait waits (e.g. 10m)", duration, 10 * 60_000)
    .option("--json", "print JSON (the job, or the refusal as the API's error body)");
}

export function workRequestCommands(program: Command, context: Context): void {
  waitOptions(
    program
      .command("retry")
      .description(
        "request the commit again: a failed job whose commit failed for a retryable reason (COMMIT_TIMEOUT, STUCK_JOB_REAPED...), or a validated one; the same checks and queue work as POST .../commit/",
      )
      .argument("<id>", "the job's id", jobId)
      .option(
        "--allow-partial",
        "apply the valid rows of a job with row errors (default: what the last commit request said)",
      ),
  ).action(async (id: string, options: WorkOptions & { allowPartial?: boolean }) => {
    const db = context.database();
    const job = await jobOrExit(db, id);
    if (!job) return;
    const requestId = `importctl-${randomUUID()}`;
    let taken: ImportJob;
    try {
      taken = await submitCommitRequest({ db, queues: context.queues() }, job, {
        allowPartial: options.allowPartial ?? job.allow_partial ?? false,
        requestId,
      });
    } catch (error) {
      if (error instanceof WorkRequestRefused) return refused(Boolean(options.json), error);
      throw error;
    }
    if (!options.wait) {
      print(Boolean(options.json), toJobResource(taken, ""), () =>
        [
          `Commit attempt ${taken.commit_attempts} of job ${taken.id} requested (request id ${requestId}).`,
          `Follow it: importctl jobs show ${taken.id}`,
        ].join("\n"),
      );
      return;
    }
    const requestedAt = taken.commit_requested_at ?? new Date(0);
    const ended = await follow(
      db,
      taken.id,
      options.timeout,
      (current) =>
        current.status === "success" ||
        current.status === "partial" ||
        (current.status === "failed" && (current.completed_at ?? new Date(0)) > requestedAt),
    );
    report(Boolean(options.json), ended, (current) => current.status !== "failed", "commit");
  });

  waitOptions(
    program
      .command("revert")
      .description(
        "revert a committed (success or partial) job: restore the rows it updated, delete those it created; the same checks and queue work as POST .../revert/",
      )
      .argument("<id>", "the job's id", jobId),
  ).action(async (id: string, options: WorkOptions) => {
    const db = context.database();
    const job = await jobOrExit(db, id);
    if (!job) return;
    const requestId = `importctl-${randomUUID()}`;
    const {
      rows: [clock],
    } = await sql<{ now: Date }>`SELECT now()`.execute(db);
    try {
      await submitRevertRequest({ db, queues: context.queues() }, job, { requestId });
    } catch (error) {
      if (error instanceof WorkRequestRefused) return refused(Boolean(options.json), error);
      throw error;
    }
    if (!options.wait) {
      print(Boolean(options.json), toJobResource(job, ""), () =>
        [
          `Revert of job ${job.id} requested (request id ${requestId}).`,
          `Follow it: importctl jobs show ${job.id}`,
        ].join("\n"),
      );
      return;
    }
    const requestedAt = clock?.now ?? new Date(0);
    const refusedSince = (current: ImportJob) => {
      const at = (current.revert_refusal as { at?: string } | null)?.at;
      return at !== undefined && new Date(at) >= requestedAt;
    };
    const ended = await follow(
      db,
      job.id,
      options.timeout,
      (current) => current.status === "reverted" || refusedSince(current),
    );
    report(Boolean(options.json), ended, (current) => current.status === "reverted", "revert");
  });
}

/**
 * Job procedures of the runbook: `health`, `jobs list|show|by-hash|by-user`,
 * `failed`, `stuck list|reap`, `fail`. Reads and writes Postgres only, except
 * where a command says otherwise.
 */
import {
  type Database,
  IMPORT_MODES,
  type ImportJob,
  JOB_STATUSES,
  type JobStatus,
} from "@catalog/db";
import {
  failManually,
  findImportJob,
  findStuckJobs,
  type JobListFilter,
  jobHealthReport,
  listImportJobs,
  listRecentFailedJobs,
  reapStuckJobs,
  toJobResource,
} from "@catalog/jobs";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { Kysely } from "kysely";
import { formatTable, print } from "../output";
import { instant, jobId, wholeNumber } from "../usage";

interface Context {
  database: () => Kysely<Database>;
  stuckAfterS: number;
}

const JOB_COLUMNS = [
  "id",
  "status",
  "mode",
  "file",
  "rows",
  "errors",
  "created_by",
  "created_at",
  "failure",
];

function jobRow(job: ImportJob) {
  return [
    job.id,
    job.status,
    job.mode,
    job.file_name,
    job.total_rows,
    job.error_count,
    job.created_by,
    job.created_at,
    job.failure_code,
  ];
}

function printJobs(json: boolean, jobs: ImportJob[]): void {
  print(
    json,
    jobs.map((job) => toJobResource(job, "")),
    () => (jobs.length ? formatTable(JOB_COLUMNS, jobs.map(jobRow)) : "No jobs."),
  );
}

/** Largest page `jobs list` prints (the API's limit too). */
const MAX_PAGE = 500;

interface PageOptions {
  limit: number;
  offset: number;
  json?: boolean;
}

function pageSize(value: string): number {
  const size = wholeNumber(1)(value);
  if (size > MAX_PAGE) throw new InvalidArgumentError(`at most ${MAX_PAGE}`);
  return size;
}

function statuses(value: string): JobStatus[] {
  const list = value.split(",").map((part) => part.trim());
  const unknown = list.filter((status) => !(JOB_STATUSES as readonly string[]).includes(status));
  if (unknown.length || list.length === 0)
    throw new InvalidArgumentError(
      `unknown status ${unknown.join(", ")}; one of ${JOB_STATUSES.join(", ")}`,
    );
  return list as JobStatus[];
}

/** One page of jobs: the API's page shape as JSON, a table with where the next page starts for people. */
async function printJobPage(
  db: Kysely<Database>,
  filter: JobListFilter,
  page: PageOptions,
): Promise<void> {
  const { items, total } = await listImportJobs(db, filter, page);
  print(
    Boolean(page.json),
    {
      items: items.map((job) => toJobResource(job, "")),
      total,
      limit: page.limit,
      offset: page.offset,
    },
    () => {
      if (!items.length)
        return total ? `No jobs at offset ${page.offset} (${total} in all).` : "No jobs.";
      const last = page.offset + items.length;
      const next = last < total ? ` Next page: --offset ${last}` : "";
      return `${formatTable(JOB_COLUMNS, items.map(jobRow))}\nJobs ${page.offset + 1}-${last} of ${total}.${next}`;
    },
  );
}

export function jobsCommands(program: Command, context: Context): void {
  const { database } = context;
  const jobs = program.command("jobs").description("list and inspect import jobs");

  jobs
    .command("list")
    .description("jobs newest first, filtered, one page at a time")
    .option(
      "--status <statuses>",
      `one or more statuses, comma-separated (${JOB_STATUSES.join(", ")})`,
      statuses,
    )
    .addOption(new Option("--mode <mode>").choices(IMPORT_MODES))
    .option("--user <email>", "created by this user (token email)")
    .option("--hash <sha256>", "for this file (its SHA-256)")
    .option("--since <when>", "created since (30m, 24h, 7d, or an ISO date)", instant)
    .option("--until <when>", "created before (same forms)", instant)
    .option("--limit <n>", `jobs per page (at most ${MAX_PAGE})`, pageSize, 20)
    .option(
      "--offset <n>",
      "jobs to skip (the next page starts at offset + limit)",
      wholeNumber(0),
      0,
    )
    .option("--json", "print JSON: {items, total, limit, offset}")
    .action(
      async (options: {
        status?: JobStatus[];
        mode?: ImportJob["mode"];
        user?: string;
        hash?: string;
        since?: Date;
        until?: Date;
        limit: number;
        offset: number;
        json?: boolean;
      }) => {
        await printJobPage(
          database(),
          {
            status: options.status,
            mode: options.mode,
            createdBy: options.user,
            fileHash: options.hash,
            createdAfter: options.since,
            createdBefore: options.until,
          },
          options,
        );
      },
    );

  jobs
    .command("show")
    .description("one job with its summary, result, failure and db_verify")
    .argument("<id>", "the job's id", jobId)
    .option("--json", "print JSON")
    .action(async (id: string, options: { json?: boolean }) => {
      const job = await findImportJob(database(), id);
      if (!job) {
        process.stderr.write(`No job ${id}\n`);
        process.exitCode = 1;
        return;
      }
      const resource = toJobResource(job, "");
      print(Boolean(options.json), resource, () =>
        JSON.stringify({ ...resource, links: undefined }, null, 2),
      );
    });

  jobs
    .command("by-hash")
    .description("jobs for one file, by its SHA-256")
    .argument("<sha256>")
    .option("--limit <n>", `jobs per page (at most ${MAX_PAGE})`, pageSize, 100)
    .option("--offset <n>", "jobs to skip", wholeNumber(0), 0)
    .option("--json", "print JSON: {items, total, limit, offset}")
    .action(async (hash: string, options: PageOptions) => {
      await printJobPage(database(), { fileHash: hash }, options);
    });

  jobs
    .command("by-user")
    .description("jobs created by one user (token email)")
    .argument("<email>")
    .option("--limit <n>", `jobs per page (at most ${MAX_PAGE})`, pageSize, 100)
    .option("--offset <n>", "jobs to skip", wholeNumber(0), 0)
    .option("--json", "print JSON: {items, total, limit, offset}")
    .action(async (email: string, options: PageOptions) => {
      await printJobPage(database(), { createdBy: email }, options);
    });

  program
    .command("failed")
    .description("failed jobs of the last --hours hours with their failure, newest first")
    .option("--hours <n>", "look-back window", wholeNumber(1), 24)
    .option("--limit <n>", "at most this many", wholeNumber(1), 100)
    .option("--json", "print JSON")
    .action(async (options: { hours: number; limit: number; json?: boolean }) => {
      const failed = await listRecentFailedJobs(database(), options.hours, options.limit);
      print(
        Boolean(options.json),
        failed.map((job) => toJobResource(job, "")),
        () =>
          failed.length
            ? formatTable(
                ["id", "file", "failure", "retryable", "message"],
                failed.map((job) => [
                  job.id,
                  job.file_name,
                  job.failure_code,
                  job.retryable,
                  job.failure_message,
                ]),
              )
            : "No failed jobs.",
      );
    });

  program
    .command("health")
    .description("last 24 h by status, stuck jobs, failures by code")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      const report = await jobHealthReport(database(), context.stuckAfterS);
      const counts = (byKey: Record<string, number>) => Object.entries(byKey);
      print(Boolean(options.json), report, () =>
        [
          "Last 24 h by status:",
          formatTable(["status", "jobs"], counts(report.last_24h)),
          "",
          "Failures by code (24 h):",
          Object.keys(report.failures_by_code).length
            ? formatTable(["code", "jobs"], counts(report.failures_by_code))
            : "none",
          "",
          `Stuck (no progress for > ${context.stuckAfterS} s): ${report.stuck.length}`,
        ].join("\n"),
      );
    });

  const stuck = program
    .command("stuck")
    .description("jobs with no progress for longer than STUCK_AFTER_S");
  stuck
    .command("list")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      printJobs(Boolean(options.json), await findStuckJobs(database(), context.stuckAfterS));
    });
  stuck
    .command("reap")
    .description(
      "fail every stuck job with STUCK_JOB_REAPED (a stuck commit stays retryable); dry run unless --yes",
    )
    .option("--yes", "really fail them")
    .option("--json", "print JSON")
    .action(async (options: { yes?: boolean; json?: boolean }) => {
      const jobs = options.yes
        ? await reapStuckJobs(database(), context.stuckAfterS)
        : await findStuckJobs(database(), context.stuckAfterS);
      printJobs(Boolean(options.json), jobs);
      if (!options.yes && !options.json)
        process.stdout.write(`Dry run: ${jobs.length} job(s) would be failed. Add --yes.\n`);
    });

  program
    .command("fail")
    .description("emergency: fail a job that is pending, validating, validated or running")
    .argument("<id>", "the job's id", jobId)
    .option("--reason <text>", "why", "failed by an operator")
    .option("--json", "print JSON")
    .action(async (id: string, options: { reason: string; json?: boolean }) => {
      const failed = await failManually(database(), id, options.reason);
      if (!failed) {
        process.stderr.write(
          `Job ${id} is not in a status that can be failed (or does not exist)\n`,
        );
        process.exitCode = 1;
        return;
      }
      printJobs(Boolean(options.json), [failed]);
    });
}

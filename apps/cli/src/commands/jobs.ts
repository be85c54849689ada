/**
 * Job procedures of the runbook: `health`, `jobs list|show|by-hash|by-user`,
 * `failed`, `stuck list|reap`, `fail`. Reads and writes Postgres only, except
 * where a command says otherwise.
 */
import { type Database, IMPORT_MODES, JOB_STATUSES, type ImportJob } from "@catalog/db";
import {
  failManually,
  findImportJob,
  findStuckJobs,
  jobHealthReport,
  listImportJobs,
  listRecentFailedJobs,
  reapStuckJobs,
  toJobResource,
} from "@catalog/jobs";
import { type Command, Option } from "commander";
import type { Kysely } from "kysely";
import { formatTable, print } from "../output";

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

export function jobsCommands(program: Command, context: Context): void {
  const { database } = context;
  const jobs = program.command("jobs").description("list and inspect import jobs");

  jobs
    .command("list")
    .description("recent jobs, newest first")
    .addOption(new Option("--status <status>").choices(JOB_STATUSES))
    .addOption(new Option("--mode <mode>").choices(IMPORT_MODES))
    .option("--limit <n>", "how many", (v) => Number.parseInt(v, 10), 20)
    .option("--json", "print JSON")
    .action(
      async (options: {
        status?: ImportJob["status"];
        mode?: ImportJob["mode"];
        limit: number;
        json?: boolean;
      }) => {
        const page = await listImportJobs(
          database(),
          { status: options.status, mode: options.mode },
          { limit: options.limit, offset: 0 },
        );
        printJobs(Boolean(options.json), page.items);
      },
    );

  jobs
    .command("show")
    .description("one job with its summary, result, failure and db_verify")
    .argument("<id>")
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
    .option("--json", "print JSON")
    .action(async (hash: string, options: { json?: boolean }) => {
      printJobs(
        Boolean(options.json),
        (await listImportJobs(database(), { fileHash: hash }, { limit: 100, offset: 0 })).items,
      );
    });

  jobs
    .command("by-user")
    .description("jobs created by one user (token email)")
    .argument("<email>")
    .option("--json", "print JSON")
    .action(async (email: string, options: { json?: boolean }) => {
      printJobs(
        Boolean(options.json),
        (await listImportJobs(database(), { createdBy: email }, { limit: 100, offset: 0 })).items,
      );
    });

  program
    .command("failed")
    .description("failed jobs of the last --hours hours with their failure, newest first")
    .option("--hours <n>", "look-back window", (v) => Number.parseInt(v, 10), 24)
    .option("--limit <n>", "at most this many", (v) => Number.parseInt(v, 10), 100)
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
          report.recent_failures.length
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
    .argument("<id>")
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

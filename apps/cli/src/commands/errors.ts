/**
 * What goes wrong in supplier files, across jobs: `errors top` (issue codes and
 * job failure codes, most frequent first), `errors patterns` (issues by code and
 * column with example values: what to tell the supplier) and `candidates top`
 * (the categories, series and brands smart imports keep proposing). Read-only.
 */
import type { Database } from "@catalog/db";
import { type Command, Option } from "commander";
import type { Kysely } from "kysely";
import {
  countReportedJobs,
  issuePatterns,
  type JobWindow,
  topCandidates,
  topFailureCodes,
  topIssueCodes,
} from "../issue-stats.repository";
import { formatTable, print } from "../output";
import { instant, jobId, parseInstant, wholeNumber } from "../usage";

interface Context {
  database: () => Kysely<Database>;
}

interface WindowOptions {
  since?: Date;
  until?: Date;
  job?: string;
  limit: number;
  json?: boolean;
}

/** The look-back options every command here takes. */
function withWindow(command: Command): Command {
  return command
    .option("--since <when>", "jobs created since (30m, 24h, 7d, or an ISO date)", instant)
    .option("--until <when>", "jobs created before (same forms)", instant)
    .option("--job <id>", "one job only (any age)", jobId)
    .option("--limit <n>", "how many lines", wholeNumber(1), 20)
    .option("--json", "print JSON");
}

/** The window: one job whatever its age, else since --since (default: the last 24 h). */
function windowOf(options: WindowOptions): JobWindow {
  if (options.job) return { since: new Date(0), jobId: options.job };
  return { since: options.since ?? parseInstant("24h"), until: options.until };
}

function describe(window: JobWindow): string {
  if (window.jobId) return `job ${window.jobId}`;
  return `jobs created since ${window.since.toISOString()}${window.until ? ` until ${window.until.toISOString()}` : ""}`;
}

const severityOption = () =>
  new Option("--severity <severity>", "errors or warnings only").choices(["error", "warning"]);

export function errorsCommands(program: Command, { database }: Context): void {
  const errors = program
    .command("errors")
    .description("row issues and job failures across jobs (from their validation reports)");

  withWindow(
    errors
      .command("top")
      .description("issue codes and job failure codes, most frequent first")
      .addOption(severityOption()),
  ).action(async (options: WindowOptions & { severity?: "error" | "warning" }) => {
    const db = database();
    const window = windowOf(options);
    const [jobs, issues, failures] = await Promise.all([
      countReportedJobs(db, window),
      topIssueCodes(db, window, { severity: options.severity, limit: options.limit }),
      topFailureCodes(db, window, options.limit),
    ]);
    print(
      Boolean(options.json),
      { window: windowJson(window), jobs_with_report: jobs, issues, failures },
      () =>
        [
          `Issues in ${jobs} validated job(s), ${describe(window)}:`,
          issues.length
            ? formatTable(
                ["code", "severity", "issues", "rows", "jobs", "last_seen"],
                issues.map((s) => [s.code, s.severity, s.issues, s.rows, s.jobs, s.last_seen]),
              )
            : "none",
          "",
          "Failed jobs by failure code:",
          failures.length
            ? formatTable(
                ["failure_code", "jobs", "last_seen"],
                failures.map((f) => [f.failure_code, f.jobs, f.last_seen]),
              )
            : "none",
        ].join("\n"),
    );
  });

  withWindow(
    errors
      .command("patterns")
      .description("issues by code and column with example values, most frequent first")
      .addOption(severityOption())
      .option("--code <code>", "one issue code only"),
  ).action(async (options: WindowOptions & { severity?: "error" | "warning"; code?: string }) => {
    const window = windowOf(options);
    const patterns = await issuePatterns(database(), window, {
      severity: options.severity,
      code: options.code,
      limit: options.limit,
    });
    print(Boolean(options.json), { window: windowJson(window), patterns }, () =>
      patterns.length
        ? [
            `Issue patterns, ${describe(window)}:`,
            formatTable(
              ["code", "column", "issues", "rows", "jobs", "examples"],
              patterns.map((p) => [
                p.code,
                p.column,
                p.issues,
                p.rows,
                p.jobs,
                p.examples.map((value) => JSON.stringify(value)).join(", "),
              ]),
            ),
          ].join("\n")
        : `No issues, ${describe(window)}.`,
    );
  });

  const candidates = program
    .command("candidates")
    .description("categories, series and brands that smart imports proposed to create");
  withWindow(
    candidates
      .command("top")
      .description("candidates proposed by the most jobs, and whether the catalog has them now")
      .addOption(
        new Option("--type <type>", "one entity type").choices(["category", "series", "brand"]),
      ),
  ).action(async (options: WindowOptions & { type?: "category" | "series" | "brand" }) => {
    const window = windowOf(options);
    const top = await topCandidates(database(), window, {
      type: options.type,
      limit: options.limit,
    });
    print(Boolean(options.json), { window: windowJson(window), candidates: top }, () =>
      top.length
        ? [
            `Candidates, ${describe(window)}:`,
            formatTable(
              ["type", "slug", "name", "jobs", "rows", "in_catalog", "last_seen"],
              top.map((c) => [
                c.type,
                c.slug,
                c.name,
                c.jobs,
                c.rows,
                c.in_catalog ? "yes" : "no",
                c.last_seen,
              ]),
            ),
          ].join("\n")
        : `No candidates, ${describe(window)}.`,
    );
  });
}

function windowJson(window: JobWindow) {
  return {
    since: window.jobId ? null : window.since.toISOString(),
    until: window.until?.toISOString() ?? null,
    job_id: window.jobId ?? null,
  };
}

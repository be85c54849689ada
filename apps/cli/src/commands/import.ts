/**
 * `importctl import FILE`: what an API client does, through the typed client
 * (`@catalog/client`, IMPORT_API_URL and IMPORT_API_TOKEN): upload, optionally
 * wait for the validation, commit and wait for it, then print the summary and
 * the issue counts. On a terminal a progress bar follows the bytes sent, then
 * the validate and commit progress the API reports. The exit code says how it
 * ended (see EXIT_CODES), so scripts can branch on it.
 */
import { writeFile } from "node:fs/promises";
import {
  ApiError,
  commitJob,
  downloadReport,
  type ImportApi,
  type ImportMode,
  type Job,
  uploadImport,
  unwrap,
  waitForJob,
} from "@catalog/client";
import { SingleBar } from "cli-progress";
import { type Command, Option } from "commander";
import { formatTable, print } from "../output";

/** How `import` ends. */
export const EXIT_CODES = {
  /** Validated without errors (and committed with --commit): `success`. */
  success: 0,
  /** The job failed, was cancelled, or the API refused the request. */
  failed: 1,
  /** Validated with row errors, or committed with them (`partial`). */
  withErrors: 3,
  /** Commit refused: the catalog changed since validation, or an integrity check failed. */
  refused: 4,
} as const;

/** Failure codes that mean "refused, nothing written" rather than "broke". */
const REFUSAL_CODES = new Set([
  "SNAPSHOT_STALE",
  "SNAPSHOT_INTEGRITY_FAILED",
  "INPUT_INTEGRITY_FAILED",
]);

const HELP = `
Exit codes:
  0  success: validated without errors (and committed, with --commit)
  1  failed: the job failed or was cancelled, or the API refused the request
  3  with errors: validated with row errors, or committed with them (partial)
  4  refused: commit refused because the catalog changed (SNAPSHOT_STALE) or an
     integrity check failed; nothing was written

Environment:
  IMPORT_API_URL    the API (default http://127.0.0.1:3000)
  IMPORT_API_TOKEN  an importer token (importctl tokens create --role importer)`;

interface ImportOptions {
  mode: ImportMode;
  wait?: boolean;
  commit?: boolean;
  allowPartial?: boolean;
  report?: string;
  json?: boolean;
  callbackUrl?: string;
  idempotencyKey?: string;
}

/** A progress bar on stderr when it is a terminal; silent otherwise. */
function progressBar(enabled: boolean) {
  const bar = new SingleBar({
    format: " {phase} [{bar}] {percentage}% | {done}/{count} {unit}",
    barsize: 30,
    hideCursor: true,
    stream: process.stderr,
  });
  let phase: string | undefined;
  return {
    update(name: string, done: number, total: number, unit: string, finished = false) {
      if (!enabled) return;
      // A finished phase with nothing to do (a commit that changes nothing) is shown complete.
      const [value, max] = total > 0 ? [Math.min(done, total), total] : [finished ? 1 : 0, 1];
      const payload = { phase: name.padEnd(8), unit, done, count: total };
      if (phase !== name) {
        if (phase) bar.stop();
        bar.start(max, value, payload);
        phase = name;
        return;
      }
      bar.setTotal(max);
      bar.update(value, payload);
    },
    stop() {
      if (phase) bar.stop();
      phase = undefined;
    },
  };
}

/** The exit code for a job that has reached the end of what was asked. */
export function exitCodeFor(job: Job): number {
  switch (job.status) {
    case "success":
      return EXIT_CODES.success;
    case "partial":
      return EXIT_CODES.withErrors;
    case "validated":
      return (job.summary?.errors ?? 0) > 0 ? EXIT_CODES.withErrors : EXIT_CODES.success;
    case "failed":
      return job.failure && REFUSAL_CODES.has(job.failure.code)
        ? EXIT_CODES.refused
        : EXIT_CODES.failed;
    default:
      return EXIT_CODES.failed;
  }
}

/** Issue counts by severity and code, read page by page from the issues route. */
async function issueCounts(
  api: ImportApi,
  id: string,
): Promise<{ severity: string; code: string; count: number }[]> {
  const counts = new Map<string, { severity: string; code: string; count: number }>();
  const limit = 10_000;
  for (let offset = 0; ; offset += limit) {
    const page = unwrap(
      await api.GET("/api/admin/import-jobs/{id}/issues/", {
        params: { path: { id }, query: { limit, offset } },
      }),
    );
    for (const issue of page.items) {
      const key = `${issue.severity} ${issue.code}`;
      const entry = counts.get(key) ?? { severity: issue.severity, code: issue.code, count: 0 };
      entry.count += 1;
      counts.set(key, entry);
    }
    if (offset + limit >= page.total) break;
  }
  return [...counts.values()].sort(
    (a, b) =>
      a.severity.localeCompare(b.severity) || b.count - a.count || a.code.localeCompare(b.code),
  );
}

/**
 * Saves the job's XLSX report to `path`. The report is built after the job's
 * status (validated; committed): while the API answers REPORT_NOT_READY this
 * says so on stderr and waits as told (Retry-After).
 */
async function saveReport(api: ImportApi, id: string, path: string): Promise<void> {
  let told = false;
  const bytes = await downloadReport(api, id, {
    onWaiting: (retryAfterS) => {
      if (told) return;
      told = true;
      process.stderr.write(
        `The report of job ${id} is not ready yet (being built); waiting (asking again every ${retryAfterS} s)\n`,
      );
    },
  });
  await writeFile(path, bytes);
}

/** The summary as a table: what validation found and, after commit, what was applied. */
function summaryTable(job: Job): string {
  const lines = [
    `Job ${job.id}: ${job.status}${job.failure ? ` (${job.failure.code}: ${job.failure.message})` : ""}`,
  ];
  const summary = job.summary;
  if (!summary) return lines.join("\n");
  const applied = job.result;
  const row = (entity: "products" | "variants") => [
    entity,
    summary[entity].create,
    summary[entity].update,
    summary[entity].unchanged,
    applied ? `${applied[entity].create}/${applied[entity].update}` : "-",
  ];
  lines.push(
    "",
    formatTable(
      ["rows", "total", "valid", "with errors", "with warnings"],
      [
        [
          "",
          summary.rows.total,
          summary.rows.valid,
          summary.rows.with_errors,
          summary.rows.with_warnings,
        ],
      ],
    ),
    "",
    formatTable(
      ["entity", "create", "update", "unchanged", "applied (create/update)"],
      [
        ...(["categories", "series", "brands"] as const).map((kind) => [
          `${kind} (candidates)`,
          summary.candidates[kind],
          "-",
          "-",
          applied ? `${applied.candidates[kind]}/-` : "-",
        ]),
        row("products"),
        row("variants"),
      ],
    ),
    "",
    `Errors: ${summary.errors}  Warnings: ${summary.warnings}`,
  );
  return lines.join("\n");
}

/** Registers `import`. `api` builds the client when the command runs (it needs the token). */
export function importCommand(program: Command, api: () => ImportApi): void {
  program
    .command("import")
    .description("upload a file as an API client would; optionally wait, commit, save the report")
    .argument("<file>", "an XLSX or CSV file")
    .addOption(
      new Option("--mode <mode>", "validation mode").choices(["strict", "smart"]).default("strict"),
    )
    .option("--wait", "wait for the validation (and the commit) to finish")
    .option("--commit", "commit once validated (implies --wait)")
    .option("--allow-partial", "with --commit: apply the valid rows even when some have errors")
    .option("--report <path>", "save the XLSX report there at the end (implies --wait)")
    .option("--callback-url <url>", "where the job's webhooks go")
    .option(
      "--idempotency-key <key>",
      "Idempotency-Key of the upload (a retry answers the same job)",
    )
    .option("--json", "print JSON (the job, the issue counts, the exit code)")
    .addHelpText("after", HELP)
    .action(async (file: string, options: ImportOptions) => {
      process.exitCode = await runImport(api(), file, options);
    });
}

async function runImport(api: ImportApi, file: string, options: ImportOptions): Promise<number> {
  const bar = progressBar(Boolean(process.stderr.isTTY) && !options.json);
  const wait = options.wait || options.commit || options.report !== undefined;
  let job: Job;
  try {
    ({ job } = await uploadImport(api, {
      path: file,
      mode: options.mode,
      callbackUrl: options.callbackUrl,
      idempotencyKey: options.idempotencyKey,
      onProgress: (sent, total) => bar.update("upload", sent, total, "bytes"),
    }));
    const follow = (current: Job) => {
      const progress = current.progress;
      if (!progress || progress.phase === "upload") return;
      const working = progress.phase === "validate" ? ["pending", "validating"] : ["running"];
      const unit = progress.phase === "validate" ? "rows" : "changes";
      const finished = !working.includes(current.status);
      bar.update(progress.phase, progress.done, progress.total, unit, finished);
    };
    if (wait) {
      job = await waitForJob(api, job.id, {
        done: (current) => !["pending", "validating"].includes(current.status),
        onJob: follow,
      });
    }
    if (options.commit && job.status === "validated") {
      const errors = job.summary?.errors ?? 0;
      if (errors > 0 && !options.allowPartial) {
        bar.stop();
        process.stderr.write(
          `Not committed: ${errors} row errors (use --allow-partial to apply the valid rows)\n`,
        );
      } else {
        job = await commitJob(api, job.id, Boolean(options.allowPartial));
        job = await waitForJob(api, job.id, {
          done: (current) => current.status !== "validated" && current.status !== "running",
          onJob: follow,
        });
      }
    }
  } catch (error) {
    bar.stop();
    if (error instanceof ApiError) {
      process.stderr.write(`importctl import: the API answered ${error.status} ${error.message}\n`);
      return EXIT_CODES.failed;
    }
    throw error;
  }
  bar.stop();

  const code = wait ? exitCodeFor(job) : EXIT_CODES.success;
  const issues = wait && job.summary ? await issueCounts(api, job.id) : [];
  if (options.report && job.summary) await saveReport(api, job.id, options.report);
  print(Boolean(options.json), { job, issues_by_code: issues, exit_code: code }, () =>
    [
      summaryTable(job),
      ...(issues.length
        ? [
            "",
            formatTable(
              ["severity", "code", "count"],
              issues.map((i) => [i.severity, i.code, i.count]),
            ),
          ]
        : []),
      ...(options.report && job.summary ? ["", `Report saved to ${options.report}`] : []),
    ].join("\n"),
  );
  return code;
}

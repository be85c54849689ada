/**
 * A page of a job's issues, read from `report_json -> 'issues'` inside Postgres:
 * a report may hold tens of thousands of issues, and only the page asked for
 * (and a count) leaves the database.
 */
import type { Database } from "@catalog/db";
import { type Kysely, sql } from "kysely";

/** One row-level issue, as the validate job stores it. */
export interface JobIssue {
  row: number | null;
  column: string | null;
  code: string;
  severity: "error" | "warning";
  message: string;
  value: unknown;
}

export interface IssueFilter {
  severity?: "error" | "warning";
  code?: string;
  column?: string;
}

/** The job's issues matching `filter`, in report order; an empty page when it has no report yet. */
export async function listJobIssues(
  db: Kysely<Database>,
  jobId: string,
  filter: IssueFilter,
  page: { limit: number; offset: number },
): Promise<{ items: JobIssue[]; total: number }> {
  const matching = sql`
    FROM ops_importjob AS j,
      jsonb_array_elements(
        CASE WHEN jsonb_typeof(j.report_json -> 'issues') = 'array'
          THEN j.report_json -> 'issues' ELSE '[]'::jsonb END
      ) WITH ORDINALITY AS i (issue, n)
    WHERE j.id = ${jobId}
      AND (${filter.severity ?? null}::text IS NULL OR i.issue ->> 'severity' = ${filter.severity ?? null})
      AND (${filter.code ?? null}::text IS NULL OR i.issue ->> 'code' = ${filter.code ?? null})
      AND (${filter.column ?? null}::text IS NULL OR i.issue ->> 'column' = ${filter.column ?? null})`;
  const [items, count] = await Promise.all([
    sql<{ issue: JobIssue }>`SELECT i.issue ${matching}
      ORDER BY i.n LIMIT ${page.limit} OFFSET ${page.offset}`.execute(db),
    sql<{ total: number }>`SELECT count(*)::int AS total ${matching}`.execute(db),
  ]);
  return {
    items: items.rows.map(({ issue }) => pickIssue(issue)),
    total: count.rows[0]?.total ?? 0,
  };
}

/** The documented fields of an issue, each present (null when the report left it out). */
function pickIssue(issue: Partial<JobIssue>): JobIssue {
  return {
    row: issue.row ?? null,
    column: issue.column ?? null,
    code: issue.code ?? "",
    severity: issue.severity ?? "error",
    message: issue.message ?? "",
    value: issue.value ?? null,
  };
}

/**
 * Read-only statistics over the validation reports of many jobs, for
 * `importctl errors top|patterns` and `candidates top`. The issues and
 * candidates live in `ops_importjob.report_json` (the same array the API's
 * issues route pages through); they are unnested and counted inside Postgres,
 * so only the counted rows leave the database however large the reports are.
 */
import type { Database } from "@catalog/db";
import { type Kysely, type RawBuilder, sql } from "kysely";

/** Which jobs to look at: created in [since, until), or one job. */
export interface JobWindow {
  since: Date;
  until?: Date;
  jobId?: string;
}

/** Issues of one code. */
export interface IssueCodeStat {
  code: string;
  severity: string;
  /** Issues of this code. */
  issues: number;
  /** Distinct (job, row) pairs with at least one such issue. */
  rows: number;
  jobs: number;
  last_seen: Date;
}

/** Failed jobs of one failure code. */
export interface FailureCodeStat {
  failure_code: string;
  jobs: number;
  last_seen: Date;
}

/** Issues of one code on one column, with examples of the offending values. */
export interface IssuePattern {
  code: string;
  column: string | null;
  severity: string;
  issues: number;
  rows: number;
  jobs: number;
  /** Up to three distinct offending cell values (code-point order). */
  examples: string[];
  /** One of the messages (they differ only by the value). */
  message: string;
}

/** A category, series or brand that validations proposed to create (smart mode). */
export interface CandidateStat {
  type: "category" | "series" | "brand";
  slug: string;
  /** The name proposed by the most recent job. */
  name: string;
  jobs: number;
  /** Rows that needed it, summed over jobs. */
  rows: number;
  /** Whether the catalog holds it now (a commit or an operator created it since). */
  in_catalog: boolean;
  last_seen: Date;
}

/** `expr` when it is a JSON array, else an empty one (a report without that part). */
const jsonArray = (expr: RawBuilder<unknown>) =>
  sql`CASE WHEN jsonb_typeof(${expr}) = 'array' THEN ${expr} ELSE '[]'::jsonb END`;

/** The jobs of the window, with their report, as a CTE body. */
function windowJobs(window: JobWindow) {
  return sql`
    SELECT j.id, j.created_at, j.report_json FROM ops_importjob AS j
    WHERE j.report_json IS NOT NULL
      AND j.created_at >= ${window.since}
      AND (${window.until ?? null}::timestamptz IS NULL OR j.created_at < ${window.until ?? null})
      AND (${window.jobId ?? null}::uuid IS NULL OR j.id = ${window.jobId ?? null})`;
}

/**
 * The issues of the window's jobs (`w`), one row each, as a CTE body; text
 * compared in code-point order (COLLATE "C"), as the reports sort it.
 */
function windowIssues(filter: { severity?: "error" | "warning"; code?: string }) {
  return sql`
    SELECT w.id AS job_id, w.created_at,
      i.issue ->> 'code' COLLATE "C" AS code,
      i.issue ->> 'column' COLLATE "C" AS "column",
      i.issue ->> 'severity' AS severity,
      i.issue ->> 'row' AS row,
      i.issue ->> 'value' COLLATE "C" AS value,
      i.issue ->> 'message' COLLATE "C" AS message
    FROM w, jsonb_array_elements(${jsonArray(sql`w.report_json -> 'issues'`)}) AS i (issue)
    WHERE (${filter.severity ?? null}::text IS NULL OR i.issue ->> 'severity' = ${filter.severity ?? null})
      AND (${filter.code ?? null}::text IS NULL OR i.issue ->> 'code' = ${filter.code ?? null})`;
}

/** How many jobs in the window have a validation report. */
export async function countReportedJobs(db: Kysely<Database>, window: JobWindow): Promise<number> {
  const { rows } = await sql<{ jobs: number }>`
    WITH w AS (${windowJobs(window)}) SELECT count(*)::int AS jobs FROM w`.execute(db);
  return rows[0]?.jobs ?? 0;
}

/** Issue codes by how many issues they raised, most first. */
export async function topIssueCodes(
  db: Kysely<Database>,
  window: JobWindow,
  options: { severity?: "error" | "warning"; limit: number },
): Promise<IssueCodeStat[]> {
  const { rows } = await sql<IssueCodeStat>`
    WITH w AS (${windowJobs(window)}),
    issues AS (${windowIssues(options)})
    SELECT code, severity,
      count(*)::int AS issues,
      count(DISTINCT (job_id, row))::int AS rows,
      count(DISTINCT job_id)::int AS jobs,
      max(created_at) AS last_seen
    FROM issues
    GROUP BY code, severity
    ORDER BY issues DESC, code, severity
    LIMIT ${options.limit}`.execute(db);
  return rows;
}

/** Failure codes of jobs that ended `failed` in the window, most first. */
export async function topFailureCodes(
  db: Kysely<Database>,
  window: JobWindow,
  limit: number,
): Promise<FailureCodeStat[]> {
  const { rows } = await sql<FailureCodeStat>`
    SELECT coalesce(j.failure_code, 'UNKNOWN') COLLATE "C" AS failure_code,
      count(*)::int AS jobs, max(j.created_at) AS last_seen
    FROM ops_importjob AS j
    WHERE j.status = 'failed'
      AND j.created_at >= ${window.since}
      AND (${window.until ?? null}::timestamptz IS NULL OR j.created_at < ${window.until ?? null})
      AND (${window.jobId ?? null}::uuid IS NULL OR j.id = ${window.jobId ?? null})
    GROUP BY 1
    ORDER BY jobs DESC, 1
    LIMIT ${limit}`.execute(db);
  return rows;
}

/** Issues grouped by code and column, most first, with example values. */
export async function issuePatterns(
  db: Kysely<Database>,
  window: JobWindow,
  options: { severity?: "error" | "warning"; code?: string; limit: number },
): Promise<IssuePattern[]> {
  const { rows } = await sql<IssuePattern & { examples: string[] | null }>`
    WITH w AS (${windowJobs(window)}),
    issues AS (${windowIssues(options)})
    SELECT code, "column", severity,
      count(*)::int AS issues,
      count(DISTINCT (job_id, row))::int AS rows,
      count(DISTINCT job_id)::int AS jobs,
      (array_agg(DISTINCT value) FILTER (WHERE value IS NOT NULL))[1:3] AS examples,
      min(message) AS message
    FROM issues
    GROUP BY code, "column", severity
    ORDER BY issues DESC, code, "column", severity
    LIMIT ${options.limit}`.execute(db);
  return rows.map((row) => ({ ...row, examples: row.examples ?? [] }));
}

/** Candidates proposed by the most jobs, with whether the catalog has them now. */
export async function topCandidates(
  db: Kysely<Database>,
  window: JobWindow,
  options: { type?: CandidateStat["type"]; limit: number },
): Promise<CandidateStat[]> {
  const candidates = (type: CandidateStat["type"], key: string) => sql`
    SELECT ${type}::text AS type, w.id AS job_id, w.created_at, e.candidate
    FROM w, jsonb_array_elements(${jsonArray(sql`w.report_json -> 'candidates' -> ${key}`)}) AS e (candidate)`;
  const { rows } = await sql<CandidateStat>`
    WITH w AS (${windowJobs(window)}),
    c AS (
      ${candidates("category", "categories")}
      UNION ALL ${candidates("series", "series")}
      UNION ALL ${candidates("brand", "brands")}
    ),
    ranked AS (
      SELECT type, candidate ->> 'slug' COLLATE "C" AS slug,
        (array_agg(candidate ->> 'name' ORDER BY created_at DESC))[1] AS name,
        count(DISTINCT job_id)::int AS jobs,
        sum(jsonb_array_length(${jsonArray(sql`candidate -> 'rows'`)}))::int AS rows,
        max(created_at) AS last_seen
      FROM c
      WHERE (${options.type ?? null}::text IS NULL OR type = ${options.type ?? null})
      GROUP BY 1, 2
    )
    SELECT r.*,
      CASE r.type
        WHEN 'category' THEN EXISTS (SELECT 1 FROM catalog_category WHERE slug = r.slug)
        WHEN 'series' THEN EXISTS (SELECT 1 FROM catalog_series WHERE slug = r.slug)
        ELSE EXISTS (SELECT 1 FROM catalog_brand WHERE slug = r.slug)
      END AS in_catalog
    FROM ranked AS r
    ORDER BY r.jobs DESC, r.rows DESC, r.type, r.slug
    LIMIT ${options.limit}`.execute(db);
  return rows;
}

/**
 * The job as the API shows it (SPEC §8): status, progress, summary, counts and
 * links. One function so the API and importctl's `--json` agree.
 */
import type { ImportSummary } from "@catalog/core";
import type { ImportJob, JobProgress, ReportStatus } from "@catalog/db";

/** Counts per type of entity, as in the preview and the result. */
export interface EntityCounts {
  candidates: { categories: number; series: number; brands: number };
  products: { create: number; update: number; unchanged: number };
  variants: { create: number; update: number; unchanged: number };
}

/** The validation summary as stored on the job (the core's shape). */
export type StoredSummary = ImportSummary;

/** The summary as the API shows it. */
export interface SummaryResource extends EntityCounts {
  rows: { total: number; valid: number; with_errors: number; with_warnings: number };
  errors: number;
  warnings: number;
}

/** What db_verify found after a commit (SPEC §6). */
export interface DbVerifyResource {
  enabled: true;
  created_entities_found_in_db: boolean;
  verification_details: {
    products: { expected: number; found: number; missing: string[] };
    variants: { expected: number; found: number; missing: string[] };
  };
  created_product_slugs: string[];
  created_variant_model_codes: string[];
}

export interface JobResource {
  id: string;
  status: ImportJob["status"];
  mode: ImportJob["mode"];
  file_name: string;
  file_size: number;
  file_hash: string;
  snapshot_hash: string | null;
  created_by: string;
  created_at: string;
  started_at: string | null;
  validated_at: string | null;
  completed_at: string | null;
  progress: JobProgress | null;
  failure: { code: string; message: string; details: unknown } | null;
  /**
   * Why the last revert request was refused (`details.conflicts`: the keys a
   * later change touched), or null. The job keeps its status: it did not fail.
   */
  revert_refusal: { code: string; message: string; details: unknown; at: string } | null;
  summary: SummaryResource | null;
  result: EntityCounts | null;
  db_verify: DbVerifyResource | null;
  /**
   * Whether the XLSX report of the job's current state can be downloaded:
   * `pending` from the status that asks for it (validated; committed) until its
   * queue work stored it, `ready` then, `failed` when it can never be built;
   * null when the job has no report (it never validated).
   */
  report_status: ReportStatus | null;
  /** When the report now pending or ready was asked for (the job's state changed). */
  report_requested_at: string | null;
  /** When the report of the job's current state was stored; null while pending. */
  report_ready_at: string | null;
  revalidated_from: string | null;
  links: {
    self: string;
    issues: string;
    report: string;
    commit: string;
    revert: string;
    revalidate: string;
  };
}

const iso = (value: Date | null) => (value ? value.toISOString() : null);

/** Reshapes the stored summary for the API. */
export function toSummaryResource(summary: StoredSummary): SummaryResource {
  return {
    rows: {
      total: summary.rows_total,
      valid: summary.rows_valid,
      with_errors: summary.rows_with_errors,
      with_warnings: summary.rows_with_warnings,
    },
    errors: summary.errors,
    warnings: summary.warnings,
    candidates: summary.candidates,
    products: summary.products,
    variants: summary.variants,
  };
}

/** The API representation of `job`; links are absolute under `baseUrl`. */
export function toJobResource(job: ImportJob, baseUrl: string): JobResource {
  const self = `${baseUrl}/api/admin/import-jobs/${job.id}/`;
  return {
    id: job.id,
    status: job.status,
    mode: job.mode,
    file_name: job.file_name,
    file_size: Number(job.file_size),
    file_hash: job.file_hash.trim(),
    snapshot_hash: job.snapshot_hash?.trim() ?? null,
    created_by: job.created_by,
    created_at: job.created_at.toISOString(),
    started_at: iso(job.started_at),
    validated_at: iso(job.validated_at),
    completed_at: iso(job.completed_at),
    progress: job.progress ?? null,
    failure: job.failure_code
      ? {
          code: job.failure_code,
          message: job.failure_message ?? "",
          details: job.failure_details ?? null,
        }
      : null,
    revert_refusal: (job.revert_refusal as JobResource["revert_refusal"]) ?? null,
    summary: job.summary ? toSummaryResource(job.summary as StoredSummary) : null,
    result: (job.result as EntityCounts | null) ?? null,
    db_verify: (job.db_verify as DbVerifyResource | null) ?? null,
    report_status: job.report_status,
    report_requested_at: iso(job.report_requested_at),
    report_ready_at: job.report_status === "ready" ? iso(job.report_ready_at) : null,
    revalidated_from: job.revalidated_from,
    links: {
      self,
      issues: `${self}issues/`,
      report: `${self}report/`,
      commit: `${self}commit/`,
      revert: `${self}revert/`,
      revalidate: `${self}revalidate/`,
    },
  };
}

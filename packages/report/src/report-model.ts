/**
 * The report writer's own input model: everything the XLSX report (SPEC §9) shows,
 * in plain data. It is deliberately independent of the core's result type, so the
 * writer can be tested and benchmarked on its own; the job handler maps one onto the
 * other.
 *
 * Collections are `Iterable`s, so arrays work as they are and large lists can be
 * produced lazily. Each is walked once, in the order given (the core already sorts
 * them, SPEC §4), except `issues`, which is walked twice (a tally for the Summary
 * sheet, then the Issues sheet): a one-shot iterator there (a generator) is copied
 * into an array first, so pass an array or another re-iterable collection to avoid
 * the copy.
 *
 * Every string that came from the uploaded file or from a person (file name, creator,
 * headers, cells, issue column/message/value, candidate slugs and names, normalization
 * values) is written as a text cell exactly as given, never as a formula.
 */

/** A point in time: a `Date`, or text as stored (an ISO 8601 string from Postgres/JSON). */
export type ReportDate = Date | string;

/** Issue severity (SPEC §3). */
export type ReportSeverity = "error" | "warning";

/** The job the report is about (SPEC §7). */
export interface ReportJob {
  id: string;
  /** `validated`, `success`, `partial`, `failed`, ... */
  status: string;
  /** `strict` or `smart`. */
  mode: string;
  /** The name the file was uploaded under. */
  fileName: string;
  /** SHA-256 of the uploaded bytes, hex. */
  fileHash: string;
  createdBy?: string | null;
  createdAt?: ReportDate | null;
  validatedAt?: ReportDate | null;
  completedAt?: ReportDate | null;
}

/** Create / update / unchanged counts of one entity type. */
export interface ReportPlanCounts {
  create: number;
  update: number;
  unchanged: number;
}

/** Candidate counts by type. */
export interface ReportCandidateCounts {
  categories: number;
  series: number;
  brands: number;
}

/** The counts a commit applies (the job's `result`, same shape as the preview's). */
export interface ReportResultCounts {
  candidates: ReportCandidateCounts;
  products: ReportPlanCounts;
  variants: ReportPlanCounts;
}

/** The validate preview's counts (SPEC §4; the fixtures' `summary`). */
export interface ReportSummary extends ReportResultCounts {
  rows_total: number;
  rows_valid: number;
  rows_with_errors: number;
  rows_with_warnings: number;
  errors: number;
  warnings: number;
}

/** The post-commit database check (SPEC §6 `db_verify`). */
export interface ReportDbVerify {
  enabled: boolean;
  created_entities_found_in_db: boolean;
  /** Free-form details; written as JSON text when not a string. */
  verification_details?: unknown;
  created_product_slugs: Iterable<string>;
  created_variant_model_codes: Iterable<string>;
}

/** Why the job failed. */
export interface ReportFailure {
  code: string;
  message: string;
}

/** One row-level (or header-level) issue (SPEC §3). */
export interface ReportIssue {
  /** Spreadsheet line number (the header's own line for header issues). */
  row: number;
  /** Canonical column name, or the header as written for unknown/duplicate columns. */
  column: string;
  code: string;
  severity: ReportSeverity;
  message: string;
  /** The offending cell's text as the user wrote it, if any. */
  value: string | null;
  /**
   * Where the issue sits in the Data sheet, when it is about a data row: the sheet's
   * row (1-based; the header is row 1) and the cell's position in the row (0-based, as
   * in {@link ReportData.header}), `null` when no one cell is concerned. The Issues
   * sheet shows that row and links to the cell.
   */
  dataCell?: { row: number; column: number | null } | null;
}

/** An issue shown on the Data sheet cell it is about. */
export interface ReportCellMark {
  /** The cell's position in the row (0-based, as in {@link ReportData.header}). */
  column: number;
  severity: ReportSeverity;
  code: string;
  message: string;
}

/** One data row of the input, in the input's column layout. */
export interface ReportDataRow {
  /** The row's line in the uploaded sheet (kept for the caller; not written). */
  row: number;
  /**
   * One cell per header column; `null` is an empty cell. Normalized text (prices as
   * `"1234.50"`), or what the file had in a cell an error sits on.
   */
  cells: readonly (string | null)[];
  /** The issues about this row's cells: each cell is filled by severity and noted. */
  marks?: readonly ReportCellMark[];
}

/** The Data sheet: every data row, re-importable as an upload (SPEC §9). */
export interface ReportData {
  /** The column headers the importer reads, as written. */
  header: readonly string[];
  rows: Iterable<ReportDataRow>;
}

/** A category or brand to be created (smart mode). */
export interface ReportCandidate {
  slug: string;
  name: string;
  /** Lines of the rows that need it. */
  rows: readonly number[];
}

/** A series to be created (smart mode), under its category. */
export interface ReportSeriesCandidate extends ReportCandidate {
  category_slug: string;
}

/** Candidates by type (SPEC §4). */
export interface ReportCandidates {
  categories: Iterable<ReportCandidate>;
  series: Iterable<ReportSeriesCandidate>;
  brands: Iterable<ReportCandidate>;
}

/** One entry of the normalization log (SPEC §3). */
export interface ReportNormalization {
  row: number;
  column: string;
  /** What was done: `trim`, `empty_token`, `price`, `disambiguate`, ... */
  kind: string;
  from: string | null;
  to: string | null;
}

/** Everything the report shows; see the module comment for how collections are read. */
export interface ReportModel {
  job: ReportJob;
  summary: ReportSummary;
  /** What commit applied; absent or `null` before a commit. */
  result?: ReportResultCounts | null;
  dbVerify?: ReportDbVerify | null;
  failure?: ReportFailure | null;
  issues: Iterable<ReportIssue>;
  data: ReportData;
  candidates: ReportCandidates;
  normalization: Iterable<ReportNormalization>;
  /** What each issue code means, one sentence each: the Summary shows it next to the count. */
  codeDescriptions?: Readonly<Record<string, string>>;
}

/**
 * The Summary's machine-readable values: one line per fact, as `section | item | value`
 * (`preview | products.create | 14`), for tests and scripts. The Summary writes them
 * below what it says for people, under a header row of their own and the workbook's
 * defined name {@link SUMMARY_VALUES_NAME}. Counts are number cells; everything that
 * came from a person or a file is a text cell.
 */
import { booleanCell, dateText, displayText, joinForCell, numberCell } from "./cell-text";
import type { IssueTally } from "./issue-tally";
import type {
  ReportDbVerify,
  ReportFailure,
  ReportJob,
  ReportResultCounts,
  ReportSummary,
} from "./report-model";
import type { ReportCellValue } from "./sheet-writer";

/** The workbook's defined name of the block (header row included). */
export const SUMMARY_VALUES_NAME = "summary_values";

/** The block's header row. */
export const SUMMARY_VALUES_HEADER = ["section", "item", "value"] as const;

/** What the Summary sheet is made of. */
export interface SummaryInput {
  job: ReportJob;
  summary: ReportSummary;
  result?: ReportResultCounts | null;
  dbVerify?: ReportDbVerify | null;
  failure?: ReportFailure | null;
  tally: IssueTally;
}

/** One machine-readable line. */
export type ValueLine = readonly [section: string, item: string, value: ReportCellValue];

/** Every machine-readable line of `input`, in a fixed order of sections. */
export function summaryValueLines(input: SummaryInput): ValueLine[] {
  return [
    ...jobLines(input.job),
    ...previewLines(input.summary),
    ...(input.result ? countLines("result", input.result) : []),
    ...(input.dbVerify ? dbVerifyLines(input.dbVerify) : []),
    ...(input.failure ? failureLines(input.failure) : []),
    ...issueLines(input.tally),
  ];
}

function jobLines(job: ReportJob): ValueLine[] {
  return [
    ["job", "status", displayText(job.status)],
    ["job", "mode", displayText(job.mode)],
    ["job", "file_name", displayText(job.fileName)],
    ["job", "file_hash", displayText(job.fileHash)],
    ["job", "id", displayText(job.id)],
    ["job", "created_by", displayText(job.createdBy)],
    ["job", "created_at", dateText(job.createdAt)],
    ["job", "validated_at", dateText(job.validatedAt)],
    ["job", "completed_at", dateText(job.completedAt)],
  ];
}

function previewLines(summary: ReportSummary): ValueLine[] {
  return [
    ["preview", "rows_total", numberCell(summary.rows_total)],
    ["preview", "rows_valid", numberCell(summary.rows_valid)],
    ["preview", "rows_with_errors", numberCell(summary.rows_with_errors)],
    ["preview", "rows_with_warnings", numberCell(summary.rows_with_warnings)],
    ["preview", "errors", numberCell(summary.errors)],
    ["preview", "warnings", numberCell(summary.warnings)],
    ...countLines("preview", summary),
  ];
}

function countLines(section: string, counts: ReportResultCounts): ValueLine[] {
  const { candidates, products, variants } = counts;
  return [
    [section, "candidates.categories", numberCell(candidates.categories)],
    [section, "candidates.series", numberCell(candidates.series)],
    [section, "candidates.brands", numberCell(candidates.brands)],
    [section, "products.create", numberCell(products.create)],
    [section, "products.update", numberCell(products.update)],
    [section, "products.unchanged", numberCell(products.unchanged)],
    [section, "variants.create", numberCell(variants.create)],
    [section, "variants.update", numberCell(variants.update)],
    [section, "variants.unchanged", numberCell(variants.unchanged)],
  ];
}

function dbVerifyLines(check: ReportDbVerify): ValueLine[] {
  const slugs = [...check.created_product_slugs];
  const codes = [...check.created_variant_model_codes];
  const details = check.verification_details;
  return [
    ["db_verify", "enabled", booleanCell(check.enabled)],
    ["db_verify", "created_entities_found_in_db", booleanCell(check.created_entities_found_in_db)],
    ["db_verify", "created_product_slugs", slugs.length],
    ["db_verify", "created_product_slugs (list)", joinForCell(slugs)],
    ["db_verify", "created_variant_model_codes", codes.length],
    ["db_verify", "created_variant_model_codes (list)", joinForCell(codes)],
    ...(details === undefined || details === null
      ? []
      : ([["db_verify", "verification_details", detailsText(details)]] as ValueLine[])),
  ];
}

/** `verification_details` as text: as it is when text, else its JSON. */
export function detailsText(details: unknown): string | null {
  if (typeof details === "string") return displayText(details);
  try {
    return displayText(JSON.stringify(details));
  } catch {
    // A cycle or a BigInt: the details are not worth failing the report over.
    return displayText(String(details));
  }
}

function failureLines(failure: ReportFailure): ValueLine[] {
  return [
    ["failure", "code", displayText(failure.code)],
    ["failure", "message", displayText(failure.message)],
  ];
}

function issueLines(tally: IssueTally): ValueLine[] {
  return [
    ...tally.byCode.map(
      ({ severity, code, count }): ValueLine => [
        severity === "error" ? "errors" : "warnings",
        displayText(code) ?? "",
        count,
      ],
    ),
    // The column is the header as written: user text, so a text cell like the message.
    ...tally.headerWarnings.map(
      (issue): ValueLine => [
        "header_warning",
        displayText(issue.column) ?? "",
        displayText(issue.message),
      ],
    ),
  ];
}

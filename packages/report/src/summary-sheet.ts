/**
 * The Summary sheet: one line per fact, as `section | item | value`, so that it reads
 * top to bottom and still filters and sorts like the other sheets. Counts are number
 * cells; everything that came from a person or a file is a text cell.
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
import { openSheet, type ReportCellValue, type WriteContext } from "./sheet-writer";

/** What the Summary sheet is made of. */
export interface SummaryInput {
  job: ReportJob;
  summary: ReportSummary;
  result?: ReportResultCounts | null;
  dbVerify?: ReportDbVerify | null;
  failure?: ReportFailure | null;
  tally: IssueTally;
}

type Line = readonly [section: string, item: string, value: ReportCellValue];

const COLUMNS = [
  { header: "section", width: 16 },
  { header: "item", width: 34 },
  { header: "value", width: 70 },
];

/** Writes the Summary sheet. */
export async function writeSummarySheet(context: WriteContext, input: SummaryInput): Promise<void> {
  const sheet = await openSheet(context, "Summary", COLUMNS);
  const lines = [
    ...jobLines(input.job),
    ...previewLines(input.summary),
    ...(input.result ? countLines("result", input.result) : []),
    ...(input.dbVerify ? dbVerifyLines(input.dbVerify) : []),
    ...(input.failure ? failureLines(input.failure) : []),
    ...issueLines(input.tally),
  ];
  for (const line of lines) await sheet.add(line);
  sheet.close();
}

function jobLines(job: ReportJob): Line[] {
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

function previewLines(summary: ReportSummary): Line[] {
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

function countLines(section: string, counts: ReportResultCounts): Line[] {
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

function dbVerifyLines(check: ReportDbVerify): Line[] {
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
      : ([["db_verify", "verification_details", detailsText(details)]] as Line[])),
  ];
}

function detailsText(details: unknown): string | null {
  if (typeof details === "string") return displayText(details);
  try {
    return displayText(JSON.stringify(details));
  } catch {
    // A cycle or a BigInt: the details are not worth failing the report over.
    return displayText(String(details));
  }
}

function failureLines(failure: ReportFailure): Line[] {
  return [
    ["failure", "code", displayText(failure.code)],
    ["failure", "message", displayText(failure.message)],
  ];
}

function issueLines(tally: IssueTally): Line[] {
  return [
    ...tally.byCode.map(
      ({ severity, code, count }): Line => [
        severity === "error" ? "errors" : "warnings",
        displayText(code) ?? "",
        count,
      ],
    ),
    // The column is the header as written: user text, so a text cell like the message.
    ...tally.headerWarnings.map(
      (issue): Line => [
        "header_warning",
        displayText(issue.column) ?? "",
        displayText(issue.message),
      ],
    ),
  ];
}

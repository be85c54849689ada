/**
 * The Summary sheet, for the person who decides whether to commit: the file, status
 * and mode at the top; how many rows are valid; a small table of the products and
 * variants to create, update or leave unchanged; the candidates; the errors and
 * warnings by code, each with its count and what it means; and what commit will do
 * (or did, with the database check). Below that, the same facts as machine-readable
 * values (summary-values.ts), for tests and scripts.
 *
 * Free-form rather than a table (no header row, filter or frozen pane); sentences that
 * may be long span the sheet's width, wrapped, on rows made tall enough for them.
 */
import type ExcelJS from "exceljs";
import { dateText, displayText } from "./cell-text";
import type { IssueCodeCount } from "./issue-tally";
import type { ReportCandidate, ReportCandidateCounts, ReportResultCounts } from "./report-model";
import { severityStyle } from "./severity-style";
import {
  type CellExtra,
  fontWith,
  openSheet,
  type ReportCellValue,
  type RowOptions,
  type SheetWriter,
  type WriteContext,
} from "./sheet-writer";
import { columnLetters } from "./sheet-xml";
import {
  SUMMARY_VALUES_HEADER,
  SUMMARY_VALUES_NAME,
  type SummaryInput,
  summaryValueLines,
} from "./summary-values";

/** The Summary's own input: the values' input, plus what it shows of the candidates. */
export interface SummarySheetInput extends SummaryInput {
  /** Candidate names by type, to show a few of each (the Candidates sheet lists them all). */
  candidateNames: Record<"categories" | "series" | "brands", Iterable<ReportCandidate>>;
  /** One sentence per issue code. */
  codeDescriptions: Readonly<Record<string, string>>;
}

/** Column widths (characters): label, three counts, then room for text. */
const WIDTHS = [34, 12, 12, 12, 58] as const;
const LAST_COLUMN = WIDTHS.length;

/** Candidate names shown per type before "… and N more". */
const NAMES_SHOWN = 5;

/** Points per line of wrapped text (Calibri 11 in Excel and LibreOffice). */
const LINE_HEIGHT = 15;
/**
 * Characters of text per unit of column width (the width of a "0"): text averages
 * narrower than digits; a little under what Calibri and LibreOffice's substitutes fit,
 * so that a row is rather a line too tall than a line too short.
 */
const CHARS_PER_WIDTH = 1.15;

/**
 * Where the machine-readable block puts section, item and value (1-based columns): the
 * item runs on over the empty columns after it, the value has the wide column.
 */
const VALUE_COLUMNS = [1, 2, LAST_COLUMN] as const;

// Shared, frozen styles (see sheet-writer.ts for why).
const TITLE = Object.freeze<Partial<ExcelJS.Style>>({ font: fontWith({ bold: true, size: 14 }) });
const BOLD = Object.freeze<Partial<ExcelJS.Style>>({ font: fontWith({ bold: true }) });
/** A heading over numbers, aligned with them. */
const BOLD_RIGHT = Object.freeze<Partial<ExcelJS.Style>>({
  font: fontWith({ bold: true }),
  alignment: { horizontal: "right" },
});
const QUIET = Object.freeze<Partial<ExcelJS.Style>>({
  font: fontWith({ italic: true, color: { argb: "FF595959" } }),
});
const TOP = Object.freeze<Partial<ExcelJS.Style>>({ alignment: { vertical: "top" } });
const WRAPPED = Object.freeze<Partial<ExcelJS.Style>>({
  alignment: { wrapText: true, vertical: "top" },
});
/** Wrapped text right of a count: set off from it. */
const WRAPPED_AFTER_COUNT = Object.freeze<Partial<ExcelJS.Style>>({
  alignment: { wrapText: true, vertical: "top", indent: 1 },
});
const LEFT = Object.freeze<Partial<ExcelJS.Style>>({ alignment: { horizontal: "left" } });
const CODE_STYLES: Readonly<Record<"error" | "warning", Partial<ExcelJS.Style>>> = {
  error: Object.freeze({ ...severityStyle("error"), ...TOP }),
  warning: Object.freeze({ ...severityStyle("warning"), ...TOP }),
};

/** One row of the sheet. */
interface SummaryRow {
  values: readonly ReportCellValue[];
  /** Styles by cell position (none: plain). */
  styles?: readonly (Partial<ExcelJS.Style> | undefined)[];
  /** The last value's text runs to the sheet's last column, wrapped. */
  wrap?: boolean;
}

const blank: SummaryRow = { values: [] };

/** Writes the Summary sheet and names its machine-readable block. */
export async function writeSummarySheet(
  context: WriteContext,
  input: SummarySheetInput,
): Promise<void> {
  const sheet = await openSheet(
    context,
    "Summary",
    WIDTHS.map((width) => ({ header: "", width })),
    {
      header: false,
      pageSetup: { orientation: "landscape", fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
    },
  );
  const rows = [
    ...headRows(input),
    blank,
    ...rowCountRows(input),
    blank,
    ...changeTable("Planned", input.summary),
    ...(input.result ? [blank, ...changeTable("Applied by commit", input.result)] : []),
    blank,
    ...candidateRows(input),
    blank,
    ...issueRows("Errors", input.tally.byCode, "error", input.codeDescriptions),
    blank,
    ...issueRows("Warnings", input.tally.byCode, "warning", input.codeDescriptions),
    ...ignoredColumnRows(input),
    blank,
    { values: ["Commit"], styles: [BOLD] },
    ...commitSentences(input).map((text): SummaryRow => ({ values: [text], wrap: true })),
    blank,
    blank,
  ];
  for (const row of rows) await sheet.add(row.values, rowOptions(row));
  await writeValues(context, sheet, input);
  await sheet.close();
}

/** The machine-readable block, under a header row, named {@link SUMMARY_VALUES_NAME}. */
async function writeValues(
  context: WriteContext,
  sheet: SheetWriter,
  input: SummaryInput,
): Promise<void> {
  await sheet.add([`Machine-readable values, for scripts (defined name ${SUMMARY_VALUES_NAME})`], {
    style: QUIET,
  });
  const spread = (values: readonly ReportCellValue[]) => {
    const cells: ReportCellValue[] = Array(LAST_COLUMN).fill(null);
    VALUE_COLUMNS.forEach((column, index) => {
      cells[column - 1] = values[index] ?? null;
    });
    return cells;
  };
  await sheet.add(spread(SUMMARY_VALUES_HEADER), { style: BOLD });
  const first = sheet.rowCount;
  const value = { cells: new Map([[LAST_COLUMN - 1, { style: LEFT }]]) };
  for (const line of summaryValueLines(input)) await sheet.add(spread(line), value);
  context.workbook.definedNames.add(
    `Summary!$A$${first}:$${columnLetters(LAST_COLUMN - 1)}$${sheet.rowCount}`,
    SUMMARY_VALUES_NAME,
  );
}

/** A row's styles, and its wrapping across the sheet. */
function rowOptions({ values, styles, wrap }: SummaryRow): RowOptions {
  const cells = new Map<number, CellExtra>();
  styles?.forEach((style, index) => {
    if (style) cells.set(index, { style });
  });
  if (!wrap || values.length === 0) return { cells };
  const last = values.length - 1;
  const text = String(values[last] ?? "");
  const width = WIDTHS.slice(last).reduce((sum, columnWidth) => sum + columnWidth, 0);
  cells.set(last, { style: last > 0 ? WRAPPED_AFTER_COUNT : WRAPPED });
  const lines = Math.max(1, Math.ceil(text.length / (width * CHARS_PER_WIDTH)));
  return { cells, mergeFrom: last, ...(lines > 1 ? { height: lines * LINE_HEIGHT } : {}) };
}

function headRows({ job, failure }: SummarySheetInput): SummaryRow[] {
  const fact = (label: string, value: ReportCellValue, style?: Partial<ExcelJS.Style>) => ({
    values: [label, value],
    styles: [BOLD, style],
  });
  return [
    { values: ["Import report"], styles: [TITLE] },
    blank,
    fact("File", displayText(job.fileName)),
    fact("Status", statusText(job.status, failure?.code), BOLD),
    fact("Mode", modeText(job.mode)),
    fact("Job", displayText(job.id)),
    fact("Uploaded by", displayText(job.createdBy)),
    fact("Uploaded at", dateText(job.createdAt)),
    fact("Validated at", dateText(job.validatedAt)),
    ...(job.completedAt ? [fact("Completed at", dateText(job.completedAt))] : []),
  ];
}

/** What a status means for the person reading. */
function statusText(status: string, failureCode: string | undefined): string {
  switch (status) {
    case "validated":
      return "validated: ready to commit (nothing is written yet)";
    case "running":
      return "running: the commit is being applied";
    case "success":
      return "success: committed";
    case "partial":
      return "partial: committed without the rows in error";
    case "failed":
      return `failed${failureCode ? `: ${displayText(failureCode)}` : ""}`;
    case "reverted":
      return "reverted: the commit was undone";
    case "cancelled":
      return "cancelled: nothing was written";
    default:
      return displayText(status) ?? "";
  }
}

function modeText(mode: string): string {
  if (mode === "strict") return "strict: a category, series or brand the catalog lacks is an error";
  if (mode === "smart")
    return "smart: the categories, series and brands the catalog lacks are created";
  return displayText(mode) ?? "";
}

function rowCountRows({ summary }: SummarySheetInput): SummaryRow[] {
  return [
    { values: ["Rows in the file", summary.rows_total], styles: [BOLD, BOLD] },
    { values: ["valid", summary.rows_valid] },
    { values: ["with errors (left out of the commit)", summary.rows_with_errors] },
    { values: ["with warnings", summary.rows_with_warnings] },
  ];
}

function changeTable(title: string, counts: ReportResultCounts): SummaryRow[] {
  const { products, variants } = counts;
  return [
    {
      values: [title, "create", "update", "unchanged"],
      styles: [BOLD, BOLD_RIGHT, BOLD_RIGHT, BOLD_RIGHT],
    },
    { values: ["Products", products.create, products.update, products.unchanged] },
    { values: ["Variants", variants.create, variants.update, variants.unchanged] },
  ];
}

function candidateRows({ summary, job, candidateNames }: SummarySheetInput): SummaryRow[] {
  const counts = summary.candidates;
  const title: SummaryRow = {
    values: ["Candidates (new in the catalog)", "count", "names (all in the Candidates sheet)"],
    styles: [BOLD, BOLD_RIGHT, BOLD],
  };
  if (counts.categories + counts.series + counts.brands === 0) {
    const none =
      job.mode === "strict"
        ? "None: strict mode creates no category, series or brand."
        : "None: the catalog has every category, series and brand the valid rows name.";
    return [title, { values: [none], wrap: true }];
  }
  return [
    title,
    candidateRow("Categories", counts.categories, candidateNames.categories),
    candidateRow("Series", counts.series, candidateNames.series),
    candidateRow("Brands", counts.brands, candidateNames.brands),
  ];
}

function candidateRow(
  label: string,
  count: number,
  candidates: Iterable<ReportCandidate>,
): SummaryRow {
  const names: string[] = [];
  for (const candidate of candidates) {
    if (names.length === NAMES_SHOWN) break;
    names.push(displayText(candidate.name) ?? "");
  }
  const more = count > names.length ? ` … and ${count - names.length} more` : "";
  return { values: [label, count, `${names.join(", ")}${more}`], wrap: true };
}

function issueRows(
  title: string,
  byCode: readonly IssueCodeCount[],
  severity: "error" | "warning",
  descriptions: Readonly<Record<string, string>>,
): SummaryRow[] {
  const codes = byCode.filter((entry) => entry.severity === severity);
  const head: SummaryRow = {
    values: [title, "count", "what it means"],
    styles: [BOLD, BOLD_RIGHT, BOLD],
  };
  if (codes.length === 0) return [head, { values: ["None."] }];
  const style = CODE_STYLES[severity];
  return [
    head,
    ...codes.map(
      ({ code, count }): SummaryRow => ({
        values: [displayText(code), count, displayText(descriptions[code] ?? "") ?? ""],
        styles: [style, TOP],
        wrap: true,
      }),
    ),
  ];
}

function ignoredColumnRows({ tally }: SummarySheetInput): SummaryRow[] {
  if (tally.headerWarnings.length === 0) return [];
  const columns = tally.headerWarnings.map((issue) => `"${issue.column}"`).join(", ");
  return [
    {
      values: [`Columns ignored (not in the Data sheet): ${displayText(columns)}`],
      wrap: true,
    },
  ];
}

/** What commit will do, or did. */
function commitSentences(input: SummarySheetInput): string[] {
  const { job, summary, result, failure } = input;
  const errorRows = summary.rows_with_errors;
  const fix = "fix the marked cells in the Data sheet and upload this file again";
  if (failure && !result) {
    return [
      `The job failed (${displayText(failure.code)}): ${displayText(failure.message)}`,
      "Nothing was written to the catalog.",
    ];
  }
  if (job.status === "cancelled") return ["The job was cancelled: nothing was written."];
  if (result) {
    return [
      `Commit ${changesText(result, true)}.`,
      ...dbVerifySentences(input),
      ...(job.status === "reverted"
        ? ["The commit was reverted since: its changes are undone."]
        : []),
      ...(errorRows > 0
        ? [
            `${rowCount(errorRows)} with errors ${errorRows === 1 ? "was" : "were"} left out: ${fix}; the rows already committed plan no change.`,
          ]
        : []),
    ];
  }
  if (summary.rows_valid === 0) {
    return [`Commit has nothing to apply: every row has an error. To import them, ${fix}.`];
  }
  return [
    `Commit will ${changesText(summary, false)}, in one transaction.`,
    errorRows > 0
      ? `${rowCount(errorRows)} with errors ${errorRows === 1 ? "is" : "are"} left out: commit refuses unless allow_partial is true. To import them too, ${fix}.`
      : "Commit applies exactly this plan, or refuses and writes nothing if the catalog changed since validation.",
  ];
}

function dbVerifySentences({ dbVerify }: SummarySheetInput): string[] {
  if (!dbVerify) return [];
  if (!dbVerify.enabled) return ["The database check after commit (db_verify) did not run."];
  const products = [...dbVerify.created_product_slugs].length;
  const variants = [...dbVerify.created_variant_model_codes].length;
  if (dbVerify.created_entities_found_in_db) {
    return [
      `Database check (db_verify): all ${count(products, "created product")} and ${count(variants, "created variant")} were found in the database.`,
    ];
  }
  return [
    `Database check (db_verify) FAILED: not every one of the ${count(products, "created product")} and ${count(variants, "created variant")} was found (see verification_details below).`,
  ];
}

/** "create 14 products and 27 variants, update …": the non-zero parts of `counts`. */
function changesText(counts: ReportResultCounts, past: boolean): string {
  const { products: p, variants: v } = counts;
  const both = (products: number, variants: number) =>
    `${count(products, "product")} and ${count(variants, "variant")}`;
  const parts: string[] = [];
  if (p.create || v.create)
    parts.push(`${past ? "created" : "create"} ${both(p.create, v.create)}`);
  if (p.update || v.update)
    parts.push(`${past ? "updated" : "update"} ${both(p.update, v.update)}`);
  if (p.unchanged || v.unchanged) {
    parts.push(`${past ? "left" : "leave"} ${both(p.unchanged, v.unchanged)} unchanged`);
  }
  const candidates = candidatesText(counts.candidates);
  if (candidates) parts.push(`${past ? "added" : "add"} ${candidates} to the catalog`);
  if (parts.length === 0) return past ? "changed nothing" : "change nothing";
  return parts.length === 1
    ? (parts[0] ?? "")
    : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;
}

function candidatesText(counts: ReportCandidateCounts): string {
  if (counts.categories + counts.series + counts.brands === 0) return "";
  return `${count(counts.categories, "category")}, ${count(counts.series, "series")} and ${count(counts.brands, "brand")}`;
}

const PLURALS: Readonly<Record<string, string>> = { category: "categories", series: "series" };

/** `14 products`, `1 category`, `3 series`. */
function count(n: number, noun: string): string {
  if (n === 1) return `1 ${noun}`;
  const words = noun.split(" ");
  const last = words.pop() ?? noun;
  return `${n} ${[...words, PLURALS[last] ?? `${last}s`].join(" ")}`;
}

function rowCount(n: number): string {
  return count(n, "row");
}

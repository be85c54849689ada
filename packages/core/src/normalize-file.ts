/**
 * normalizeFile (SPEC §3): finds the header, maps it, fails the file when a required
 * column is missing or a limit is exceeded, skips blank rows, normalizes every data
 * row and disambiguates the model codes file-wide.
 */
import { isBlankCell } from "./cell-text";
import { disambiguateModelCodes } from "./disambiguate-model-codes";
import { FatalImportError } from "./fatal-import-error";
import { type CanonicalColumn, type HeaderMap, mapHeader, missingColumns } from "./header-map";
import { makeIssue } from "./issue";
import type { NormalizationLogEntry } from "./normalization-log";
import { codePointLength, MAX_MODEL_CODE, normalizeRow } from "./normalize-row";
import type { ImportLimits, NormalizedFile, NormalizedRow } from "./normalized-file";
import type { RawRow } from "./raw-row";

/** A row whose every cell, under any column, is empty or an empty token. */
export function isBlankRow(row: RawRow): boolean {
  return row.cells.every((cell) => isBlankCell(cell));
}

const REQUIRED_COLUMNS: readonly CanonicalColumn[] = ["category", "title_tr", "model_code"];

/**
 * Normalizes a sheet's rows (as a reader returns them) under `limits`.
 *
 * @throws FatalImportError MISSING_COLUMN (details `{missing}`: canonical names) when
 *   a required column is absent, ROW_LIMIT_EXCEEDED when the file has more data rows
 *   than `maxVariants` or more distinct products than `maxProducts`.
 */
export function normalizeFile(rows: readonly RawRow[], limits: ImportLimits): NormalizedFile {
  const headerIndex = rows.findIndex((row) => !isBlankRow(row));
  const headerRaw = rows[headerIndex];
  if (headerIndex < 0 || !headerRaw) {
    throw new FatalImportError("MISSING_COLUMN", "The file has no header row.", {
      missing: [...REQUIRED_COLUMNS],
    });
  }
  const header = mapHeader(headerRaw.cells, headerRaw.row);
  const missing = missingColumns(header);
  if (missing.length > 0) {
    throw new FatalImportError(
      "MISSING_COLUMN",
      `Required column(s) missing from the header: ${missing.map(describeRequired).join(", ")}.`,
      { missing },
    );
  }

  const dataRows = rows.slice(headerIndex + 1).filter((row) => !isBlankRow(row));
  if (dataRows.length > limits.maxVariants) {
    throw new FatalImportError(
      "ROW_LIMIT_EXCEEDED",
      `The file has ${dataRows.length} data rows; at most ${limits.maxVariants} are allowed.`,
      { rows: dataRows.length, limit: limits.maxVariants },
    );
  }

  const log: NormalizationLogEntry[] = [];
  const normalized = dataRows.map((row) =>
    normalizeRow(row, header, limits, (entry) => log.push(entry)),
  );
  applyModelCodes(normalized, header, log);
  checkProductLimit(normalized, limits);
  return {
    headerRow: header.row,
    columns: header.columns,
    headerIssues: header.issues,
    rows: normalized,
    // Stable sort: a row's entries keep the order in which they were made.
    normalizationLog: log.sort((a, b) => a.row - b.row),
    limits,
  };
}

function describeRequired(column: CanonicalColumn): string {
  if (column === "category") return "category (or category_slug)";
  if (column === "title_tr") return "title_tr or title_en";
  return column;
}

/** Disambiguates model codes over every row that has one, then checks their length. */
function applyModelCodes(
  rows: NormalizedRow[],
  header: HeaderMap,
  log: NormalizationLogEntry[],
): void {
  const cellIndex = header.columns.findIndex(
    (column) => column.role.kind === "field" && column.role.field === "model_code",
  );
  const codes = disambiguateModelCodes(rows.map((row) => row.values.model_code));
  rows.forEach((row, index) => {
    const written = row.values.model_code;
    const code = codes[index] ?? null;
    if (written === null || code === null) return;
    if (code !== written) {
      row.values.model_code = code;
      row.cells[cellIndex] = code;
      log.push({
        row: row.row,
        column: "model_code",
        kind: "model_code_disambiguated",
        from: written,
        to: code,
      });
      row.issues.push(
        makeIssue(
          row.row,
          "model_code",
          "MODEL_CODE_DISAMBIGUATED",
          `Model code "${written}" appears earlier in the file; this row's variant is "${code}".`,
          written,
        ),
      );
    }
    const length = codePointLength(code);
    if (length > MAX_MODEL_CODE) {
      row.issues.push(
        makeIssue(
          row.row,
          "model_code",
          "VALUE_TOO_LONG",
          `The model code is ${length} characters long; at most ${MAX_MODEL_CODE} are allowed.`,
          code,
        ),
      );
    }
  });
}

/** Fails the file when it holds more distinct product slugs than `maxProducts`. */
function checkProductLimit(rows: readonly NormalizedRow[], limits: ImportLimits): void {
  const products = new Set(rows.flatMap((row) => (row.productSlug ? [row.productSlug] : [])));
  if (products.size <= limits.maxProducts) return;
  throw new FatalImportError(
    "ROW_LIMIT_EXCEEDED",
    `The file has ${products.size} products; at most ${limits.maxProducts} are allowed.`,
    { products: products.size, limit: limits.maxProducts },
  );
}

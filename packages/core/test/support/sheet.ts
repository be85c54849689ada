/**
 * Test-only: builds RawRows and normalizes/plans them in one call, so each unit test
 * states its sheet as plainly as a spreadsheet.
 */
import {
  type CatalogView,
  type CellValue,
  emptyCatalogView,
  type ImportLimits,
  type ImportMode,
  type ImportResult,
  type NormalizedFile,
  normalizeFile,
  planImport,
  type RawRow,
} from "@catalog/core";

/** The SPEC §12 defaults. */
export const LIMITS: ImportLimits = {
  maxProducts: 5_000,
  maxVariants: 10_000,
  maxSpecsPerVariant: 50,
};

/** The header and rows as RawRows numbered from line 1. */
export function sheet(header: CellValue[], ...rows: CellValue[][]): RawRow[] {
  return [header, ...rows].map((cells, index) => ({ row: index + 1, cells }));
}

/** The usual header of the tests. */
export const HEADER = [
  "category",
  "series",
  "brand",
  "title_tr",
  "title_en",
  "model_code",
  "price",
];

/** Normalizes `rows` under `limits`. */
export function normalize(rows: RawRow[], limits: Partial<ImportLimits> = {}): NormalizedFile {
  return normalizeFile(rows, { ...LIMITS, ...limits });
}

/** Normalizes and plans `rows` against `catalog`. */
export function plan(
  rows: RawRow[],
  catalog: CatalogView = emptyCatalogView(),
  mode: ImportMode = "smart",
): ImportResult {
  return planImport(normalize(rows), catalog, mode);
}

/** The issues of a result as `row:column:code` strings, in result order. */
export function issueKeys(result: Pick<ImportResult, "issues">): string[] {
  return result.issues.map((issue) => `${issue.row}:${issue.column}:${issue.code}`);
}

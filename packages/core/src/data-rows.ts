/**
 * The Data sheet of the report (SPEC §9): every valid row's normalized values in the
 * input's column layout — headers as written, cells as normalized text, model codes
 * after disambiguation, prices as two-decimal strings — so that importing the sheet
 * after the job was committed plans zero changes.
 */
import type { CheckedRow } from "./checked-row";
import type { NormalizedFile } from "./normalized-file";

/** A table in the input's layout. */
export interface DataRows {
  /** The header row as written (trimmed), one entry per column. */
  headers: string[];
  /** Valid rows in file order, with their sheet line numbers. */
  rows: { row: number; cells: (string | null)[] }[];
}

/** The Data sheet of `file`'s valid rows. */
export function buildDataRows(file: NormalizedFile, validRows: readonly CheckedRow[]): DataRows {
  return {
    headers: file.columns.map((column) => column.header),
    rows: validRows.map(({ row }) => ({ row: row.row, cells: [...row.cells] })),
  };
}

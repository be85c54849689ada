/**
 * The Data sheet of the report (SPEC §9): every data row of the file, in file order,
 * under the columns the importer reads (headers as written; columns it ignores are
 * left out, so the sheet re-imports without warnings about them). A cell holds its
 * normalized value (model codes after disambiguation, prices as two-decimal strings,
 * slugs slugified), except a cell an error sits on: that one keeps what the file had,
 * so a person sees what to fix and a row left as it is re-imports with the same error.
 * Importing the sheet after the job was committed plans zero changes to the rows that
 * were committed.
 */
import { cellAsText } from "./cell-text";
import type { CheckedRow } from "./checked-row";
import type { Issue } from "./issue";
import { issueCell } from "./issue-cell";
import type { NormalizedFile } from "./normalized-file";

/** Where one issue sits in the Data sheet. */
export interface DataRowMark {
  /** The issue's position in the snapshot's (the result's) `issues`. */
  issue: number;
  /** The cell's position in the row (and in `headers`). */
  cell: number;
}

/** One data row of the file. */
export interface DataRow {
  /** The row's line in the file. */
  row: number;
  /** One per column of `headers`: normalized text, or the file's text where an error sits. */
  cells: (string | null)[];
  /** The row's issues that sit on one of its cells; absent when there are none. */
  marks?: DataRowMark[];
}

/** A table in the input's layout. */
export interface DataRows {
  /** The headers of the columns the importer reads, as written (trimmed). */
  headers: string[];
  /** Every non-blank data row, in file order. */
  rows: DataRow[];
}

/**
 * The Data sheet of `file`: `rows` are its rows with all their issues, `issues` the
 * result's sorted list of them (which marks point into).
 */
export function buildDataRows(
  file: NormalizedFile,
  rows: readonly CheckedRow[],
  issues: readonly Issue[],
): DataRows {
  const columns = file.columns.filter((column) => column.role.kind !== "ignored");
  const positions = new Map(issues.map((issue, index) => [issue, index]));
  const everyColumnRead = columns.length === file.columns.length;
  return {
    headers: columns.map((column) => column.header),
    rows: rows.map(({ row, issues: rowIssues }): DataRow => {
      const marks: DataRowMark[] = [];
      const errorCells = new Set<number>();
      for (const issue of rowIssues) {
        const cell = issueCell(issue, columns, row, file.limits.maxSpecsPerVariant);
        const position = positions.get(issue);
        if (cell === null || position === undefined) continue;
        marks.push({ issue: position, cell });
        if (issue.severity === "error") errorCells.add(cell);
      }
      // Every column read and no error cell: the row's normalized cells are the
      // Data sheet row as they are (one array held, not two).
      const cells =
        everyColumnRead && errorCells.size === 0
          ? row.cells
          : columns.map((column, position) =>
              errorCells.has(position)
                ? cellAsText(row.rawCells[column.index]).text
                : (row.cells[column.index] ?? null),
            );
      if (marks.length === 0) return { row: row.row, cells };
      return { row: row.row, cells, marks: marks.sort((a, b) => a.issue - b.issue) };
    }),
  };
}

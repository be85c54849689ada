/**
 * Collects the rows a reader decodes and applies the limits that hold for every file
 * kind as each row arrives (columns, cell length, row count, abort), so that a reader
 * stops at the first row past a limit instead of reading the rest of the file.
 */
import { type CellValue, FatalImportError, type RawRow } from "@catalog/core";
import type { ReadLimits } from "./read-limits";

/** Gathers {@link RawRow}s under {@link ReadLimits}; throws on the first row past one. */
export class RowCollector {
  readonly rows: RawRow[] = [];
  private nonBlankRows = 0;

  constructor(
    private readonly limits: ReadLimits,
    private readonly signal?: AbortSignal,
  ) {}

  /**
   * Adds sheet line `row`. Trailing blank cells are dropped and a line with no
   * non-blank cell is not kept (its number is simply skipped). A cell is blank when
   * it is `null` or whitespace-only text: the core decides everything finer.
   */
  add(row: number, cells: CellValue[]): void {
    this.signal?.throwIfAborted();
    let width = cells.length;
    while (width > 0 && isBlankCell(cells[width - 1])) width--;
    if (width === 0) return;
    this.assertColumn(row, width);
    const kept = width === cells.length ? cells : cells.slice(0, width);
    kept.forEach((cell, index) => {
      if (typeof cell === "string" && cell.length > this.limits.maxCellChars) {
        throw new FatalImportError(
          "CELL_TOO_LONG",
          `row ${row}, column ${index + 1}: a cell of ${cell.length} characters is over the ${this.limits.maxCellChars}-character limit`,
          { row, column: index + 1, length: cell.length, limit: this.limits.maxCellChars },
        );
      }
    });
    this.nonBlankRows++;
    // The header is a row too: a file may hold maxDataRows rows under it.
    if (this.nonBlankRows > this.limits.maxDataRows + 1) {
      throw new FatalImportError(
        "ROW_LIMIT_EXCEEDED",
        `the file has more than ${this.limits.maxDataRows} data rows (reading stopped at row ${row})`,
        { row, limit: this.limits.maxDataRows },
      );
    }
    this.rows.push({ row, cells: kept });
  }

  /** Fails when a non-blank cell sits at 1-based `column` beyond the column limit. */
  assertColumn(row: number, column: number): void {
    if (column > this.limits.maxColumns) {
      throw new FatalImportError(
        "TOO_MANY_COLUMNS",
        `row ${row} has a value in column ${column}, over the ${this.limits.maxColumns}-column limit`,
        { row, column, limit: this.limits.maxColumns },
      );
    }
  }
}

/** `null`, or text with nothing but whitespace. */
export function isBlankCell(cell: CellValue | undefined): boolean {
  return cell === null || cell === undefined || (typeof cell === "string" && cell.trim() === "");
}

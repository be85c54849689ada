/**
 * The shape in which readers hand a sheet to the core: one entry per line of the
 * sheet (XLSX) or record (CSV), cells in column order as the file holds them.
 * Readers do no normalization beyond decoding; the core decides what is blank,
 * what the header is and what each cell means.
 */

/** A cell as decoded from the file: text, a number (numeric XLSX cells), a boolean or a date, or nothing. */
export type CellValue = string | number | boolean | Date | null;

/** One line of the sheet. */
export interface RawRow {
  /** 1-based line number in the sheet (CSV: record number, header record = 1). Blank lines count. */
  row: number;
  /** Cells by 0-based column index; a missing cell is `null`. */
  cells: CellValue[];
}

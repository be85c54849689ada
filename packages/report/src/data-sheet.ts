/**
 * The Data sheet: every data row of the input under the importer's own headers, so
 * that a person can fix it in place and upload the report as is (SPEC §9: after the
 * commit it plans zero changes to the committed rows). Every cell is text exactly as
 * given (a price stays "1234.50", a code "6010"), never a number, never cut, never
 * prefixed, and the sheet is named `Data`, which the readers pick over the others.
 *
 * A cell with an issue is marked where it is, without a column of its own that the
 * importer would report as unknown: filled by severity (red for an error, amber for a
 * warning) and noted with the message.
 */
import { displayText, textCell } from "./cell-text";
import type { ReportCellMark, ReportData, ReportDataRow } from "./report-model";
import { severityRank, severityStyle } from "./severity-style";
import { type CellExtra, openSheet, type WriteContext, widthForHeader } from "./sheet-writer";

/** Rows looked at for the column widths. */
const WIDTH_SAMPLE_ROWS = 200;
/** The widest a column gets from its cells (characters). */
const MAX_CELL_WIDTH = 40;

/** What {@link writeDataSheet} wrote. */
export interface DataSheetCounts {
  rows: number;
  /** Rows with at least one marked cell. */
  markedRows: number;
}

/** Writes the Data sheet. */
export async function writeDataSheet(
  context: WriteContext,
  data: ReportData,
): Promise<DataSheetCounts> {
  const header = data.header.map((name) => textCell(name) ?? "");
  const widths = columnWidths(header, data.rows);
  const sheet = await openSheet(
    context,
    "Data",
    header.map((name, index) => ({ header: name, width: widths[index] ?? widthForHeader(name) })),
    { pageSetup: { orientation: "landscape" }, notes: noteText },
  );
  let rows = 0;
  let markedRows = 0;
  for (const row of data.rows) {
    const marks = row.marks ?? [];
    const cells = marks.length === 0 ? undefined : markedCells(marks, header.length);
    await sheet.add(row.cells.map(textCell), cells ? { cells } : undefined);
    rows++;
    if (marks.length > 0) markedRows++;
  }
  await sheet.close();
  return { rows, markedRows };
}

/**
 * Column widths from the header and, when the rows are an array (which can be looked
 * at before it is written), from the cells of its first rows: enough to read most
 * values of a column without holding or scanning the whole sheet.
 */
function columnWidths(header: readonly string[], rows: Iterable<ReportDataRow>): number[] {
  const widths = header.map(widthForHeader);
  if (!Array.isArray(rows)) return widths;
  for (const row of (rows as readonly ReportDataRow[]).slice(0, WIDTH_SAMPLE_ROWS)) {
    row.cells.forEach((cell, index) => {
      const width = widths[index];
      if (width === undefined || typeof cell !== "string") return;
      widths[index] = Math.max(width, Math.min(MAX_CELL_WIDTH, cell.length + 2));
    });
  }
  return widths;
}

/**
 * The marked cells of a row: each filled by its first mark's severity and noted with
 * all of them; several issues on one cell share one note, errors first.
 */
function markedCells(marks: readonly ReportCellMark[], width: number): Map<number, CellExtra> {
  const [only] = marks;
  if (marks.length === 1 && only) {
    // The usual case, without the grouping below.
    return inRange(only.column, width) ? new Map([[only.column, markedCell([only])]]) : new Map();
  }
  const byCell = new Map<number, ReportCellMark[]>();
  for (const mark of marks) {
    if (!inRange(mark.column, width)) continue;
    const list = byCell.get(mark.column);
    if (list) list.push(mark);
    else byCell.set(mark.column, [mark]);
  }
  const cells = new Map<number, CellExtra>();
  for (const [column, list] of byCell) {
    list.sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
    cells.set(column, markedCell(list));
  }
  return cells;
}

/** A mark outside the header's columns has no cell to sit on. */
function inRange(column: number, width: number): boolean {
  return Number.isInteger(column) && column >= 0 && column < width;
}

/** A marked cell: the note's source is the model's mark (or marks), its text made later. */
function markedCell(marks: readonly ReportCellMark[]): CellExtra {
  const [only] = marks;
  return {
    style: severityStyle(only?.severity ?? "warning"),
    note: marks.length === 1 && only ? only : marks,
  };
}

/** A note's text: each mark's code and message, one per line. */
function noteText(source: object): string {
  const marks = Array.isArray(source) ? (source as ReportCellMark[]) : [source as ReportCellMark];
  return displayText(marks.map((mark) => `${mark.code}: ${mark.message}`).join("\n")) ?? "";
}

/**
 * Reading a job's XLSX report in tests as a person would use it: its Issues (each with
 * the Data sheet cell it links to), its Data sheet's marked cells (fill and note), and
 * fixing cells of the Data sheet before uploading the report again.
 */
import ExcelJS from "exceljs";

/** The report's bytes, loaded with exceljs's full reader (as a spreadsheet program would). */
export async function loadReport(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  return workbook;
}

/** A sheet by name; fails the test when it is missing. */
export function sheetOf(workbook: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const sheet = workbook.getWorksheet(name);
  if (!sheet) throw new Error(`the report has no ${name} sheet`);
  return sheet;
}

/** One line of the Issues sheet. */
export interface ReportedIssue {
  fileRow: number;
  dataRow: number | null;
  /** The Data sheet cell it links to (`H7`), or null. */
  cell: string | null;
  column: string;
  code: string;
  severity: string;
  message: string;
}

/** Every line of the Issues sheet. */
export function reportedIssues(workbook: ExcelJS.Workbook): ReportedIssue[] {
  const issues: ReportedIssue[] = [];
  sheetOf(workbook, "Issues").eachRow((row, number) => {
    if (number === 1) return;
    const value = (column: number) => row.getCell(column).value;
    issues.push({
      fileRow: value(1) as number,
      dataRow: (value(2) as number | null) ?? null,
      cell: (value(3) as string | null) ?? null,
      column: String(value(4)),
      code: String(value(5)),
      severity: String(value(6)),
      message: String(value(7)),
    });
  });
  return issues;
}

/** A cell's note as plain text (exceljs reads a note as a string or as rich text). */
export function noteOf(cell: ExcelJS.Cell): string | undefined {
  const note = cell.note as string | { texts?: { text: string }[] } | undefined;
  if (note === undefined || typeof note === "string") return note;
  return note.texts?.map((part) => part.text).join("");
}

/** A cell's solid fill colour (ARGB), if any. */
export function fillOf(cell: ExcelJS.Cell): string | undefined {
  const { fill } = cell;
  return fill?.type === "pattern" ? fill.fgColor?.argb : undefined;
}

/** The report's fill for a cell with an error. */
export const ERROR_FILL = "FFFFC7CE";

/** The Data sheet's rows (after the header) that have a filled or noted cell. */
export function markedDataRows(workbook: ExcelJS.Workbook): number[] {
  const rows: number[] = [];
  const data = sheetOf(workbook, "Data");
  for (let row = 2; row <= data.rowCount; row++) {
    let marked = false;
    data.getRow(row).eachCell({ includeEmpty: true }, (cell) => {
      if (fillOf(cell) !== undefined || noteOf(cell) !== undefined) marked = true;
    });
    if (marked) rows.push(row);
  }
  return rows;
}

/** The workbook as XLSX bytes, as a spreadsheet program saves it. */
export async function saveReport(workbook: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

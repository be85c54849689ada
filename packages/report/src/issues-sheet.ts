/**
 * The Issues sheet: one row per issue with its spreadsheet line, so a person can go
 * from here to the cell in their file. The severity cell is filled red for errors and
 * amber for warnings (Excel's own "Bad" and "Neutral" colours), so errors stand out
 * and filter by colour.
 */
import type ExcelJS from "exceljs";
import { displayText, numberCell } from "./cell-text";
import type { ReportIssue } from "./report-model";
import { openSheet, type WriteContext } from "./sheet-writer";

const COLUMNS = [
  { header: "row", width: 8 },
  { header: "column", width: 20 },
  { header: "code", width: 26 },
  { header: "severity", width: 10 },
  { header: "message", width: 70 },
  { header: "value", width: 40 },
];

/** 1-based position of the severity column. */
const SEVERITY_COLUMN = 4;

// One shared, frozen object per mark: exceljs registers a style once per object (see
// sheet-writer.ts), and a shared object must never be changed.
const ERROR_MARK: Partial<ExcelJS.Style> = Object.freeze<Partial<ExcelJS.Style>>({
  fill: { type: "pattern", pattern: "solid", fgColor: { argb: "FFFFC7CE" } },
  font: { bold: true, color: { argb: "FF9C0006" } },
});
const WARNING_MARK: Partial<ExcelJS.Style> = Object.freeze<Partial<ExcelJS.Style>>({
  fill: { type: "pattern", pattern: "solid", fgColor: { argb: "FFFFEB9C" } },
  font: { color: { argb: "FF9C5700" } },
});

/** Writes the Issues sheet; returns how many issues it holds. */
export async function writeIssuesSheet(
  context: WriteContext,
  issues: Iterable<ReportIssue>,
): Promise<number> {
  const sheet = await openSheet(context, "Issues", COLUMNS);
  let count = 0;
  for (const issue of issues) {
    const mark = issue.severity === "error" ? ERROR_MARK : WARNING_MARK;
    await sheet.add(
      [
        numberCell(issue.row),
        displayText(issue.column),
        displayText(issue.code),
        displayText(issue.severity),
        displayText(issue.message),
        displayText(issue.value),
      ],
      (row) => {
        row.getCell(SEVERITY_COLUMN).style = mark;
      },
    );
    count++;
  }
  sheet.close();
  return count;
}

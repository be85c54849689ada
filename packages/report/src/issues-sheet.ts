/**
 * The Issues sheet: one row per issue with the file's line and the Data sheet's row,
 * and a link to the Data sheet cell the issue is about, so a person can go from here
 * to the cell to fix. The severity cell is filled red for errors and amber for
 * warnings, as the Data sheet's cells are, so errors stand out and filter by colour.
 */
import { displayText, numberCell } from "./cell-text";
import { columnLetters, linkTarget } from "./internal-links";
import type { ReportIssue } from "./report-model";
import { severityStyle } from "./severity-style";
import { openSheet, type ReportCellValue, type WriteContext } from "./sheet-writer";

const COLUMNS = [
  { header: "file row", width: 9 },
  { header: "Data row", width: 9 },
  { header: "cell", width: 9 },
  { header: "column", width: 20 },
  { header: "code", width: 26 },
  { header: "severity", width: 10 },
  { header: "message", width: 70 },
  { header: "value", width: 40 },
];

/** 1-based position of the severity column. */
const SEVERITY_COLUMN = 6;

/** The sheet the issues link to. */
const DATA_SHEET = "Data";

/** Writes the Issues sheet; returns how many issues it holds. */
export async function writeIssuesSheet(
  context: WriteContext,
  issues: Iterable<ReportIssue>,
): Promise<number> {
  const sheet = await openSheet(context, "Issues", COLUMNS, { links: true });
  let count = 0;
  for (const issue of issues) {
    const mark = severityStyle(issue.severity === "error" ? "error" : "warning");
    const at = issue.dataCell;
    await sheet.add(
      [
        numberCell(issue.row),
        at ? numberCell(at.row) : null,
        at ? cellLink(at, sheet.internalLinks) : null,
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

/**
 * A link to the issue's cell in the Data sheet, showing its reference (`H7`); an issue
 * about the whole row links to the row's first cell and says so.
 */
function cellLink(at: NonNullable<ReportIssue["dataCell"]>, internal: boolean): ReportCellValue {
  if (!Number.isInteger(at.row) || at.row < 2) return null;
  const column = at.column;
  const onCell = typeof column === "number" && Number.isInteger(column) && column >= 0;
  const ref = `${columnLetters(onCell ? column : 0)}${at.row}`;
  return {
    text: onCell ? ref : `row ${at.row}`,
    hyperlink: linkTarget(DATA_SHEET, ref, internal),
  };
}

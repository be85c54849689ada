/**
 * The Issues sheet: one row per issue with the file's line and the Data sheet's row,
 * and a link to the Data sheet cell the issue is about, so a person can go from here
 * to the cell to fix. The severity cell is filled red for errors and amber for
 * warnings, as the Data sheet's cells are, so errors stand out and filter by colour.
 */
import { displayText, numberCell } from "./cell-text";
import type { ReportIssue } from "./report-model";
import { severityStyle } from "./severity-style";
import { type CellExtra, type CellLink, openSheet, type WriteContext } from "./sheet-writer";
import { columnLetters } from "./sheet-xml";

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

/** Positions (0-based) of the cell (link) and severity columns. */
const CELL_COLUMN = 2;
const SEVERITY_COLUMN = 5;

/** The sheet the issues link to. */
const DATA_SHEET = "Data";

/** Writes the Issues sheet; returns how many issues it holds. */
export async function writeIssuesSheet(
  context: WriteContext,
  issues: Iterable<ReportIssue>,
): Promise<number> {
  const sheet = await openSheet(context, "Issues", COLUMNS);
  let count = 0;
  for (const issue of issues) {
    const mark = severityStyle(issue.severity === "error" ? "error" : "warning");
    const target = dataCellOf(issue);
    await sheet.add(
      [
        numberCell(issue.row),
        target ? target.row : null,
        target ? target.text : null,
        displayText(issue.column),
        displayText(issue.code),
        displayText(issue.severity),
        displayText(issue.message),
        displayText(issue.value),
      ],
      {
        cells: new Map<number, CellExtra>([
          [SEVERITY_COLUMN, { style: mark }],
          ...(target ? ([[CELL_COLUMN, { link: target.link }]] as const) : []),
        ]),
      },
    );
    count++;
  }
  await sheet.close();
  return count;
}

/**
 * The issue's cell in the Data sheet: its row, the link to it and the link's text (its
 * reference, `H7`); an issue about the whole row links to the row's first cell and
 * says so.
 */
function dataCellOf(issue: ReportIssue): { row: number; link: CellLink; text: string } | null {
  const at = issue.dataCell;
  if (!at || !Number.isInteger(at.row) || at.row < 2) return null;
  const onCell = typeof at.column === "number" && Number.isInteger(at.column) && at.column >= 0;
  const column = onCell ? (at.column as number) : 0;
  return {
    row: at.row,
    link: { sheet: DATA_SHEET, row: at.row, column },
    text: onCell ? `${columnLetters(column)}${at.row}` : `row ${at.row}`,
  };
}

/**
 * How the report shows an issue's severity on a cell: red for errors and amber for
 * warnings (Excel's own "Bad" and "Neutral" colours), the same in the Issues sheet
 * and on the Data sheet's cells, so errors stand out and filter by colour.
 */
import type ExcelJS from "exceljs";
import type { ReportSeverity } from "./report-model";
import { fontWith } from "./sheet-writer";

/** Fill colours (ARGB) by severity. */
export const SEVERITY_FILL: Readonly<Record<ReportSeverity, string>> = {
  error: "FFFFC7CE",
  warning: "FFFFEB9C",
};

// One shared, frozen object per severity: exceljs registers a style once per object
// (see sheet-writer.ts), and a shared object must never be changed.
const STYLES: Readonly<Record<ReportSeverity, Partial<ExcelJS.Style>>> = {
  error: Object.freeze<Partial<ExcelJS.Style>>({
    fill: { type: "pattern", pattern: "solid", fgColor: { argb: SEVERITY_FILL.error } },
    font: fontWith({ bold: true, color: { argb: "FF9C0006" } }),
  }),
  warning: Object.freeze<Partial<ExcelJS.Style>>({
    fill: { type: "pattern", pattern: "solid", fgColor: { argb: SEVERITY_FILL.warning } },
    font: fontWith({ color: { argb: "FF9C5700" } }),
  }),
};

/** The cell style of `severity`. */
export function severityStyle(severity: ReportSeverity): Partial<ExcelJS.Style> {
  return STYLES[severity];
}

/** Errors before warnings, for sorting. */
export function severityRank(severity: ReportSeverity): number {
  return severity === "error" ? 0 : 1;
}

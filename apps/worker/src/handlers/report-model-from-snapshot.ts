/**
 * The report model (@catalog/report) of a job, from its snapshot and the job's row:
 * everything the report shows is in those two, so a report can be (re)built wherever
 * both are at hand, never from the input file. The snapshot's Data sheet marks point
 * at issues by position; here each mark gets its issue's severity, code and message,
 * and each issue the Data sheet cell it sits on.
 */
import { ISSUE_CODE_DESCRIPTIONS, type SnapshotReportParts } from "@catalog/core";
import type { ImportJob } from "@catalog/db";
import type { ReportCellMark, ReportDataRow, ReportIssue, ReportModel } from "@catalog/report";

/** The job's columns the report shows. */
export type ReportedJob = Pick<
  ImportJob,
  | "id"
  | "status"
  | "mode"
  | "file_name"
  | "file_hash"
  | "created_by"
  | "created_at"
  | "validated_at"
  | "completed_at"
  | "result"
  | "db_verify"
  | "failure_code"
  | "failure_message"
>;

/** The Data sheet's first data row (the header is row 1). */
const FIRST_DATA_ROW = 2;

/** The report model of `job` as validated into `snapshot`. */
export function reportModel(job: ReportedJob, snapshot: SnapshotReportParts): ReportModel {
  const { rows, issues } = placeIssues(snapshot);
  return {
    job: {
      id: job.id,
      status: job.status,
      mode: job.mode,
      fileName: job.file_name,
      fileHash: job.file_hash.trim(),
      createdBy: job.created_by,
      createdAt: job.created_at,
      validatedAt: job.validated_at,
      completedAt: job.completed_at,
    },
    summary: snapshot.summary,
    result: (job.result as ReportModel["result"]) ?? null,
    dbVerify: (job.db_verify as ReportModel["dbVerify"]) ?? null,
    failure: job.failure_code
      ? { code: job.failure_code, message: job.failure_message ?? "" }
      : null,
    issues,
    data: { header: snapshot.data_rows.headers, rows },
    candidates: snapshot.plan.candidates,
    normalization: snapshot.normalization_log,
    codeDescriptions: ISSUE_CODE_DESCRIPTIONS,
  };
}

/**
 * The Data sheet's rows with their marks spelled out, and the issues with the Data
 * sheet cell each sits on: its marked cell, else (an issue about the row as a whole,
 * or a snapshot written before rows carried marks) the row, when the sheet has it.
 */
function placeIssues(snapshot: SnapshotReportParts): {
  rows: ReportDataRow[];
  issues: ReportIssue[];
} {
  const cells = new Map<number, NonNullable<ReportIssue["dataCell"]>>();
  const sheetRows = new Map<number, number>();
  const rows = snapshot.data_rows.rows.map((row, index): ReportDataRow => {
    const sheetRow = FIRST_DATA_ROW + index;
    sheetRows.set(row.row, sheetRow);
    const marks = (row.marks ?? []).flatMap(({ issue, cell }): ReportCellMark[] => {
      const found = snapshot.issues[issue];
      if (!found) return [];
      cells.set(issue, { row: sheetRow, column: cell });
      return [{ column: cell, severity: found.severity, code: found.code, message: found.message }];
    });
    return marks.length > 0
      ? { row: row.row, cells: row.cells, marks }
      : { row: row.row, cells: row.cells };
  });
  const issues = snapshot.issues.map((issue, index): ReportIssue => {
    const sheetRow = sheetRows.get(issue.row);
    const dataCell =
      cells.get(index) ?? (sheetRow === undefined ? null : { row: sheetRow, column: null });
    return { ...issue, dataCell };
  });
  return { rows, issues };
}

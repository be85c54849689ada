/**
 * @catalog/report: writes the XLSX report of an import job (SPEC §9) from a
 * {@link ReportModel} of its own, streaming, with user data always written as text.
 */
export type {
  ReportCandidate,
  ReportCellMark,
  ReportCandidateCounts,
  ReportCandidates,
  ReportData,
  ReportDataRow,
  ReportDate,
  ReportDbVerify,
  ReportFailure,
  ReportIssue,
  ReportJob,
  ReportModel,
  ReportNormalization,
  ReportPlanCounts,
  ReportResultCounts,
  ReportSeriesCandidate,
  ReportSeverity,
  ReportSummary,
} from "./report-model";
export { type ReportWriteResult, writeReport } from "./write-report";

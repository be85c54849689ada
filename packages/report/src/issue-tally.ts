/**
 * The short account of the issues that the Summary sheet shows: how many of each code,
 * and the header warnings (unknown or duplicate columns) one by one, since those say
 * something about the whole file rather than about a row.
 */
import type { ReportIssue, ReportSeverity } from "./report-model";
import { severityRank } from "./severity-style";

/** Codes about the header row (SPEC §3) rather than a data row. */
const HEADER_CODES: ReadonlySet<string> = new Set(["UNKNOWN_COLUMN", "DUPLICATE_COLUMN"]);

/** Issues counted by severity and code. */
export interface IssueCodeCount {
  severity: ReportSeverity;
  code: string;
  count: number;
}

/** What the Summary sheet lists about the issues. */
export interface IssueTally {
  /** Errors first, then warnings; by code within each. */
  byCode: IssueCodeCount[];
  /** Header-level warnings, in the given order. */
  headerWarnings: ReportIssue[];
}

/** Tallies `issues` in one pass. */
export function tallyIssues(issues: Iterable<ReportIssue>): IssueTally {
  const counts = new Map<string, IssueCodeCount>();
  const headerWarnings: ReportIssue[] = [];
  for (const issue of issues) {
    const key = `${issue.severity} ${issue.code}`;
    const entry = counts.get(key);
    if (entry) entry.count++;
    else counts.set(key, { severity: issue.severity, code: issue.code, count: 1 });
    if (issue.severity === "warning" && HEADER_CODES.has(issue.code)) headerWarnings.push(issue);
  }
  const byCode = [...counts.values()].sort(
    (a, b) => severityRank(a.severity) - severityRank(b.severity) || compareText(a.code, b.code),
  );
  return { byCode, headerWarnings };
}

/** Code-point order, as the rest of the service sorts strings (SPEC §4). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

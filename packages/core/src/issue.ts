/**
 * An issue found in the file: where (row, column), what (code, severity), a sentence
 * for a person, and the offending cell text. Built by the normalizer and the planner.
 */
import { compareCodePoints } from "./code-point-order";
import { type IssueCode, type Severity, severityOf } from "./issue-codes";

/** One problem with one row (or with the header row). */
export interface Issue {
  /** Sheet line number (the header's own line for header issues). */
  row: number;
  /** Canonical column name (`title_tr`, `specs`, …), or the header as written for header issues. */
  column: string;
  code: IssueCode;
  severity: Severity;
  /** A sentence saying what is wrong and what was done about it. */
  message: string;
  /** The offending cell's text, or null when there is none (an empty required cell). */
  value: string | null;
}

/** Makes an issue, its severity taken from the code. */
export function makeIssue(
  row: number,
  column: string,
  code: IssueCode,
  message: string,
  value: string | null = null,
): Issue {
  return { row, column, code, severity: severityOf(code), message, value };
}

/** True when `issues` holds an error. */
export function hasError(issues: readonly Issue[]): boolean {
  return issues.some((issue) => issue.severity === "error");
}

/** The contract's issue order: row, code, column (code point), then message and value for ties. */
export function compareIssues(a: Issue, b: Issue): number {
  return (
    a.row - b.row ||
    compareCodePoints(a.code, b.code) ||
    compareCodePoints(a.column, b.column) ||
    compareCodePoints(a.message, b.message) ||
    compareCodePoints(a.value ?? "", b.value ?? "")
  );
}

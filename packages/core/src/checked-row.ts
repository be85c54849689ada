/**
 * A row as the planner sees it: the normalized row and all its issues so far (the
 * normalizer's, then the catalog checks'). A row with an error is left out of the plan.
 */
import { hasError, type Issue } from "./issue";
import type { NormalizedRow } from "./normalized-file";

/** A normalized row with the issues found so far. */
export interface CheckedRow {
  row: NormalizedRow;
  issues: Issue[];
}

/** True when the row has no error so far. */
export function isValidRow(checked: CheckedRow): boolean {
  return !hasError(checked.issues);
}

/** The text a row gives for a referenced entity: its name cell, else its slug cell. */
export function referenceText(
  checked: CheckedRow,
  entity: "category" | "series" | "brand",
): string | null {
  const { values } = checked.row;
  return values[entity] ?? values[`${entity}_slug`];
}

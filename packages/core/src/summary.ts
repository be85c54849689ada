/**
 * The preview's counts (SPEC §4), in the shape the fixtures and the job resource use.
 */
import type { CheckedRow } from "./checked-row";
import type { ImportPlan } from "./import-plan";
import type { Issue } from "./issue";

/** Create / update / unchanged counts of one entity type. */
export interface ActionCounts {
  create: number;
  update: number;
  unchanged: number;
}

/** The preview's counts. */
export interface ImportSummary {
  /** Non-blank data rows. */
  rows_total: number;
  rows_valid: number;
  rows_with_errors: number;
  /** Data rows with at least one warning, errors or not. */
  rows_with_warnings: number;
  /** Error issues. */
  errors: number;
  /** Warning issues, the header's included. */
  warnings: number;
  candidates: { categories: number; series: number; brands: number };
  products: ActionCounts;
  variants: ActionCounts;
}

/** Counts the rows, issues and plan entries of an import. */
export function summarize(
  rows: readonly CheckedRow[],
  issues: readonly Issue[],
  plan: ImportPlan,
): ImportSummary {
  const withSeverity = (checked: CheckedRow, severity: Issue["severity"]) =>
    checked.issues.some((issue) => issue.severity === severity);
  const rowsWithErrors = rows.filter((checked) => withSeverity(checked, "error")).length;
  return {
    rows_total: rows.length,
    rows_valid: rows.length - rowsWithErrors,
    rows_with_errors: rowsWithErrors,
    rows_with_warnings: rows.filter((checked) => withSeverity(checked, "warning")).length,
    errors: issues.filter((issue) => issue.severity === "error").length,
    warnings: issues.filter((issue) => issue.severity === "warning").length,
    candidates: {
      categories: plan.candidates.categories.length,
      series: plan.candidates.series.length,
      brands: plan.candidates.brands.length,
    },
    products: countActions(plan.products),
    variants: countActions(plan.variants),
  };
}

function countActions(entries: readonly { action: keyof ActionCounts }[]): ActionCounts {
  const counts: ActionCounts = { create: 0, update: 0, unchanged: 0 };
  for (const entry of entries) counts[entry.action]++;
  return counts;
}

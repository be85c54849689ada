/**
 * Which cell of its row an issue is about, so that the report can mark it in place.
 * An issue names a canonical column (SPEC §3), and the cell is usually that column's;
 * but a slug's issue sits on the entity's column while the value may have come from
 * the `*_slug` column or, for a product, from a title; a missing title is reported on
 * `title_tr` in a file that may only have `title_en`; and too many specs name no
 * column at all.
 */
import type { CanonicalColumn, HeaderColumn } from "./header-map";
import type { Issue } from "./issue";
import type { NormalizedRow } from "./normalized-file";

/**
 * Codes about an entity's slug: a slug that cannot be made (SPEC §3 puts these on the
 * entity's column) or that the catalog lacks. A given `*_slug` is used instead of the
 * name, so when that cell is filled the issue is that cell's.
 */
const SLUG_CODES: ReadonlySet<string> = new Set([
  "INVALID_SLUG",
  "VALUE_TOO_LONG",
  "MISSING_CATEGORY",
  "MISSING_SERIES",
  "MISSING_BRAND",
]);

/**
 * The position in `columns` of the cell `issue` is about, or null when the row has no
 * such cell (an issue of the header row, or a column the sheet lacks).
 *
 * @param columns The sheet's columns the issue may sit on (a subset of the file's, in order).
 * @param row The issue's row, normalized: which cells hold a value decides between two
 *   columns that can both give it (a `*_slug` column wins over the name when filled).
 * @param maxSpecs MAX_SPECS_PER_VARIANT: `TOO_MANY_SPECS` sits on the first spec past it.
 */
export function issueCell(
  issue: Issue,
  columns: readonly HeaderColumn[],
  row: NormalizedRow,
  maxSpecs: number,
): number | null {
  if (issue.column === "specs") return specCell(columns, row, maxSpecs);
  const filled = (position: number) => row.cells[columns[position]?.index ?? -1] != null;
  const present = sourceColumns(issue)
    .map((field) =>
      columns.findIndex((column) => column.role.kind === "field" && column.role.field === field),
    )
    .filter((position) => position >= 0);
  return present.find(filled) ?? present[0] ?? null;
}

/** The columns that can give the value `issue` is about, in order of preference. */
function sourceColumns(issue: Issue): readonly string[] {
  switch (issue.column as CanonicalColumn) {
    case "category":
    case "series":
    case "brand": {
      const slug = `${issue.column}_slug`;
      return SLUG_CODES.has(issue.code) ? [slug, issue.column] : [issue.column, slug];
    }
    case "product_slug":
      return ["product_slug", "title_en", "title_tr"];
    case "title_tr":
      return ["title_tr", "title_en"];
    default:
      return [issue.column];
  }
}

/**
 * TOO_MANY_SPECS: the first filled spec cell past the limit; when the row alone is
 * within it (too many once merged with the stored specs), its last filled spec cell.
 */
function specCell(
  columns: readonly HeaderColumn[],
  row: NormalizedRow,
  maxSpecs: number,
): number | null {
  const filled: number[] = [];
  let first: number | null = null;
  columns.forEach((column, position) => {
    if (column.role.kind !== "spec") return;
    first ??= position;
    if (row.cells[column.index] != null) filled.push(position);
  });
  return filled[maxSpecs] ?? filled.at(-1) ?? first;
}

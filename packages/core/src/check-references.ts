/**
 * Checks of a row against the catalog alone (SPEC §3–4): in strict mode a category,
 * series or brand the catalog lacks is an error (smart mode makes it a candidate);
 * specs merged into a stored variant must stay within the limit.
 */
import type { CatalogView } from "./catalog-view";
import { type CheckedRow, referenceText } from "./checked-row";
import type { ImportMode } from "./import-plan";
import { makeIssue } from "./issue";
import type { IssueCode } from "./issue-codes";
import { mergeSpecs, recordToSpecs } from "./specs";

const MISSING: readonly {
  entity: "category" | "series" | "brand";
  code: IssueCode;
  slugOf: (checked: CheckedRow) => string | null;
  has: (catalog: CatalogView, slug: string) => boolean;
}[] = [
  {
    entity: "category",
    code: "MISSING_CATEGORY",
    slugOf: (checked) => checked.row.categorySlug,
    has: (catalog, slug) => catalog.categories.has(slug),
  },
  {
    entity: "series",
    code: "MISSING_SERIES",
    slugOf: (checked) => checked.row.seriesSlug,
    has: (catalog, slug) => catalog.series.has(slug),
  },
  {
    entity: "brand",
    code: "MISSING_BRAND",
    slugOf: (checked) => checked.row.brandSlug,
    has: (catalog, slug) => catalog.brands.has(slug),
  },
];

/** Adds MISSING_* (strict mode) and merged-spec TOO_MANY_SPECS issues to every row. */
export function checkReferences(
  rows: readonly CheckedRow[],
  catalog: CatalogView,
  mode: ImportMode,
  maxSpecsPerVariant: number,
): void {
  for (const checked of rows) {
    if (mode === "strict") checkMissing(checked, catalog);
    checkMergedSpecs(checked, catalog, maxSpecsPerVariant);
  }
}

function checkMissing(checked: CheckedRow, catalog: CatalogView): void {
  for (const { entity, code, slugOf, has } of MISSING) {
    const slug = slugOf(checked);
    if (slug === null || has(catalog, slug)) continue;
    checked.issues.push(
      makeIssue(
        checked.row.row,
        entity,
        code,
        `The ${entity} "${referenceText(checked, entity)}" (${slug}) does not exist in the catalog; strict mode does not create it.`,
        referenceText(checked, entity),
      ),
    );
  }
}

/** A row within the limit may still push a stored variant over it, since specs merge key by key. */
function checkMergedSpecs(checked: CheckedRow, catalog: CatalogView, max: number): void {
  const { row } = checked;
  const code = row.values.model_code;
  const stored = code === null ? undefined : catalog.variants.get(code);
  if (!stored || row.specs.size > max) return;
  const merged = mergeSpecs(recordToSpecs(stored.specs), row.specs).size;
  if (merged <= max) return;
  checked.issues.push(
    makeIssue(
      row.row,
      "specs",
      "TOO_MANY_SPECS",
      `Merged with the ${Object.keys(stored.specs).length} stored specs of ${code}, the variant would have ${merged} specs; at most ${max} are allowed.`,
    ),
  );
}

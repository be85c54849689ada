/**
 * Candidates (SPEC §4, smart mode): categories, series and brands that valid rows
 * name but the catalog lacks, deduplicated by slug with the rows that need them. A
 * candidate takes the name of the first valid row naming it; a new series belongs to
 * the category of the first valid row naming it.
 */
import type { CatalogView } from "./catalog-view";
import { type CheckedRow, isValidRow } from "./checked-row";
import { compareCodePoints } from "./code-point-order";
import type { Candidates } from "./import-plan";

interface Collected {
  slug: string;
  name: string | null;
  rows: number[];
}

/** Collects the candidates of `validRows` (file order); `newSeries` maps each new series to its category. */
export function collectCandidates(
  validRows: readonly CheckedRow[],
  catalog: CatalogView,
  newSeries: ReadonlyMap<string, string>,
): Candidates {
  const categories = new Map<string, Collected>();
  const series = new Map<string, Collected>();
  const brands = new Map<string, Collected>();
  for (const checked of validRows) {
    if (!isValidRow(checked)) continue;
    const { row } = checked;
    const { values } = row;
    if (row.categorySlug && !catalog.categories.has(row.categorySlug)) {
      collect(categories, row.categorySlug, values.category, row.row);
    }
    if (row.seriesSlug && !catalog.series.has(row.seriesSlug)) {
      collect(series, row.seriesSlug, values.series, row.row);
    }
    if (row.brandSlug && !catalog.brands.has(row.brandSlug)) {
      collect(brands, row.brandSlug, values.brand, row.row);
    }
  }
  return {
    categories: finish(categories).map((c) => ({ slug: c.slug, name: c.name, rows: c.rows })),
    series: finish(series).map((s) => ({
      slug: s.slug,
      name: s.name,
      category_slug: categoryOf(newSeries, s.slug),
      rows: s.rows,
    })),
    brands: finish(brands).map((b) => ({ slug: b.slug, name: b.name, rows: b.rows })),
  };
}

function collect(into: Map<string, Collected>, slug: string, name: string | null, row: number) {
  const found = into.get(slug);
  if (!found) {
    into.set(slug, { slug, name, rows: [row] });
    return;
  }
  found.rows.push(row);
  found.name ??= name;
}

/** Sorted by slug; a candidate no row names (only `*_slug` cells) is named by its slug. */
function finish(collected: ReadonlyMap<string, Collected>) {
  return [...collected.values()]
    .sort((a, b) => compareCodePoints(a.slug, b.slug))
    .map((c) => ({ slug: c.slug, name: c.name ?? c.slug, rows: c.rows }));
}

function categoryOf(newSeries: ReadonlyMap<string, string>, slug: string): string {
  const category = newSeries.get(slug);
  // The series check registers every new series named by a valid row.
  if (category === undefined) throw new Error(`New series ${slug} has no category`);
  return category;
}

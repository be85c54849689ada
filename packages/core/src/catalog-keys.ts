/**
 * catalogKeys: the slugs and model codes a normalized file refers to, so the caller
 * can load just those catalog rows with one batched query per entity.
 */
import type { CatalogKeys } from "./catalog-view";
import { sortedByCodePoint } from "./code-point-order";
import type { NormalizedFile } from "./normalized-file";

/** The category, series, brand and product slugs and the variant model codes of `file`. */
export function catalogKeys(file: NormalizedFile): CatalogKeys {
  const keys = {
    categories: new Set<string>(),
    series: new Set<string>(),
    brands: new Set<string>(),
    products: new Set<string>(),
    variants: new Set<string>(),
  };
  for (const row of file.rows) {
    if (row.categorySlug) keys.categories.add(row.categorySlug);
    if (row.seriesSlug) keys.series.add(row.seriesSlug);
    if (row.brandSlug) keys.brands.add(row.brandSlug);
    if (row.productSlug) keys.products.add(row.productSlug);
    if (row.values.model_code) keys.variants.add(row.values.model_code);
  }
  return {
    categories: sortedByCodePoint(keys.categories),
    series: sortedByCodePoint(keys.series),
    brands: sortedByCodePoint(keys.brands),
    products: sortedByCodePoint(keys.products),
    variants: sortedByCodePoint(keys.variants),
  };
}

/**
 * Test-only catalog helpers: a builder for small catalog views, the subset a caller
 * would load for some keys (as packages/catalog's repository does), and the
 * catalog_after.json form of a view.
 */
import type {
  CatalogBrand,
  CatalogCategory,
  CatalogKeys,
  CatalogProduct,
  CatalogSeries,
  CatalogVariant,
  CatalogView,
} from "@catalog/core";

/** Rows of a view, ids and versions filled in when left out. */
export interface CatalogRows {
  categories?: (Omit<CatalogCategory, "id" | "version"> & Partial<CatalogCategory>)[];
  series?: (Omit<CatalogSeries, "id" | "version"> & Partial<CatalogSeries>)[];
  brands?: (Omit<CatalogBrand, "id" | "version"> & Partial<CatalogBrand>)[];
  products?: (Partial<CatalogProduct> & { slug: string; category_slug: string })[];
  variants?: (Partial<CatalogVariant> & { model_code: string; product_slug: string })[];
}

/** A view holding `rows`; ids count from 1 per type, versions default to 1. */
export function catalogOf(rows: CatalogRows): CatalogView {
  const keyed = <T extends { id: number; version: number }>(
    list: Omit<T, "id" | "version">[] & Partial<T>[],
    key: (row: T) => string,
    fill: (row: Partial<T>) => Partial<T> = (row) => row,
  ) =>
    new Map(
      list.map((row, index): [string, T] => {
        const full = { id: index + 1, version: 1, ...fill(row as Partial<T>), ...row } as T;
        return [key(full), full];
      }),
    );
  return {
    categories: keyed<CatalogCategory>(rows.categories ?? [], (r) => r.slug),
    series: keyed<CatalogSeries>(rows.series ?? [], (r) => r.slug),
    brands: keyed<CatalogBrand>(rows.brands ?? [], (r) => r.slug),
    products: keyed<CatalogProduct>(
      (rows.products ?? []) as CatalogProduct[],
      (r) => r.slug,
      () => ({ title_tr: null, title_en: null, series_slug: null, brand_slug: null }),
    ),
    variants: keyed<CatalogVariant>(
      (rows.variants ?? []) as CatalogVariant[],
      (r) => r.model_code,
      () => ({ dimensions: null, price: null, specs: {} }),
    ),
  };
}

/**
 * What a caller loads for `keys`: the variants and products named, the products of
 * those variants, and every category, series and brand named by the keys or by the
 * loaded rows.
 */
export function loadView(catalog: CatalogView, keys: CatalogKeys): CatalogView {
  const pick = <T>(from: ReadonlyMap<string, T>, wanted: Iterable<string>) => {
    const picked = new Map<string, T>();
    for (const key of wanted) {
      const row = from.get(key);
      if (row) picked.set(key, row);
    }
    return picked;
  };
  const variants = pick(catalog.variants, keys.variants);
  const products = pick(catalog.products, [
    ...keys.products,
    ...[...variants.values()].map((v) => v.product_slug),
  ]);
  const stored = [...products.values()];
  const series = pick(catalog.series, [
    ...keys.series,
    ...stored.flatMap((p) => (p.series_slug ? [p.series_slug] : [])),
  ]);
  const categories = pick(catalog.categories, [
    ...keys.categories,
    ...stored.map((p) => p.category_slug),
    ...[...series.values()].map((s) => s.category_slug),
  ]);
  const brands = pick(catalog.brands, [
    ...keys.brands,
    ...stored.flatMap((p) => (p.brand_slug ? [p.brand_slug] : [])),
  ]);
  return { categories, series, brands, products, variants };
}

/** The catalog_after.json form: by slug / model code, null fields left out. */
export function catalogJson(catalog: CatalogView): Record<string, Record<string, unknown>> {
  const withoutNulls = (row: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(row).filter(([, value]) => value !== null));
  const by = <T>(rows: ReadonlyMap<string, T>, shape: (row: T) => Record<string, unknown>) =>
    Object.fromEntries([...rows].map(([key, row]) => [key, withoutNulls(shape(row))]));
  return {
    categories: by(catalog.categories, (c) => ({ name: c.name })),
    series: by(catalog.series, (s) => ({ name: s.name, category: s.category_slug })),
    brands: by(catalog.brands, (b) => ({ name: b.name })),
    products: by(catalog.products, (p) => ({
      title_tr: p.title_tr,
      title_en: p.title_en,
      category: p.category_slug,
      series: p.series_slug,
      brand: p.brand_slug,
    })),
    variants: by(catalog.variants, (v) => ({
      product: v.product_slug,
      dimensions: v.dimensions,
      price: v.price,
      specs: { ...v.specs },
    })),
  };
}

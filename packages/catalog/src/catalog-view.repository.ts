/**
 * Loads the part of the catalog a file refers to, as the core's `CatalogView`:
 * the variants and products it names, and every category, series and brand
 * named by the file or by those stored rows. A fixed number of batched queries
 * (one per entity type, each `= ANY($1)`), never one per row.
 */
import type { CatalogKeys, CatalogView } from "@catalog/core";
import type { Database } from "@catalog/db";
import { type Kysely, sql, type Transaction } from "kysely";

type Db = Kysely<Database> | Transaction<Database>;

const unique = <T>(values: Iterable<T>) => [...new Set(values)];

/** `slug = ANY(slugs) OR id = ANY(ids)`: one indexed lookup for a whole batch. */
const anyOf = (slugs: readonly string[], ids: readonly number[]) =>
  sql<boolean>`(slug = ANY(${[...slugs]}::text[]) OR id = ANY(${[...ids]}::bigint[]))`;

/** Loads every catalog row `keys` refers to, plus the stored category/series/brand of loaded products. */
export async function loadCatalogView(db: Db, keys: CatalogKeys): Promise<CatalogView> {
  const variants = keys.variants.length
    ? await db
        .selectFrom("catalog_variant as v")
        .innerJoin("catalog_product as p", "p.id", "v.product_id")
        .select([
          "v.id",
          "v.model_code",
          "p.slug as product_slug",
          "v.product_id",
          "v.dimensions",
          "v.price",
          "v.specs",
          "v.version",
        ])
        .where(sql<boolean>`v.model_code = ANY(${keys.variants}::text[])`)
        .execute()
    : [];

  const productIds = unique(variants.map((variant) => variant.product_id));
  const products =
    keys.products.length || productIds.length
      ? await db
          .selectFrom("catalog_product")
          .selectAll()
          .where(anyOf(keys.products, productIds))
          .execute()
      : [];

  const series = await db
    .selectFrom("catalog_series")
    .selectAll()
    .where(anyOf(keys.series, unique(products.flatMap((p) => (p.series_id ? [p.series_id] : [])))))
    .execute();

  const categoryIds = unique([
    ...products.map((p) => p.category_id),
    ...series.map((s) => s.category_id),
  ]);
  const categories = await db
    .selectFrom("catalog_category")
    .selectAll()
    .where(anyOf(keys.categories, categoryIds))
    .execute();

  const brandIds = unique(products.flatMap((p) => (p.brand_id ? [p.brand_id] : [])));
  const brands = await db
    .selectFrom("catalog_brand")
    .selectAll()
    .where(anyOf(keys.brands, brandIds))
    .execute();

  const categorySlug = new Map(categories.map((c) => [c.id, c.slug]));
  const seriesSlug = new Map(series.map((s) => [s.id, s.slug]));
  const brandSlug = new Map(brands.map((b) => [b.id, b.slug]));
  const slugOf = (map: Map<number, string>, id: number) => {
    const slug = map.get(id);
    if (slug === undefined) throw new Error(`catalog row ${id} referenced but not loaded`);
    return slug;
  };

  return {
    categories: new Map(
      categories.map((c) => [c.slug, { id: c.id, slug: c.slug, name: c.name, version: c.version }]),
    ),
    series: new Map(
      series.map((s) => [
        s.slug,
        {
          id: s.id,
          slug: s.slug,
          name: s.name,
          category_slug: slugOf(categorySlug, s.category_id),
          version: s.version,
        },
      ]),
    ),
    brands: new Map(
      brands.map((b) => [b.slug, { id: b.id, slug: b.slug, name: b.name, version: b.version }]),
    ),
    products: new Map(
      products.map((p) => [
        p.slug,
        {
          id: p.id,
          slug: p.slug,
          title_tr: p.title_tr,
          title_en: p.title_en,
          category_slug: slugOf(categorySlug, p.category_id),
          series_slug: p.series_id === null ? null : slugOf(seriesSlug, p.series_id),
          brand_slug: p.brand_id === null ? null : slugOf(brandSlug, p.brand_id),
          version: p.version,
        },
      ]),
    ),
    variants: new Map(
      variants.map((v) => [
        v.model_code,
        {
          id: v.id,
          model_code: v.model_code,
          product_slug: v.product_slug,
          dimensions: v.dimensions,
          price: v.price,
          specs: v.specs,
          version: v.version,
        },
      ]),
    ),
  };
}

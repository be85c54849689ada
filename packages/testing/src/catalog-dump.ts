/**
 * The whole catalog in the shape of the fixtures' catalog_after.json (by slug and
 * model code, references by slug), and a checksum of every catalog table's rows,
 * for tests that prove a catalog did or did not change.
 */
import { createHash } from "node:crypto";
import type { Database } from "@catalog/db";
import { type Kysely, type RawBuilder, sql } from "kysely";

export interface CatalogDump {
  categories: Record<string, { name: string }>;
  series: Record<string, { name: string; category: string }>;
  brands: Record<string, { name: string }>;
  products: Record<
    string,
    {
      title_tr: string | null;
      title_en: string | null;
      category: string;
      series: string | null;
      brand: string | null;
    }
  >;
  variants: Record<
    string,
    {
      product: string;
      dimensions: string | null;
      price: string | null;
      specs: Record<string, string>;
    }
  >;
}

const record = <T>(entries: [string, T][]) => Object.fromEntries(entries) as Record<string, T>;

/** Reads the catalog as catalog_after.json holds it. */
export async function dumpCatalog(db: Kysely<Database>): Promise<CatalogDump> {
  const categories = await db
    .selectFrom("catalog_category")
    .select(["slug", "name"])
    .orderBy("slug")
    .execute();
  const series = await db
    .selectFrom("catalog_series as s")
    .innerJoin("catalog_category as c", "c.id", "s.category_id")
    .select(["s.slug", "s.name", "c.slug as category"])
    .orderBy("s.slug")
    .execute();
  const brands = await db
    .selectFrom("catalog_brand")
    .select(["slug", "name"])
    .orderBy("slug")
    .execute();
  const products = await db
    .selectFrom("catalog_product as p")
    .innerJoin("catalog_category as c", "c.id", "p.category_id")
    .leftJoin("catalog_series as s", "s.id", "p.series_id")
    .leftJoin("catalog_brand as b", "b.id", "p.brand_id")
    .select([
      "p.slug",
      "p.title_tr",
      "p.title_en",
      "c.slug as category",
      "s.slug as series",
      "b.slug as brand",
    ])
    .orderBy("p.slug")
    .execute();
  const variants = await db
    .selectFrom("catalog_variant as v")
    .innerJoin("catalog_product as p", "p.id", "v.product_id")
    .select(["v.model_code", "p.slug as product", "v.dimensions", "v.price", "v.specs"])
    .orderBy("v.model_code")
    .execute();
  return {
    categories: record(categories.map((c) => [c.slug, { name: c.name }])),
    series: record(series.map((s) => [s.slug, { name: s.name, category: s.category }])),
    brands: record(brands.map((b) => [b.slug, { name: b.name }])),
    products: record(
      products.map((p) => [
        p.slug,
        {
          title_tr: p.title_tr,
          title_en: p.title_en,
          category: p.category,
          series: p.series,
          brand: p.brand,
        },
      ]),
    ),
    variants: record(
      variants.map((v) => [
        v.model_code,
        { product: v.product, dimensions: v.dimensions, price: v.price, specs: v.specs },
      ]),
    ),
  };
}

const CATALOG_TABLES = [
  "catalog_category",
  "catalog_series",
  "catalog_brand",
  "catalog_product",
  "catalog_variant",
];

/** Row counts and a SHA-256 over every catalog table's rows, each row as `rowText` renders it. */
async function rowsChecksum(
  db: Kysely<Database>,
  rowText: RawBuilder<string>,
): Promise<{ counts: Record<string, number>; sha256: string }> {
  const hash = createHash("sha256");
  const counts: Record<string, number> = {};
  for (const table of CATALOG_TABLES) {
    const { rows } = await sql<{ row: string }>`
      SELECT ${rowText} AS row FROM ${sql.table(table)} AS t ORDER BY t.id`.execute(db);
    counts[table] = rows.length;
    hash.update(`${table}\n`);
    for (const { row } of rows) hash.update(`${row}\n`);
  }
  return { counts, sha256: hash.digest("hex") };
}

/**
 * Row counts and a SHA-256 over every column of every row of every catalog table
 * (ids, versions and timestamps included): equal only if nothing at all was written.
 */
export function catalogRowsChecksum(
  db: Kysely<Database>,
): Promise<{ counts: Record<string, number>; sha256: string }> {
  return rowsChecksum(db, sql<string>`t::text`);
}

/** A SHA-256 of the catalog's content by natural keys (what catalog_after.json compares). */
export async function catalogContentChecksum(db: Kysely<Database>): Promise<string> {
  return createHash("sha256")
    .update(JSON.stringify(await dumpCatalog(db)))
    .digest("hex");
}

/**
 * Row counts and a SHA-256 over every row of every catalog table, every column
 * but `version` and `updated_at` (which record that a write happened, e.g. a
 * revert): equal when the catalog holds exactly the same rows, ids included.
 */
export function catalogRowStateChecksum(
  db: Kysely<Database>,
): Promise<{ counts: Record<string, number>; sha256: string }> {
  return rowsChecksum(db, sql<string>`(to_jsonb(t) - 'version' - 'updated_at')::text`);
}

/**
 * The raw floor of a commit: the same rows written with one set-based upsert per
 * table (`INSERT … SELECT FROM unnest(…) ON CONFLICT DO UPDATE`) in one transaction,
 * nothing else (no drift check, no locks, no change log, no verification). What a
 * commit costs above this is the price of its guarantees.
 */
import type pg from "pg";
import { toCommitPlan } from "../../apps/worker/src/handlers/commit-plan-from-snapshot";
import type { CommitPlan } from "../../packages/catalog/src";
import type { Snapshot } from "../../packages/core/src";

/** The rows a first import creates, as the commit handler reads them from the snapshot. */
export type FloorRows = CommitPlan["create"];

/** The rows `snapshot` creates (a first import: every entry a create). */
export function floorRows(snapshot: Snapshot): FloorRows {
  return toCommitPlan(snapshot).create;
}

const column = <T, K extends keyof T>(rows: T[], key: K) => rows.map((row) => row[key]);

/** Upserts the reference rows (categories, series, brands) of `rows`. */
export async function upsertReferences(client: pg.ClientBase, rows: FloorRows): Promise<void> {
  await client.query(
    `INSERT INTO catalog_category (slug, name)
     SELECT * FROM unnest($1::text[], $2::text[])
     ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name`,
    [column(rows.categories, "slug"), column(rows.categories, "name")],
  );
  await client.query(
    `INSERT INTO catalog_series (slug, name, category_id)
     SELECT u.slug, u.name, c.id
     FROM unnest($1::text[], $2::text[], $3::text[]) AS u (slug, name, category_slug)
     JOIN catalog_category c ON c.slug = u.category_slug
     ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name, category_id = EXCLUDED.category_id`,
    [
      column(rows.series, "slug"),
      column(rows.series, "name"),
      column(rows.series, "category_slug"),
    ],
  );
  await client.query(
    `INSERT INTO catalog_brand (slug, name)
     SELECT * FROM unnest($1::text[], $2::text[])
     ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name`,
    [column(rows.brands, "slug"), column(rows.brands, "name")],
  );
}

/** Upserts every row of `rows`, one statement per table, in one transaction. */
export async function upsertFloor(client: pg.ClientBase, rows: FloorRows): Promise<void> {
  await client.query("BEGIN");
  try {
    await upsertReferences(client, rows);
    const { products, variants } = rows;
    await client.query(
      `INSERT INTO catalog_product (slug, title_tr, title_en, category_id, series_id, brand_id)
       SELECT u.slug, u.title_tr, u.title_en, c.id, s.id, b.id
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
         AS u (slug, title_tr, title_en, category_slug, series_slug, brand_slug)
       JOIN catalog_category c ON c.slug = u.category_slug
       LEFT JOIN catalog_series s ON s.slug = u.series_slug
       LEFT JOIN catalog_brand b ON b.slug = u.brand_slug
       ON CONFLICT (slug) DO UPDATE SET title_tr = EXCLUDED.title_tr,
         title_en = EXCLUDED.title_en, category_id = EXCLUDED.category_id,
         series_id = EXCLUDED.series_id, brand_id = EXCLUDED.brand_id`,
      [
        column(products, "slug"),
        column(products, "title_tr"),
        column(products, "title_en"),
        column(products, "category_slug"),
        column(products, "series_slug"),
        column(products, "brand_slug"),
      ],
    );
    await client.query(
      `INSERT INTO catalog_variant (model_code, product_id, dimensions, price, specs)
       SELECT u.model_code, p.id, u.dimensions, u.price::numeric, u.specs::jsonb
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
         AS u (model_code, product_slug, dimensions, price, specs)
       JOIN catalog_product p ON p.slug = u.product_slug
       ON CONFLICT (model_code) DO UPDATE SET product_id = EXCLUDED.product_id,
         dimensions = EXCLUDED.dimensions, price = EXCLUDED.price, specs = EXCLUDED.specs`,
      [
        column(variants, "model_code"),
        column(variants, "product_slug"),
        column(variants, "dimensions"),
        column(variants, "price"),
        variants.map((variant) => JSON.stringify(variant.specs)),
      ],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  }
}

/** Empties the catalog (the bench's own database), so every round writes the same rows. */
export async function truncateCatalog(client: pg.ClientBase): Promise<void> {
  await client.query(
    "TRUNCATE catalog_variant, catalog_product, catalog_series, catalog_brand, catalog_category",
  );
}

/**
 * Set-based catalog writes of revert (restoring updated rows, deleting created
 * ones) and the row locks commit and revert take: each call is one statement per
 * chunk of up to 5,000 rows (`unnest` of one array per column), never a round
 * trip per row. Rows are written in the order given; callers pass them sorted by
 * identity so concurrent writers take index locks in one order. A commit's own
 * writes, which log their changes in the same statements, are in
 * apply-commit-plan.ts. Every function demands a Transaction: the caller owns it.
 */
import type { Database } from "@catalog/db";
import { sql, type Transaction } from "kysely";

type Trx = Transaction<Database>;

const CHUNK = 5_000;

/** Runs `write` over `rows` in chunks and concatenates what each chunk returns. */
async function chunked<Row, Out>(
  rows: readonly Row[],
  write: (chunk: readonly Row[]) => Promise<Out[]>,
): Promise<Out[]> {
  const out: Out[] = [];
  for (let start = 0; start < rows.length; start += CHUNK) {
    out.push(...(await write(rows.slice(start, start + CHUNK))));
  }
  return out;
}

/** What an insert or update returns per row. */
export interface WrittenRow {
  id: number;
  key: string;
  version: number;
}

/** A product's stored fields (by id for references). */
export interface ProductValues {
  slug: string;
  title_tr: string | null;
  title_en: string | null;
  category_id: number;
  series_id: number | null;
  brand_id: number | null;
}

const productColumns = (chunk: readonly ProductValues[]) => [
  chunk.map((r) => r.title_tr),
  chunk.map((r) => r.title_en),
  chunk.map((r) => r.category_id),
  chunk.map((r) => r.series_id),
  chunk.map((r) => r.brand_id),
];

/** Overwrites products (by id) with the given full values. */
export function updateProducts(
  trx: Trx,
  rows: readonly (ProductValues & { id: number })[],
): Promise<WrittenRow[]> {
  return chunked(rows, async (chunk) => {
    const [tr, en, category, series, brand] = productColumns(chunk);
    const result = await sql<WrittenRow>`
      UPDATE catalog_product AS p
      SET title_tr = u.title_tr, title_en = u.title_en, category_id = u.category_id,
          series_id = u.series_id, brand_id = u.brand_id
      FROM unnest(${chunk.map((r) => r.id)}::bigint[], ${tr}::text[], ${en}::text[],
        ${category}::bigint[], ${series}::bigint[], ${brand}::bigint[])
        AS u(id, title_tr, title_en, category_id, series_id, brand_id)
      WHERE p.id = u.id
      RETURNING p.id, p.slug AS key, p.version`.execute(trx);
    return result.rows;
  });
}

/** A variant's stored fields. */
export interface VariantValues {
  model_code: string;
  product_id: number;
  dimensions: string | null;
  /** Two-decimal string, e.g. "19.90". */
  price: string | null;
  specs: Readonly<Record<string, string>>;
}

const variantColumns = (chunk: readonly VariantValues[]) => [
  chunk.map((r) => r.product_id),
  chunk.map((r) => r.dimensions),
  chunk.map((r) => r.price),
  // JSON.stringify of a Map-free plain object; keys are user text but only data here.
  chunk.map((r) => JSON.stringify(r.specs)),
];

/** Overwrites variants (by id) with the given full values. */
export function updateVariants(
  trx: Trx,
  rows: readonly (VariantValues & { id: number })[],
): Promise<WrittenRow[]> {
  return chunked(rows, async (chunk) => {
    const [product, dimensions, price, specs] = variantColumns(chunk);
    const result = await sql<WrittenRow>`
      UPDATE catalog_variant AS v
      SET product_id = u.product_id, dimensions = u.dimensions, price = u.price, specs = u.specs
      FROM unnest(${chunk.map((r) => r.id)}::bigint[], ${product}::bigint[], ${dimensions}::text[],
        ${price}::numeric[], ${specs}::jsonb[]) AS u(id, product_id, dimensions, price, specs)
      WHERE v.id = u.id
      RETURNING v.id, v.model_code AS key, v.version`.execute(trx);
    return result.rows;
  });
}

/** Catalog tables keyed by entity name. */
export const ENTITY_TABLES = {
  category: "catalog_category",
  series: "catalog_series",
  brand: "catalog_brand",
  product: "catalog_product",
  variant: "catalog_variant",
} as const;

/** Deletes rows by id (revert of creates). */
export async function deleteRows(
  trx: Trx,
  entity: keyof typeof ENTITY_TABLES,
  ids: readonly number[],
): Promise<number> {
  if (ids.length === 0) return 0;
  const result =
    await sql`DELETE FROM ${sql.table(ENTITY_TABLES[entity])} WHERE id = ANY(${[...ids]}::bigint[])`.execute(
      trx,
    );
  return Number(result.numAffectedRows ?? 0);
}

/**
 * A bigint[] parameter as Postgres's array literal, built here: pg's generic
 * array serialization costs more than the statement for large lists.
 */
export const bigintArray = (ids: readonly number[]): string => `{${ids.join(",")}}`;

/**
 * How a writer locks the rows it relies on: `update` (FOR UPDATE: revert, which
 * may delete them), `no-key-update` (FOR NO KEY UPDATE: rows a commit updates or
 * must see unchanged), `share` (FOR SHARE: rows a commit only relies on; many
 * commits hold them together, no writer changes them meanwhile).
 */
export type RowLockMode = "update" | "no-key-update" | "share";

const LOCK_CLAUSE: Record<RowLockMode, string> = {
  update: "FOR UPDATE",
  "no-key-update": "FOR NO KEY UPDATE",
  share: "FOR SHARE",
};

/**
 * Locks rows by id, in id order (one fixed order for every writer), and returns
 * them (every column, or `columns`).
 */
export async function lockRows<Row>(
  trx: Trx,
  entity: keyof typeof ENTITY_TABLES,
  ids: readonly number[],
  mode: RowLockMode = "update",
  columns: "*" | "id, version" = "*",
): Promise<Row[]> {
  if (ids.length === 0) return [];
  const result = await sql<Row>`
    SELECT ${sql.raw(columns)} FROM ${sql.table(ENTITY_TABLES[entity])}
    WHERE id = ANY(${bigintArray(ids)}::bigint[]) ORDER BY id ${sql.raw(LOCK_CLAUSE[mode])}`.execute(
    trx,
  );
  return result.rows;
}

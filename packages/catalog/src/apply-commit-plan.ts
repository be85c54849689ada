/**
 * Applies a commit plan inside the caller's transaction: first checks for drift
 * (locks every existing row the plan relies on, in a fixed order, and compares
 * versions; makes sure nothing it will create exists yet), then writes
 * candidates, products and variants set-based, and logs each change with the
 * updated rows' before-images for revert. Rows that come back from RETURNING are
 * matched to what was written by key (slug, model code or id), never by
 * position: Postgres promises no order, and an UPDATE ... FROM unnest returns
 * rows in the order of the plan it picks (often the table's physical order).
 */
import type { CatalogEntity, Database } from "@catalog/db";
import { failpoint } from "@catalog/failpoints";
import { sql, type Transaction } from "kysely";
import {
  ENTITY_TABLES,
  insertNamedRows,
  insertProducts,
  insertSeries,
  insertVariants,
  lockRows,
  updateProducts,
  updateVariants,
  type WrittenRow,
} from "./catalog-writes";
import type {
  CommitCounts,
  CommitPlan,
  PlannedProduct,
  PlannedVariant,
  SeenRow,
} from "./commit-plan";

type Trx = Transaction<Database>;

/** What drift was found, by `entity:key`. */
export interface Drift {
  /** Rows changed since validation (version moved on). */
  changed: string[];
  /** Rows the plan relies on that no longer exist. */
  gone: string[];
  /** Rows the plan would create that exist now. */
  exists: string[];
}

/** The catalog drifted since validation; the plan would not come true. */
export class CatalogDriftError extends Error {
  override readonly name = "CatalogDriftError";
  constructor(readonly drift: Drift) {
    const total = drift.changed.length + drift.gone.length + drift.exists.length;
    super(`The catalog changed since validation (${total} rows); nothing was written`);
  }
}

interface StoredRow {
  id: number;
  version: number;
  [column: string]: unknown;
}

const LOCK_ORDER: { entity: CatalogEntity; seen: (plan: CommitPlan) => SeenRow[] }[] = [
  { entity: "category", seen: (plan) => plan.rely.categories },
  { entity: "series", seen: (plan) => plan.rely.series },
  { entity: "brand", seen: (plan) => plan.rely.brands },
  {
    entity: "product",
    seen: (plan) => [...plan.update.products.map((p) => p.seen), ...plan.rely.products],
  },
  {
    entity: "variant",
    seen: (plan) => [...plan.update.variants.map((v) => v.seen), ...plan.rely.variants],
  },
];

const KEY_COLUMN: Record<CatalogEntity, "slug" | "model_code"> = {
  category: "slug",
  series: "slug",
  brand: "slug",
  product: "slug",
  variant: "model_code",
};

/** Locks and checks every row the plan relies on; returns the locked rows by entity and id. */
async function lockAndCheck(
  trx: Trx,
  plan: CommitPlan,
  drift: Drift,
): Promise<Map<CatalogEntity, Map<number, StoredRow>>> {
  const locked = new Map<CatalogEntity, Map<number, StoredRow>>();
  for (const { entity, seen } of LOCK_ORDER) {
    const rows = seen(plan);
    const stored = await lockRows<StoredRow>(
      trx,
      entity,
      [...new Set(rows.map((row) => row.id))].sort((a, b) => a - b),
    );
    const byId = new Map(stored.map((row) => [row.id, row]));
    locked.set(entity, byId);
    for (const row of rows) {
      const current = byId.get(row.id);
      if (!current) drift.gone.push(`${entity}:${row.key}`);
      else if (current.version !== row.version) drift.changed.push(`${entity}:${row.key}`);
    }
  }
  return locked;
}

/** Finds planned creates whose identity exists already. */
async function checkCreates(trx: Trx, plan: CommitPlan, drift: Drift): Promise<void> {
  const creates: [CatalogEntity, string[]][] = [
    ["category", plan.create.categories.map((c) => c.slug)],
    ["series", plan.create.series.map((s) => s.slug)],
    ["brand", plan.create.brands.map((b) => b.slug)],
    ["product", plan.create.products.map((p) => p.slug)],
    ["variant", plan.create.variants.map((v) => v.model_code)],
  ];
  for (const [entity, keys] of creates) {
    if (keys.length === 0) continue;
    const column = KEY_COLUMN[entity];
    const { rows } = await sql<{ key: string }>`
      SELECT ${sql.ref(column)} AS key FROM ${sql.table(ENTITY_TABLES[entity])}
      WHERE ${sql.ref(column)} = ANY(${keys}::text[])`.execute(trx);
    drift.exists.push(...rows.map((row) => `${entity}:${row.key}`).sort());
  }
}

const idsByKey = (rows: readonly { key: string; id: number }[]) =>
  new Map(rows.map((row) => [row.key, row.id]));

function idOf(map: Map<string, number>, entity: string, key: string): number {
  const id = map.get(key);
  if (id === undefined)
    throw new Error(
      `Commit plan refers to ${entity} ${key}, which it neither relies on nor creates`,
    );
  return id;
}

/**
 * Pairs each returned row with the input written for it, by key. Throws when a
 * row has no input or an input no row: the write did not do what was asked.
 */
function pairByKey<Input, Key>(
  what: string,
  rows: readonly WrittenRow[],
  inputs: readonly Input[],
  keyOfRow: (row: WrittenRow) => Key,
  keyOfInput: (input: Input) => Key,
): { row: WrittenRow; input: Input }[] {
  const byKey = new Map(inputs.map((input) => [keyOfInput(input), input]));
  if (byKey.size !== inputs.length || rows.length !== inputs.length)
    throw new Error(`${what}: ${rows.length} rows returned for ${inputs.length} written`);
  return rows.map((row) => {
    const input = byKey.get(keyOfRow(row));
    if (input === undefined) throw new Error(`${what}: returned row ${row.key} was not written`);
    return { row, input };
  });
}

interface ChangeEntry {
  entity: CatalogEntity;
  row: WrittenRow;
  action: "create" | "update";
  before: Record<string, unknown> | null;
  after: Record<string, unknown>;
}

async function insertChangeLog(trx: Trx, jobId: string, entries: ChangeEntry[]): Promise<void> {
  for (let start = 0; start < entries.length; start += 5_000) {
    const chunk = entries.slice(start, start + 5_000);
    await sql`
      INSERT INTO ops_import_change (job_id, entity, entity_id, entity_key, action, before, after, version_after)
      SELECT ${jobId}::uuid, * FROM unnest(
        ${chunk.map((e) => e.entity)}::text[], ${chunk.map((e) => e.row.id)}::bigint[],
        ${chunk.map((e) => e.row.key)}::text[], ${chunk.map((e) => e.action)}::text[],
        ${chunk.map((e) => (e.before ? JSON.stringify(e.before) : null))}::jsonb[],
        ${chunk.map((e) => JSON.stringify(e.after))}::jsonb[], ${chunk.map((e) => e.row.version)}::int[])`.execute(
      trx,
    );
  }
}

const productBefore = (row: StoredRow | undefined) =>
  row && {
    slug: row.slug,
    title_tr: row.title_tr,
    title_en: row.title_en,
    category_id: row.category_id,
    series_id: row.series_id,
    brand_id: row.brand_id,
  };

const variantBefore = (row: StoredRow | undefined) =>
  row && {
    model_code: row.model_code,
    product_id: row.product_id,
    dimensions: row.dimensions,
    price: row.price,
    specs: row.specs,
  };

/**
 * Applies `plan` for job `jobId`. Throws CatalogDriftError (nothing written
 * once the caller rolls back) when the catalog moved on since validation.
 * Returns what it did, which the caller compares with what the plan promised.
 */
export async function applyCommitPlan(
  trx: Trx,
  jobId: string,
  plan: CommitPlan,
): Promise<CommitCounts> {
  const drift: Drift = { changed: [], gone: [], exists: [] };
  const locked = await lockAndCheck(trx, plan, drift);
  await checkCreates(trx, plan, drift);
  if (drift.changed.length + drift.gone.length + drift.exists.length > 0)
    throw new CatalogDriftError(drift);

  const changes: ChangeEntry[] = [];
  const created = <Values extends Record<string, unknown>>(
    entity: CatalogEntity,
    rows: WrittenRow[],
    values: Values[],
  ) => {
    const keyOf = (value: Values) => String(value[KEY_COLUMN[entity]]);
    for (const { row, input } of pairByKey(`${entity} insert`, rows, values, (r) => r.key, keyOf))
      changes.push({ entity, row, action: "create", before: null, after: input });
    return rows;
  };

  const categories = idsByKey([
    ...plan.rely.categories,
    ...created(
      "category",
      await insertNamedRows(trx, "catalog_category", plan.create.categories),
      plan.create.categories,
    ),
  ]);
  const newSeries = plan.create.series.map((s) => ({
    slug: s.slug,
    name: s.name,
    category_id: idOf(categories, "category", s.category_slug),
  }));
  const series = idsByKey([
    ...plan.rely.series,
    ...created("series", await insertSeries(trx, newSeries), newSeries),
  ]);
  const brands = idsByKey([
    ...plan.rely.brands,
    ...created(
      "brand",
      await insertNamedRows(trx, "catalog_brand", plan.create.brands),
      plan.create.brands,
    ),
  ]);

  const productValues = (p: PlannedProduct) => ({
    slug: p.slug,
    title_tr: p.title_tr,
    title_en: p.title_en,
    category_id: idOf(categories, "category", p.category_slug),
    series_id: p.series_slug === null ? null : idOf(series, "series", p.series_slug),
    brand_id: p.brand_slug === null ? null : idOf(brands, "brand", p.brand_slug),
  });
  const newProducts = plan.create.products.map(productValues);
  const changedProducts = plan.update.products.map((p) => ({ ...productValues(p), id: p.seen.id }));
  const products = idsByKey([
    ...plan.rely.products,
    ...plan.update.products.map((p) => p.seen),
    ...created("product", await insertProducts(trx, newProducts), newProducts),
  ]);
  const updated = <Values extends { id: number }>(
    entity: CatalogEntity,
    rows: WrittenRow[],
    values: Values[],
    before: (row: StoredRow | undefined) => Record<string, unknown> | undefined,
  ) => {
    const lockedRows = locked.get(entity);
    for (const { row, input } of pairByKey(
      `${entity} update`,
      rows,
      values,
      (r) => r.id,
      (v) => v.id,
    )) {
      const { id: _id, ...after } = input;
      changes.push({
        entity,
        row,
        action: "update",
        before: before(lockedRows?.get(row.id)) ?? null,
        after,
      });
    }
    return rows;
  };
  const updatedProducts = updated(
    "product",
    await updateProducts(trx, changedProducts),
    changedProducts,
    productBefore,
  );

  const variantValues = (v: PlannedVariant) => ({
    model_code: v.model_code,
    product_id: idOf(products, "product", v.product_slug),
    dimensions: v.dimensions,
    price: v.price,
    specs: v.specs,
  });
  const newVariants = plan.create.variants.map(variantValues);
  const changedVariants = plan.update.variants.map((v) => ({ ...variantValues(v), id: v.seen.id }));
  const createdVariants = created("variant", await insertVariants(trx, newVariants), newVariants);
  const updatedVariants = updated(
    "variant",
    await updateVariants(trx, changedVariants),
    changedVariants,
    variantBefore,
  );

  await failpoint("commit.tx.catalog-written");
  await insertChangeLog(trx, jobId, changes);
  const count = (entity: CatalogEntity, action: "create" | "update") =>
    changes.filter((change) => change.entity === entity && change.action === action).length;
  return {
    candidates: {
      categories: count("category", "create"),
      series: count("series", "create"),
      brands: count("brand", "create"),
    },
    products: {
      create: count("product", "create"),
      update: updatedProducts.length,
      unchanged: plan.rely.products.length,
    },
    variants: {
      create: createdVariants.length,
      update: updatedVariants.length,
      unchanged: plan.rely.variants.length,
    },
  };
}

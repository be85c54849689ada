/**
 * Applies a commit plan inside the caller's transaction, in two steps:
 *
 * 1. {@link lockPlanRows} locks every existing row the plan relies on, in one
 *    global order (category, series, brand, product, variant; by id):
 *    categories, series and brands FOR SHARE (commits only ever rely on them, so
 *    commits referencing the same ones run together), products and variants FOR
 *    NO KEY UPDATE (a commit updates them or must see them unchanged). Every
 *    commit locks in that order, and the rows it then inserts go in one order too
 *    (by entity, then key: the plan's lists are sorted), so two commits whose
 *    rows overlap wait for each other without a deadlock, and two whose rows do
 *    not run at the same time. The caller takes these locks before the commit's
 *    budget starts: they wait for other transactions.
 * 2. {@link applyCommitPlan} checks for drift (the locked versions against the
 *    plan's; nothing it will create exists yet), then writes candidates,
 *    products and variants set-based, each statement logging its own changes in
 *    `ops_import_change` (after-images from RETURNING, before-images of updated
 *    rows from the same statement's join on the row as it was): the change log
 *    never travels through this process. Rows are passed as one JSON parameter
 *    (`json_to_recordset`), which costs far less to encode than one array per
 *    column. Rows that come back from RETURNING are matched to what was written
 *    by key, never by position: Postgres promises no order.
 */
import type { CatalogEntity, Database } from "@catalog/db";
import { failpoint } from "@catalog/failpoints";
import { sql, type Transaction } from "kysely";
import {
  ENTITY_TABLES,
  lockRows,
  type ProductValues,
  type RowLockMode,
  type VariantValues,
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

/** The version of every row the plan relies on, by entity and id, as locked. */
export type LockedRows = Map<CatalogEntity, Map<number, number>>;

const LOCK_ORDER: {
  entity: CatalogEntity;
  mode: RowLockMode;
  seen: (plan: CommitPlan) => SeenRow[];
}[] = [
  { entity: "category", mode: "share", seen: (plan) => plan.rely.categories },
  { entity: "series", mode: "share", seen: (plan) => plan.rely.series },
  { entity: "brand", mode: "share", seen: (plan) => plan.rely.brands },
  {
    entity: "product",
    mode: "no-key-update",
    seen: (plan) => [...plan.update.products.map((p) => p.seen), ...plan.rely.products],
  },
  {
    entity: "variant",
    mode: "no-key-update",
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

/**
 * Locks every existing row the plan relies on, in the one global order (see the
 * file header), and returns their versions. Waits while another commit holds a
 * row it needs.
 */
export async function lockPlanRows(trx: Trx, plan: CommitPlan): Promise<LockedRows> {
  const locked: LockedRows = new Map();
  for (const { entity, mode, seen } of LOCK_ORDER) {
    const ids = [...new Set(seen(plan).map((row) => row.id))].sort((a, b) => a - b);
    const rows = await lockRows<{ id: number; version: number }>(
      trx,
      entity,
      ids,
      mode,
      "id, version",
    );
    locked.set(entity, new Map(rows.map((row) => [row.id, row.version])));
  }
  return locked;
}

/** Compares the locked versions with the plan's. */
function checkLocked(plan: CommitPlan, locked: LockedRows, drift: Drift): void {
  for (const { entity, seen } of LOCK_ORDER) {
    const versions = locked.get(entity);
    for (const row of seen(plan)) {
      const current = versions?.get(row.id);
      if (current === undefined) drift.gone.push(`${entity}:${row.key}`);
      else if (current !== row.version) drift.changed.push(`${entity}:${row.key}`);
    }
  }
}

/** Finds planned creates whose identity exists already (one round trip). */
async function checkCreates(trx: Trx, plan: CommitPlan, drift: Drift): Promise<void> {
  const keys = JSON.stringify([
    plan.create.categories.map((c) => c.slug),
    plan.create.series.map((s) => s.slug),
    plan.create.brands.map((b) => b.slug),
    plan.create.products.map((p) => p.slug),
    plan.create.variants.map((v) => v.model_code),
  ]);
  const { rows } = await sql<{ entity: CatalogEntity; key: string }>`
    WITH k AS (SELECT ${keys}::json AS k)
    SELECT 'category' AS entity, slug AS key FROM catalog_category
      WHERE slug IN (SELECT json_array_elements_text(k -> 0) FROM k)
    UNION ALL SELECT 'series', slug FROM catalog_series
      WHERE slug IN (SELECT json_array_elements_text(k -> 1) FROM k)
    UNION ALL SELECT 'brand', slug FROM catalog_brand
      WHERE slug IN (SELECT json_array_elements_text(k -> 2) FROM k)
    UNION ALL SELECT 'product', slug FROM catalog_product
      WHERE slug IN (SELECT json_array_elements_text(k -> 3) FROM k)
    UNION ALL SELECT 'variant', model_code FROM catalog_variant
      WHERE model_code IN (SELECT json_array_elements_text(k -> 4) FROM k)`.execute(trx);
  const order = LOCK_ORDER.map((step) => step.entity);
  const found = rows.map((row) => ({ rank: order.indexOf(row.entity), ...row }));
  found.sort((a, b) => a.rank - b.rank || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  drift.exists.push(...found.map((row) => `${row.entity}:${row.key}`));
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

const CHUNK = 5_000;

/** What a logged write returns per row. */
interface WrittenRow {
  id: number;
  key: string;
}

/**
 * A logged write of `rows` in chunks: `statement` gets a chunk as one JSON
 * parameter; returns the rows every chunk returned.
 */
async function chunked<Row>(
  rows: readonly Row[],
  statement: (json: string) => Promise<WrittenRow[]>,
): Promise<WrittenRow[]> {
  const out: WrittenRow[] = [];
  for (let start = 0; start < rows.length; start += CHUNK) {
    const written = await statement(JSON.stringify(rows.slice(start, start + CHUNK)));
    for (const row of written) out.push(row);
  }
  return out;
}

/** Throws unless `rows` are exactly one per input key: the write did not do what was asked. */
function expectWritten<Key>(
  what: string,
  rows: readonly WrittenRow[],
  inputs: readonly Key[],
  keyOfRow: (row: WrittenRow) => Key,
): void {
  const wanted = new Set(inputs);
  if (wanted.size !== inputs.length || rows.length !== inputs.length)
    throw new Error(`${what}: ${rows.length} rows returned for ${inputs.length} written`);
  for (const row of rows)
    if (!wanted.delete(keyOfRow(row)))
      throw new Error(`${what}: returned row ${row.key} was not written`);
}

/**
 * The change-log rows of a CTE `written` (RETURNING the entity's columns as
 * `after` and, for updates, the row as it was as `before`).
 */
const logChanges = (
  jobId: string,
  entity: CatalogEntity,
  action: "create" | "update",
  after: string,
  before: string | null,
) => sql`
  logged AS (
    INSERT INTO ops_import_change (job_id, entity, entity_id, entity_key, action, before, after, version_after)
    SELECT ${jobId}::uuid, ${entity}, id, ${sql.ref(KEY_COLUMN[entity])}, ${action},
      ${sql.raw(before ?? "NULL::jsonb")}, ${sql.raw(after)}, version
    FROM written)`;

const NAMED_AFTER = "jsonb_build_object('slug', slug, 'name', name)";
const SERIES_AFTER = "jsonb_build_object('slug', slug, 'name', name, 'category_id', category_id)";
const productImage = (prefix: string) =>
  `jsonb_build_object('slug', ${prefix}slug, 'title_tr', ${prefix}title_tr, 'title_en', ${prefix}title_en,` +
  ` 'category_id', ${prefix}category_id, 'series_id', ${prefix}series_id, 'brand_id', ${prefix}brand_id)`;
const variantImage = (prefix: string) =>
  `jsonb_build_object('model_code', ${prefix}model_code, 'product_id', ${prefix}product_id,` +
  ` 'dimensions', ${prefix}dimensions, 'price', ${prefix}price::text, 'specs', ${prefix}specs)`;

async function insertNamed(
  trx: Trx,
  jobId: string,
  entity: "category" | "brand",
  rows: readonly { slug: string; name: string }[],
): Promise<WrittenRow[]> {
  const written = await chunked(rows, async (json) => {
    const result = await sql<WrittenRow>`
      WITH written AS (
        INSERT INTO ${sql.table(ENTITY_TABLES[entity])} (slug, name)
        SELECT slug, name FROM json_to_recordset(${json}::json) AS r(slug text, name text)
        RETURNING id, slug, name, version),
      ${logChanges(jobId, entity, "create", NAMED_AFTER, null)}
      SELECT id, slug AS key FROM written`.execute(trx);
    return result.rows;
  });
  expectWritten(
    `${entity} insert`,
    written,
    rows.map((r) => r.slug),
    (r) => r.key,
  );
  return written;
}

async function insertSeries(
  trx: Trx,
  jobId: string,
  rows: readonly { slug: string; name: string; category_id: number }[],
): Promise<WrittenRow[]> {
  const written = await chunked(rows, async (json) => {
    const result = await sql<WrittenRow>`
      WITH written AS (
        INSERT INTO catalog_series (slug, name, category_id)
        SELECT slug, name, category_id
        FROM json_to_recordset(${json}::json) AS r(slug text, name text, category_id bigint)
        RETURNING id, slug, name, category_id, version),
      ${logChanges(jobId, "series", "create", SERIES_AFTER, null)}
      SELECT id, slug AS key FROM written`.execute(trx);
    return result.rows;
  });
  expectWritten(
    "series insert",
    written,
    rows.map((r) => r.slug),
    (r) => r.key,
  );
  return written;
}

const PRODUCT_RECORD =
  "r(id bigint, slug text, title_tr text, title_en text, category_id bigint, series_id bigint, brand_id bigint)";

async function insertProducts(
  trx: Trx,
  jobId: string,
  rows: readonly ProductValues[],
): Promise<WrittenRow[]> {
  const written = await chunked(rows, async (json) => {
    const result = await sql<WrittenRow>`
      WITH written AS (
        INSERT INTO catalog_product (slug, title_tr, title_en, category_id, series_id, brand_id)
        SELECT slug, title_tr, title_en, category_id, series_id, brand_id
        FROM json_to_recordset(${json}::json) AS ${sql.raw(PRODUCT_RECORD)}
        RETURNING *),
      ${logChanges(jobId, "product", "create", productImage(""), null)}
      SELECT id, slug AS key FROM written`.execute(trx);
    return result.rows;
  });
  expectWritten(
    "product insert",
    written,
    rows.map((r) => r.slug),
    (r) => r.key,
  );
  return written;
}

async function updateProducts(
  trx: Trx,
  jobId: string,
  rows: readonly (ProductValues & { id: number })[],
): Promise<WrittenRow[]> {
  const written = await chunked(rows, async (json) => {
    const result = await sql<WrittenRow>`
      WITH written AS (
        UPDATE catalog_product AS p
        SET title_tr = r.title_tr, title_en = r.title_en, category_id = r.category_id,
            series_id = r.series_id, brand_id = r.brand_id
        FROM json_to_recordset(${json}::json) AS ${sql.raw(PRODUCT_RECORD)}
          JOIN catalog_product AS o ON o.id = r.id
        WHERE p.id = r.id
        RETURNING p.*, ${sql.raw(productImage("o."))} AS before_image),
      ${logChanges(jobId, "product", "update", productImage(""), "before_image")}
      SELECT id, slug AS key FROM written`.execute(trx);
    return result.rows;
  });
  expectWritten(
    "product update",
    written,
    rows.map((r) => r.id),
    (r) => r.id,
  );
  return written;
}

const VARIANT_RECORD =
  "r(id bigint, model_code text, product_id bigint, dimensions text, price numeric, specs jsonb)";

async function insertVariants(
  trx: Trx,
  jobId: string,
  rows: readonly VariantValues[],
): Promise<number> {
  let count = 0;
  for (let start = 0; start < rows.length; start += CHUNK) {
    const json = JSON.stringify(rows.slice(start, start + CHUNK));
    const result = await sql<{ n: number }>`
      WITH written AS (
        INSERT INTO catalog_variant (model_code, product_id, dimensions, price, specs)
        SELECT model_code, product_id, dimensions, price, specs
        FROM json_to_recordset(${json}::json) AS ${sql.raw(VARIANT_RECORD)}
        RETURNING *),
      ${logChanges(jobId, "variant", "create", variantImage(""), null)}
      SELECT count(*)::int AS n FROM written`.execute(trx);
    count += result.rows[0]?.n ?? 0;
  }
  // Every row given was inserted (a duplicate would have failed the statement).
  if (count !== rows.length)
    throw new Error(`variant insert: ${count} rows returned for ${rows.length} written`);
  return count;
}

async function updateVariants(
  trx: Trx,
  jobId: string,
  rows: readonly (VariantValues & { id: number })[],
): Promise<number> {
  let count = 0;
  for (let start = 0; start < rows.length; start += CHUNK) {
    const json = JSON.stringify(rows.slice(start, start + CHUNK));
    const result = await sql<{ n: number; ids: number }>`
      WITH written AS (
        UPDATE catalog_variant AS v
        SET product_id = r.product_id, dimensions = r.dimensions, price = r.price, specs = r.specs
        FROM json_to_recordset(${json}::json) AS ${sql.raw(VARIANT_RECORD)}
          JOIN catalog_variant AS o ON o.id = r.id
        WHERE v.id = r.id
        RETURNING v.*, ${sql.raw(variantImage("o."))} AS before_image),
      ${logChanges(jobId, "variant", "update", variantImage(""), "before_image")}
      SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM written`.execute(trx);
    const { n = 0, ids = 0 } = result.rows[0] ?? {};
    if (n !== ids) throw new Error(`variant update: ${n} rows returned for ${ids} ids`);
    count += n;
  }
  if (count !== rows.length)
    throw new Error(`variant update: ${count} rows returned for ${rows.length} written`);
  return count;
}

/**
 * Applies `plan` for job `jobId`, whose rows the caller locked with
 * {@link lockPlanRows} (`locked`). Throws CatalogDriftError (nothing written
 * once the caller rolls back) when the catalog moved on since validation.
 * Returns what it did, which the caller compares with what the plan promised.
 */
export async function applyCommitPlan(
  trx: Trx,
  jobId: string,
  plan: CommitPlan,
  locked: LockedRows,
): Promise<CommitCounts> {
  const drift: Drift = { changed: [], gone: [], exists: [] };
  checkLocked(plan, locked, drift);
  await checkCreates(trx, plan, drift);
  if (drift.changed.length + drift.gone.length + drift.exists.length > 0)
    throw new CatalogDriftError(drift);

  const createdCategories = await insertNamed(trx, jobId, "category", plan.create.categories);
  const categories = idsByKey([...plan.rely.categories, ...createdCategories]);
  const newSeries = plan.create.series.map((s) => ({
    slug: s.slug,
    name: s.name,
    category_id: idOf(categories, "category", s.category_slug),
  }));
  const createdSeries = await insertSeries(trx, jobId, newSeries);
  const series = idsByKey([...plan.rely.series, ...createdSeries]);
  const createdBrands = await insertNamed(trx, jobId, "brand", plan.create.brands);
  const brands = idsByKey([...plan.rely.brands, ...createdBrands]);

  const productValues = (p: PlannedProduct): ProductValues => ({
    slug: p.slug,
    title_tr: p.title_tr,
    title_en: p.title_en,
    category_id: idOf(categories, "category", p.category_slug),
    series_id: p.series_slug === null ? null : idOf(series, "series", p.series_slug),
    brand_id: p.brand_slug === null ? null : idOf(brands, "brand", p.brand_slug),
  });
  const createdProducts = await insertProducts(trx, jobId, plan.create.products.map(productValues));
  const updatedProducts = await updateProducts(
    trx,
    jobId,
    plan.update.products.map((p) => ({ ...productValues(p), id: p.seen.id })),
  );
  const products = idsByKey([
    ...plan.rely.products,
    ...plan.update.products.map((p) => p.seen),
    ...createdProducts,
  ]);

  const variantValues = (v: PlannedVariant): VariantValues => ({
    model_code: v.model_code,
    product_id: idOf(products, "product", v.product_slug),
    dimensions: v.dimensions,
    price: v.price,
    specs: v.specs,
  });
  const createdVariants = await insertVariants(trx, jobId, plan.create.variants.map(variantValues));
  await failpoint("commit.tx.catalog-written");
  const updatedVariants = await updateVariants(
    trx,
    jobId,
    plan.update.variants.map((v) => ({ ...variantValues(v), id: v.seen.id })),
  );
  return {
    candidates: {
      categories: createdCategories.length,
      series: createdSeries.length,
      brands: createdBrands.length,
    },
    products: {
      create: createdProducts.length,
      update: updatedProducts.length,
      unchanged: plan.rely.products.length,
    },
    variants: {
      create: createdVariants,
      update: updatedVariants,
      unchanged: plan.rely.variants.length,
    },
  };
}

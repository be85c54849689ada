/**
 * db_verify (SPEC §6): after a commit's transaction, every product slug and
 * variant model code it created is looked up again, in two queries. A miss
 * means the database lost what the commit reported as written.
 */
import type { Database } from "@catalog/db";
import type { DbVerifyResource } from "@catalog/jobs";
import { type Kysely, sql } from "kysely";

async function missing(
  db: Kysely<Database>,
  table: "catalog_product" | "catalog_variant",
  column: string,
  keys: string[],
) {
  if (keys.length === 0) return [];
  const { rows } = await sql<{ key: string }>`
    SELECT ${sql.ref(column)} AS key FROM ${sql.table(table)} WHERE ${sql.ref(column)} = ANY(${keys}::text[])`.execute(
    db,
  );
  const found = new Set(rows.map((row) => row.key));
  return keys.filter((key) => !found.has(key));
}

/** Verifies the rows job `jobId` created, from its change log. */
export async function verifyCreatedRows(
  db: Kysely<Database>,
  jobId: string,
): Promise<DbVerifyResource> {
  const created = await db
    .selectFrom("ops_import_change")
    .select(["entity", "entity_key"])
    .where("job_id", "=", jobId)
    .where("action", "=", "create")
    .where("entity", "in", ["product", "variant"])
    .orderBy("entity_key")
    .execute();
  const products = created.filter((row) => row.entity === "product").map((row) => row.entity_key);
  const variants = created.filter((row) => row.entity === "variant").map((row) => row.entity_key);
  const [missingProducts, missingVariants] = await Promise.all([
    missing(db, "catalog_product", "slug", products),
    missing(db, "catalog_variant", "model_code", variants),
  ]);
  return {
    enabled: true,
    created_entities_found_in_db: missingProducts.length === 0 && missingVariants.length === 0,
    verification_details: {
      products: {
        expected: products.length,
        found: products.length - missingProducts.length,
        missing: missingProducts,
      },
      variants: {
        expected: variants.length,
        found: variants.length - missingVariants.length,
        missing: missingVariants,
      },
    },
    created_product_slugs: products,
    created_variant_model_codes: variants,
  };
}

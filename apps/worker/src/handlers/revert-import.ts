/**
 * The revert job (SPEC §6, admin): in one transaction, restores the
 * before-image of every row the commit updated and deletes what it created
 * (variants, then products, then candidates nothing else uses). Refuses, with
 * the conflicting keys, when a later change touched any of those rows: undoing
 * it silently would lose someone else's work. A refused revert leaves the job's
 * status as it was and records why in `revert_refusal` (not as a failure: the
 * job is still committed and did not fail).
 */

import { isDeepStrictEqual } from "node:util";
import {
  deleteRows,
  ENTITY_TABLES,
  lockRows,
  type ProductValues,
  updateProducts,
  updateVariants,
  type VariantValues,
} from "@catalog/catalog";
import type { CatalogEntity, ChangeLogEntry, Database, ImportJob } from "@catalog/db";
import { failpoint } from "@catalog/failpoints";
import {
  findImportJob,
  JobFailure,
  lockImportJob,
  markReverted,
  refuseRevert,
} from "@catalog/jobs";
import { sql, type Transaction } from "kysely";
import type { WorkerDependencies } from "../worker-dependencies";
import { runInCommitTransaction } from "./run-in-commit-transaction";

type Trx = Transaction<Database>;

const ORDER: CatalogEntity[] = ["category", "series", "brand", "product", "variant"];

/** Reverts import `importId`; returns the job as it ended, or undefined when there was nothing to do. */
export async function revertImport(
  importId: string,
  deps: WorkerDependencies,
): Promise<ImportJob | undefined> {
  const log = deps.logger.child({ job_id: importId, phase: "revert" });
  const job = await findImportJob(deps.db, importId);
  if (job?.status !== "success" && job?.status !== "partial") {
    log.info({ status: job?.status ?? "missing" }, "Revert skipped: job is not committed");
    return undefined;
  }
  try {
    const reverted = await runInCommitTransaction(
      deps.db,
      {
        jobId: importId,
        timeoutMs: deps.limits.commitTimeoutMs,
        logger: deps.logger,
        // Alone: no commit runs meanwhile, so "nothing else uses what the job
        // created" holds until this transaction ends.
        catalogLock: "exclusive",
      },
      async (trx) => {
        const locked = await lockImportJob(trx, importId);
        if (locked?.status !== "success" && locked?.status !== "partial") return undefined;
        await failpoint("revert.tx.open");
        await revert(trx, importId);
        await failpoint("revert.tx.catalog-restored");
        return markReverted(trx, importId);
      },
    );
    await failpoint("revert.committed");
    if (!reverted) log.info("Revert skipped: job is no longer committed");
    else deps.metrics.jobsTotal.inc({ phase: "revert", outcome: "success", mode: reverted.mode });
    return reverted ?? findImportJob(deps.db, importId);
  } catch (error) {
    if (!(error instanceof JobFailure)) throw error;
    log.error({ err: error, details: error.details }, "Revert refused");
    deps.metrics.jobsTotal.inc({ phase: "revert", outcome: "failed", mode: job.mode });
    const refused = await refuseRevert(deps.db, importId, {
      code: error.code,
      message: error.message,
      details: error.details ?? null,
    });
    return refused ?? findImportJob(deps.db, importId);
  }
}

interface CurrentRow {
  id: number;
  [column: string]: unknown;
}

/**
 * Whether a row still holds what the job wrote. Compared by content, not by
 * version: a later job that was itself reverted leaves the content as this job
 * wrote it (with a higher version), and that is no conflict.
 */
function unchangedSince(entry: ChangeLogEntry, current: CurrentRow | undefined): boolean {
  if (!current) return false;
  return Object.entries(entry.after).every(([column, value]) =>
    isDeepStrictEqual(current[column], value),
  );
}

async function revert(trx: Trx, jobId: string): Promise<void> {
  const entries = await trx
    .selectFrom("ops_import_change")
    .selectAll()
    .where("job_id", "=", jobId)
    .orderBy("id")
    .execute();
  const byEntity = (entity: CatalogEntity, action?: "create" | "update") =>
    entries.filter((e) => e.entity === entity && (action === undefined || e.action === action));

  // Lock everything the job wrote, in the fixed order, and find later changes.
  const conflicts: string[] = [];
  for (const entity of ORDER) {
    const mine = byEntity(entity);
    const current = await lockRows<CurrentRow>(
      trx,
      entity,
      mine.map((e) => e.entity_id).sort((a, b) => a - b),
    );
    const byId = new Map(current.map((row) => [row.id, row]));
    for (const entry of mine) {
      if (!unchangedSince(entry, byId.get(entry.entity_id)))
        conflicts.push(`${entity}:${entry.entity_key}`);
    }
  }
  const createdProducts = byEntity("product", "create").map((e) => e.entity_id);
  const createdVariants = new Set(byEntity("variant", "create").map((e) => e.entity_id));
  const { rows: foreignVariants } = await sql<{ model_code: string }>`
    SELECT model_code FROM catalog_variant
    WHERE product_id = ANY(${createdProducts}::bigint[]) AND NOT (id = ANY(${[...createdVariants]}::bigint[]))
    ORDER BY model_code`.execute(trx);
  conflicts.push(...foreignVariants.map((row) => `variant:${row.model_code}`));
  if (conflicts.length > 0) {
    throw new JobFailure(
      "REVERT_CONFLICT",
      `Rows this import wrote were changed later (${conflicts.length}); nothing was reverted`,
      {
        conflicts: [...new Set(conflicts)],
      },
    );
  }

  await updateVariants(
    trx,
    byEntity("variant", "update").map((e) => restored<VariantValues>(e)),
  );
  await deleteRows(trx, "variant", [...createdVariants]);
  await updateProducts(
    trx,
    byEntity("product", "update").map((e) => restored<ProductValues>(e)),
  );
  await deleteRows(trx, "product", createdProducts);
  await deleteUnusedCandidates(trx, entries);
}

/** The before-image of an update, as the full values to write back. */
function restored<T>(entry: ChangeLogEntry): T & { id: number } {
  return { ...(entry.before as T), id: entry.entity_id };
}

/** Deletes the candidates the job created, unless another row uses them now. */
async function deleteUnusedCandidates(trx: Trx, entries: ChangeLogEntry[]): Promise<void> {
  const created = (entity: CatalogEntity) =>
    entries.filter((e) => e.entity === entity && e.action === "create").map((e) => e.entity_id);
  const unused = async (entity: CatalogEntity, usedBy: string) => {
    const ids = created(entity);
    if (ids.length === 0) return [];
    const { rows } = await sql<{ id: number }>`
      SELECT c.id FROM ${sql.table(ENTITY_TABLES[entity])} AS c
      WHERE c.id = ANY(${ids}::bigint[]) AND NOT EXISTS (${sql.raw(usedBy)})`.execute(trx);
    return rows.map((row) => row.id);
  };
  await deleteRows(
    trx,
    "series",
    await unused("series", "SELECT 1 FROM catalog_product p WHERE p.series_id = c.id"),
  );
  await deleteRows(
    trx,
    "brand",
    await unused("brand", "SELECT 1 FROM catalog_product p WHERE p.brand_id = c.id"),
  );
  await deleteRows(
    trx,
    "category",
    await unused(
      "category",
      "SELECT 1 FROM catalog_product p WHERE p.category_id = c.id UNION ALL SELECT 1 FROM catalog_series s WHERE s.category_id = c.id",
    ),
  );
}

/**
 * What the kill suite (worker-kills.fault.test.ts) reads and compares: its
 * catalog files (each job updates and creates rows of its own tag, so jobs never
 * touch each other's rows), a job's row and change log, what Postgres shows of
 * a transaction a killed worker left open, and a fault-free run of the same
 * files to compare the catalog with.
 */
import { createHash } from "node:crypto";
import type { Database } from "@catalog/db";
import { getObjectBuffer, headObject } from "@catalog/storage";
import {
  type CatalogDump,
  createTestDatabase,
  dumpCatalog,
  type RunningSystem,
  startSystem,
} from "@catalog/testing";
import { type Kysely, sql } from "kysely";
import { apiClient, sleep } from "./fault-kit";

/** Per job file: variants of the base catalog it updates, and products with a variant it creates. */
export const UPDATED = 10;
export const CREATED = 40;

const HEADER = "category,brand,title_en,model_code,price,dimensions";
/** A variant's model code (and its product's title): `K01-0007`. */
const code = (tag: string, n: number) => `${tag}-${String(n).padStart(4, "0")}`;
const line = (tag: string, n: number, price: string) =>
  `Kill Suite,Kill Brand,Product ${code(tag, n)},${code(tag, n)},${price},${n}x10`;

/** The catalog every job starts from: UPDATED variants of each job's tag. */
export function baseCsv(tags: readonly string[]): Buffer {
  const lines = [HEADER];
  for (const tag of tags) for (let n = 1; n <= UPDATED; n++) lines.push(line(tag, n, `${n}.00`));
  return Buffer.from(`${lines.join("\n")}\n`);
}

/** A job's file: new prices for its UPDATED base variants, and CREATED new products. */
export function jobCsv(tag: string): Buffer {
  const lines = [HEADER];
  for (let n = 1; n <= UPDATED; n++) lines.push(line(tag, n, `${n}.75`));
  for (let n = UPDATED + 1; n <= UPDATED + CREATED; n++) lines.push(line(tag, n, `${n}.50`));
  return Buffer.from(`${lines.join("\n")}\n`);
}

/** The SHA-256 of `bytes`, hex. */
export const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
/** The median of `values` (0 for none). */
export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

/** A job's row, as the checks read it. */
export interface JobRow {
  id: string;
  status: string;
  snapshot_key: string | null;
  snapshot_hash: string | null;
  report_key: string | null;
  report_status: "pending" | "ready" | "failed" | null;
  report_generation: number;
  db_verify: { created_entities_found_in_db?: boolean } | null;
  completed_at: Date | null;
  commit_attempts: number;
  summary: {
    candidates: { categories: number; series: number; brands: number };
    products: { create: number; update: number };
    variants: { create: number; update: number };
  } | null;
}

/** Job `id` as the checks read it (report_json never). */
export async function jobRow(db: Kysely<Database>, id: string): Promise<JobRow> {
  const row = await db
    .selectFrom("ops_importjob")
    .select([
      "id",
      "status",
      "snapshot_key",
      "snapshot_hash",
      "report_key",
      "report_status",
      "report_generation",
      "db_verify",
      "completed_at",
      "commit_attempts",
      "summary",
    ])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
  return row as unknown as JobRow;
}

/** Change-log rows the plan promises: every create (candidates included) and update. */
export function plannedChanges(row: JobRow): number {
  const summary = row.summary;
  if (!summary) throw new Error(`job ${row.id} has no summary`);
  const { candidates, products, variants } = summary;
  return (
    candidates.categories +
    candidates.series +
    candidates.brands +
    products.create +
    products.update +
    variants.create +
    variants.update
  );
}

/** The job's change log as `entity action key` lines, sorted (ids differ between databases). */
export async function changeKeys(db: Kysely<Database>, id: string): Promise<string[]> {
  const rows = await db
    .selectFrom("ops_import_change")
    .select(["entity", "action", "entity_key"])
    .where("job_id", "=", id)
    .execute();
  return rows.map((row) => `${row.entity} ${row.action} ${row.entity_key}`).sort();
}

/** Variants a job's file creates, as visible now (an open transaction's writes are not). */
export async function createdVariantsOf(db: Kysely<Database>, tag: string): Promise<number> {
  const row = await db
    .selectFrom("catalog_variant")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("model_code", ">=", code(tag, UPDATED + 1))
    .where("model_code", "<=", code(tag, UPDATED + CREATED))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Sessions of the commit or revert transaction open for `jobId`, as pg_stat_activity shows them. */
export async function openTransactionOf(
  db: Kysely<Database>,
  jobId: string,
): Promise<{ pid: number; state: string }[]> {
  const { rows } = await sql<{ pid: number; state: string }>`
    SELECT pid, state FROM pg_stat_activity
     WHERE datname = current_database() AND application_name = ${`catalog-import-commit:${jobId}`}`.execute(
    db,
  );
  return rows;
}

/**
 * Which of the catalog's variants, the change log, the jobs and the Media table
 * backend `pid` has written in its open transaction: a write holds a
 * RowExclusiveLock on the table until the transaction ends (a row lock, FOR
 * UPDATE, holds RowShareLock).
 */
export async function tablesWrittenBy(db: Kysely<Database>, pid: number): Promise<string[]> {
  const { rows } = await sql<{ table: string }>`
    SELECT DISTINCT c.relname AS table FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
     WHERE l.pid = ${pid} AND l.mode = 'RowExclusiveLock' AND l.granted
       AND c.relname IN ('catalog_variant', 'ops_import_change', 'ops_importjob', 'catalog_media')
     ORDER BY 1`.execute(db);
  return rows.map((row) => row.table);
}

/**
 * The backend holding the lock a validation records its result under (an
 * advisory lock on a bigint key: pg_locks shows its high and low halves), and its state.
 */
export async function validationLockHolder(
  db: Kysely<Database>,
  jobId: string,
): Promise<{ pid: number; state: string } | undefined> {
  return advisoryLockHolder(db, `import-validate:${jobId}`);
}

/** The backend holding the lock a job's report work writes and records its report under, and its state. */
export async function reportLockHolder(
  db: Kysely<Database>,
  jobId: string,
): Promise<{ pid: number; state: string } | undefined> {
  return advisoryLockHolder(db, `import-report:${jobId}`);
}

async function advisoryLockHolder(
  db: Kysely<Database>,
  name: string,
): Promise<{ pid: number; state: string } | undefined> {
  const { rows } = await sql<{ pid: number; state: string }>`
    SELECT a.pid, a.state FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended(${name}, 0)`.execute(
    db,
  );
  return rows[0];
}

/** Whether backend `pid` is still there. */
export async function backendAlive(db: Kysely<Database>, pid: number): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ${pid}`.execute(db);
  return (rows[0]?.n ?? 0) > 0;
}

/** The SHA-256 of the object at `key`, or null when there is none. */
export async function objectHash(
  store: RunningSystem["store"],
  key: string,
): Promise<string | null> {
  if (!(await headObject(store, key))) return null;
  return sha256(await getObjectBuffer(store, key));
}

/** The outcome of a fault-free run of the same files. */
export interface Reference {
  dump: CatalogDump;
  changes: Record<string, string[]>;
}

/**
 * The same files through a second system on a database of its own, without a
 * fault: the base committed, every job (`tags`) validated and committed, then
 * `reverted` reverted; returns its catalog and each job's change log.
 */
export async function faultFreeRun(
  env: NodeJS.ProcessEnv,
  tags: readonly string[],
  reverted: readonly string[],
): Promise<Reference> {
  const database = await createTestDatabase();
  let system: RunningSystem | undefined;
  try {
    system = await startSystem({
      databaseUrl: database.url,
      db: database.db,
      env,
      workers: 1,
    });
    const api = await apiClient(system);
    const settle = async (id: string, status: string) => {
      for (let i = 0; i < 1200; i++) {
        const row = await jobRow(database.db, id);
        if (row.status === status && (status !== "success" || row.db_verify)) return;
        if (["failed", "cancelled"].includes(row.status)) break;
        await sleep(100);
      }
      throw new Error(`fault-free run: job ${id} did not end ${status}`);
    };
    const upload = async (file: Buffer, name: string) => {
      const response = await api.upload(file, name);
      if (response.status !== 202) throw new Error(`fault-free upload ${name}: ${response.status}`);
      const { id } = response.body as { id: string };
      await settle(id, "validated");
      return id;
    };
    const base = await upload(baseCsv(tags), "kill-base.csv");
    await api.commit(base);
    await settle(base, "success");
    const ids: Record<string, string> = {};
    for (const tag of tags) ids[tag] = await upload(jobCsv(tag), `kill-${tag}.csv`);
    for (const tag of tags) {
      await api.commit(ids[tag] as string);
      await settle(ids[tag] as string, "success");
    }
    for (const tag of reverted) {
      await api.revert(ids[tag] as string);
      await settle(ids[tag] as string, "reverted");
    }
    const changes: Record<string, string[]> = {};
    for (const tag of tags) changes[tag] = await changeKeys(database.db, ids[tag] as string);
    return { dump: await dumpCatalog(database.db), changes };
  } finally {
    await system?.stop();
    await database.drop();
  }
}

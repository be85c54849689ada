/**
 * What every fault scenario shares: the system's settings (short reaper and
 * lost-work intervals so recoveries happen within a test's patience, the
 * smallest STUCK_AFTER_S the service accepts), a small HTTP client for the API,
 * catalog files whose rows a commit either applies all of or none of, the checks
 * of that, and the figures each scenario prints.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Database } from "@catalog/db";
import { REPOSITORY_ROOT, type RunningSystem } from "@catalog/testing";
import { type Kysely, sql } from "kysely";
import pg from "pg";

/** Repetitions of each fault (the issue asks for 5; CI may run fewer with FAULT_REPEATS). */
export const REPEATS = Number(process.env.FAULT_REPEATS ?? 5);

/** Settings of every process in the fault suite. */
export const FAULT_ENV: NodeJS.ProcessEnv = {
  // Webhook delivery on, as under `npm start`: its queue and relay face the faults too.
  WEBHOOK_SECRET: `whsec_${randomBytes(32).toString("base64")}`,
  // The smallest the service accepts: a 90 s S3 freeze outlasts it, so only the
  // heartbeat keeps a live job from being reaped.
  STUCK_AFTER_S: "60",
  HEARTBEAT_INTERVAL_S: "5",
  REAPER_INTERVAL_S: "5",
  LOST_WORK_AFTER_S: "10",
  MAINTENANCE_TICK_S: "1",
  // Room for the files that keep two workers busy for a few seconds.
  MAX_VARIANTS: "20000",
  MAX_PRODUCTS: "20000",
  LOG_LEVEL: "info",
};

/** Bound on re-enqueueing lost work with FAULT_ENV: LOST_WORK_AFTER_S + REAPER_INTERVAL_S + MAINTENANCE_TICK_S. */
export const LOST_WORK_BOUND_S = 10 + 5 + 1;

/** Key of the advisory lock every commit takes (run-in-commit-transaction.ts). */
export const CATALOG_WRITE_LOCK = 0x6361_7461;

export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** A job as the API shows it (the fields the scenarios look at). */
export interface ApiJob {
  id: string;
  status: string;
  failure: { code: string; message: string; details: unknown } | null;
  summary: {
    errors: number;
    products: { create: number };
    variants: { create: number };
  } | null;
  result: { variants: { create: number } } | null;
  progress: { retry?: { code: string; attempt: number } } | null;
}

/** The API over HTTP, as an importer. */
export interface ApiClient {
  upload(file: Buffer, name: string): Promise<{ status: number; body: unknown; ms: number }>;
  job(id: string): Promise<ApiJob | undefined>;
  commit(id: string): Promise<number>;
  /** Requests the revert of a committed job (as an admin); the HTTP status. */
  revert(id: string): Promise<number>;
  readyz(): Promise<{ status: number; checks: Record<string, string> }>;
}

export async function apiClient(system: RunningSystem): Promise<ApiClient> {
  const token = await system.token("importer");
  const headers = { authorization: `Bearer ${token}` };
  const admin = { authorization: `Bearer ${await system.token("admin")}` };
  const base = `${system.apiUrl}/api/admin/import-jobs`;
  return {
    upload: async (file, name) => {
      const form = new FormData();
      form.set("mode", "smart");
      form.set("file", new Blob([file]), name);
      const started = Date.now();
      const response = await fetch(`${base}/validate/`, { method: "POST", headers, body: form });
      const body = await response.json().catch(() => undefined);
      return { status: response.status, body, ms: Date.now() - started };
    },
    job: async (id) => {
      // A request right after a fault may meet a dead connection once (503): ask again.
      const response = await fetch(`${base}/${id}/`, { headers }).catch(() => undefined);
      if (response?.status !== 200) return undefined;
      return (await response.json()) as ApiJob;
    },
    commit: async (id) => {
      const response = await fetch(`${base}/${id}/commit/`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ allow_partial: false }),
      });
      await response.arrayBuffer();
      return response.status;
    },
    revert: async (id) => {
      const response = await fetch(`${base}/${id}/revert/`, { method: "POST", headers: admin });
      await response.arrayBuffer();
      return response.status;
    },
    readyz: async () => {
      const response = await fetch(`${system.apiUrl}/readyz`);
      const body = (await response.json()) as { checks: Record<string, string> };
      return { status: response.status, checks: body.checks };
    },
  };
}

/** Polls the job through the API until `done`, or throws after `timeoutMs`. */
export async function waitForJob(
  client: ApiClient,
  id: string,
  done: (job: ApiJob) => boolean,
  timeoutMs = 120_000,
  everyMs = 100,
): Promise<ApiJob> {
  const deadline = Date.now() + timeoutMs;
  let last: ApiJob | undefined;
  for (;;) {
    last = (await client.job(id)) ?? last;
    if (last && done(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`job ${id} is still ${last?.status} after ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

/** Final statuses of a phase. */
export const isFinal = (job: ApiJob) =>
  ["validated", "failed", "success", "partial", "reverted"].includes(job.status);

/** The status of job `id` read straight from Postgres (no API in between). */
export async function statusOf(db: Kysely<Database>, id: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("ops_importjob")
    .select("status")
    .where("id", "=", id)
    .executeTakeFirst();
  return row?.status;
}

/** Waits until job `id` is in one of `statuses` in Postgres, polling every 20 ms. */
export async function waitForStatus(
  db: Kysely<Database>,
  id: string,
  statuses: string[],
  timeoutMs = 60_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await statusOf(db, id).catch(() => undefined);
    if (status && statuses.includes(status)) return status;
    if (Date.now() > deadline) throw new Error(`job ${id} is still ${status}`);
    await sleep(20);
  }
}

/**
 * A smart-mode catalog CSV of `rows` products, one variant each, whose model
 * codes all start with `tag-`: after a commit, the rows with that prefix are
 * exactly the file's or none.
 */
export function catalogCsv(tag: string, rows: number): Buffer {
  const lines = ["category,brand,title_en,model_code,price,dimensions"];
  for (let index = 1; index <= rows; index++) {
    const n = String(index).padStart(5, "0");
    lines.push(`Fault ${tag},Brand ${tag},Product ${tag} ${n},${tag}-${n},${index}.50,${index}x10`);
  }
  return Buffer.from(`${lines.join("\n")}\n`);
}

/** A job a scenario uploaded: its tag (the prefix of its model codes), id and rows. */
export interface TrackedJob {
  tag: string;
  id: string;
  rows: number;
}

/** Uploads a file of `rows` rows tagged `tag`, expects 202, and adds the job to `jobs`. */
export async function uploadTracked(
  api: ApiClient,
  jobs: TrackedJob[],
  tag: string,
  rows: number,
): Promise<string> {
  const response = await api.upload(catalogCsv(tag, rows), `${tag}.csv`);
  if (response.status !== 202)
    throw new Error(`upload ${tag}: ${response.status} ${JSON.stringify(response.body)}`);
  const { id } = response.body as { id: string };
  jobs.push({ tag, id, rows });
  return id;
}

/** How many variants of `tag` are in the catalog. */
export async function variantsOf(db: Kysely<Database>, tag: string): Promise<number> {
  const row = await db
    .selectFrom("catalog_variant")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("model_code", "like", `${tag}-%`)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Half-applied commits among `jobs` (tag → job id, `rows` each): a job whose
 * variants are in the catalog only in part, or in full without the job being
 * committed, or missing although it was.
 */
export async function halfApplied(db: Kysely<Database>, jobs: TrackedJob[]): Promise<string[]> {
  const wrong: string[] = [];
  for (const job of jobs) {
    const [count, status] = await Promise.all([variantsOf(db, job.tag), statusOf(db, job.id)]);
    const committed = status === "success" || status === "partial";
    if (committed ? count !== job.rows : count !== 0)
      wrong.push(`${job.tag}: ${count} of ${job.rows} rows, job ${status}`);
  }
  return wrong;
}

/**
 * Holds the catalog write lock on a session of its own, so a commit started
 * meanwhile waits inside its transaction (where a fault can be made to land).
 */
export async function holdCommitLock(databaseUrl: string): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: "fault-lock" });
  client.on("error", () => undefined);
  await client.connect();
  await client.query("SELECT pg_advisory_lock($1)", [CATALOG_WRITE_LOCK]);
  return {
    release: async () => {
      await client.query("SELECT pg_advisory_unlock($1)", [CATALOG_WRITE_LOCK]).catch(() => {});
      await client.end().catch(() => undefined);
    },
  };
}

/** Backends of workers waiting on the catalog write lock: commits inside their transaction. */
export async function commitLockWaiters(db: Kysely<Database>): Promise<number[]> {
  const { rows } = await sql<{ pid: number }>`
    SELECT pid FROM pg_stat_activity
     WHERE datname = current_database() AND application_name = 'catalog-import-worker'
       AND wait_event_type = 'Lock' AND wait_event = 'advisory'`.execute(db);
  return rows.map((row) => row.pid);
}

/** How many commits wait on the catalog write lock inside their transaction. */
export async function commitsWaitingOnLock(db: Kysely<Database>): Promise<number> {
  return (await commitLockWaiters(db)).length;
}

/** Lines every worker logged with `msg`, across the system's workers. */
export function workerLogs(system: RunningSystem, msg: RegExp): Record<string, unknown>[] {
  return system.workers.flatMap((worker) =>
    worker.logLines().filter((line) => msg.test(String(line.msg ?? ""))),
  );
}

/** Where each scenario writes its figures (printed by `npm run faults` at the end). */
export const FIGURES_DIR = join(REPOSITORY_ROOT, ".data", "faults");

/** Records a scenario's figures: one JSON file, and the same on stdout. */
export function recordFigures(scenario: string, figures: Record<string, unknown>): void {
  mkdirSync(FIGURES_DIR, { recursive: true });
  const text = JSON.stringify({ scenario, repeats: REPEATS, ...figures });
  writeFileSync(join(FIGURES_DIR, `${scenario}.json`), `${text}\n`);
  process.stdout.write(`\nfault figures: ${text}\n`);
}

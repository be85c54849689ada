/**
 * The API under test: built with createApp against this test file's own
 * database, bucket and Redis key prefix (real services, no mocks), listening on
 * a free port and called over HTTP with fetch.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createApiToken } from "@catalog/auth";
import { createDb, type Database, type ImportJob, type NewImportJob, type Role } from "@catalog/db";
import {
  closeImportQueues,
  createImportQueues,
  type ImportQueues,
  JOB_COLUMNS,
  type JobResource,
} from "@catalog/jobs";
import { createLogger, createMetrics } from "@catalog/observability";
import { createProducerConnection, type RedisConnection } from "@catalog/queue";
import { type ObjectStore, pingBucket } from "@catalog/storage";
import {
  createTestDatabase,
  listKeys as listObjectKeys,
  createTestObjectStore,
  testRedisUrl,
  uniqueQueuePrefix,
} from "@catalog/testing";
import type { Express } from "express";
import { type Kysely, sql } from "kysely";
import { createApp } from "../../src/app";

/** Callers of the matrix: no token, an unknown one, a revoked one, and each role. */
export type Caller = "none" | "unknown" | "revoked" | Role;

export interface TestApi {
  url: string;
  app: Express;
  /** Connection string of this test file's database. */
  databaseUrl: string;
  db: Kysely<Database>;
  store: ObjectStore;
  queues: ImportQueues;
  redis: RedisConnection;
  /** Bearer tokens by caller (none: no header). */
  tokens: Record<Exclude<Caller, "none">, string>;
  /** Headers that authenticate as `caller`. */
  auth(caller: Caller): Record<string, string>;
  close(): Promise<void>;
}

export const EMAIL: Record<Role, string> = {
  viewer: "viewer@example.com",
  importer: "importer@example.com",
  admin: "admin@example.com",
};

/**
 * Starts the API on a free port; `redisUrl` lets a test put a proxy in front of
 * Redis, `apiDatabaseUrl` one in front of the API's own Postgres pool (the test's
 * `db` stays direct).
 */
export async function startTestApi(
  options: {
    maxFileBytes?: number;
    redisUrl?: string;
    idempotencyKeyTtlHours?: number;
    webhookAllowedHosts?: string[];
    apiDatabaseUrl?: (databaseUrl: string) => string;
  } = {},
): Promise<TestApi> {
  const database = await createTestDatabase();
  const { db } = database;
  const apiDb = options.apiDatabaseUrl
    ? createDb({ url: options.apiDatabaseUrl(database.url), poolSize: 5 })
    : db;
  const store = await createTestObjectStore();
  const redis = createProducerConnection(options.redisUrl ?? testRedisUrl());
  redis.on("error", () => undefined);
  const queues = createImportQueues(redis, uniqueQueuePrefix());

  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const app = createApp({
    db: apiDb,
    logger: createLogger("api-test", "silent"),
    metrics: createMetrics(),
    store,
    queues,
    limits: { maxFileBytes: options.maxFileBytes ?? 10 * 1024 * 1024, stuckAfterS: 1_800 },
    idempotency: { keyTtlHours: options.idempotencyKeyTtlHours ?? 24 },
    webhooks: { allowedHosts: options.webhookAllowedHosts ?? ["127.0.0.1", "localhost"] },
    baseUrl: url,
    ping: {
      postgres: () => sql`SELECT 1`.execute(apiDb),
      redis: () => redis.ping(),
      s3: () => pingBucket(store),
    },
  });
  server.on("request", app);

  const tokens = {
    viewer: (await createApiToken(db, EMAIL.viewer, "viewer")).token,
    importer: (await createApiToken(db, EMAIL.importer, "importer")).token,
    admin: (await createApiToken(db, EMAIL.admin, "admin")).token,
    unknown: `cit_${randomBytes(32).toString("base64url")}`,
    revoked: (await createApiToken(db, "gone@example.com", "admin")).token,
  };
  await db
    .updateTable("ops_api_token")
    .set({ revoked_at: new Date() })
    .where("email", "=", "gone@example.com")
    .execute();

  return {
    url,
    app,
    databaseUrl: database.url,
    db,
    store,
    queues,
    redis,
    tokens,
    auth: (caller): Record<string, string> =>
      caller === "none" ? {} : { Authorization: `Bearer ${tokens[caller]}` },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      if (redis.status === "ready") {
        await Promise.all(Object.values(queues).map((queue) => queue.obliterate({ force: true })));
      }
      await closeImportQueues(queues);
      redis.disconnect();
      store.client.destroy();
      if (apiDb !== db) await apiDb.destroy();
      await database.drop();
    },
  };
}

/** Inserts a job row directly, in whatever state a test needs. */
export async function insertJob(
  db: Kysely<Database>,
  job: Partial<NewImportJob> = {},
): Promise<ImportJob> {
  const id = job.id ?? randomUUID();
  return db
    .insertInto("ops_importjob")
    .values({
      id,
      status: "pending",
      mode: "strict",
      file_name: "catalog.csv",
      file_size: 10,
      file_hash: randomBytes(32).toString("hex"),
      input_key: `inputs/${id}/catalog.csv`,
      created_by: EMAIL.importer,
      ...job,
    })
    .returning(JOB_COLUMNS)
    .executeTakeFirstOrThrow();
}

/** Every key in the bucket (ListObjectsV2, all pages). */
export const listKeys = listObjectKeys;

/** How many job rows there are. */
export async function countJobs(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom("ops_importjob")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** A CSV of exactly `size` bytes, different for each `seed`. */
export function csvBytes(size: number, seed: string = randomUUID()): Buffer {
  const header = `model_code,product_slug,seed ${seed}\n`;
  const line = "ABC-001,some-product,1\n";
  const body = Buffer.alloc(Math.max(size, header.length), line);
  body.write(header, 0);
  return body.subarray(0, size);
}

/** A multipart form: `fields` in the order given, the file where `file` sits among them. */
export function uploadForm(
  parts: ([name: string, value: string] | [name: "file", bytes: Buffer, fileName: string])[],
): FormData {
  const form = new FormData();
  for (const part of parts) {
    if (part.length === 3) form.append(part[0], new Blob([part[1]]), part[2]);
    else form.append(part[0], part[1]);
  }
  return form;
}

/** POSTs an upload as `caller`. */
export function upload(
  api: TestApi,
  form: FormData,
  options: { caller?: Caller; headers?: Record<string, string>; path?: string } = {},
): Promise<Response> {
  return fetch(`${api.url}${options.path ?? "/api/admin/import-jobs/validate/"}`, {
    method: "POST",
    headers: { ...api.auth(options.caller ?? "importer"), ...options.headers },
    body: form,
  });
}

/** The `error` of an error answer. */
export interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

/** A JSON answer, typed by the caller. */
export async function readJson<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/** A job answer. */
export const readJob = (response: Response) => readJson<JobResource>(response);

/** The `error` of an error answer. */
export async function readError(response: Response): Promise<ErrorBody> {
  return (await readJson<{ error: ErrorBody }>(response)).error;
}

/**
 * What integration tests connect to: the real Postgres, Redis and the S3 server
 * started by the jest global setup (test/global-setup.ts). Each test file gets
 * its own database (cloned from the migrated template), its own Redis key prefix
 * and its own bucket, so files run in parallel without seeing each other.
 */
import { randomBytes } from "node:crypto";
import type { Database } from "@catalog/db";
import { createDb } from "@catalog/db";
import { createS3Client, ensureBucket, type ObjectStore, type S3Settings } from "@catalog/storage";
import type { Kysely, LogConfig } from "kysely";
import pg from "pg";

/** Environment the global setup leaves for test workers. */
export const TEST_ENV = {
  postgresUrl: "TEST_POSTGRES_URL",
  templateDatabase: "TEST_TEMPLATE_DATABASE",
  databasePrefix: "TEST_DATABASE_PREFIX",
  s3Endpoint: "TEST_S3_ENDPOINT",
  redisUrl: "TEST_REDIS_URL",
} as const;

function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is unset: run integration tests through jest's global setup`);
  return value;
}

/** The server URL (no database) tests use; TEST_POSTGRES_URL overrides the local default. */
export function postgresServerUrl(): string {
  return process.env[TEST_ENV.postgresUrl] ?? "postgres://postgres@127.0.0.1:5432/postgres";
}

/** A connection string for `database` on the test server. */
export function databaseUrl(database: string): string {
  const url = new URL(postgresServerUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresServerUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A database of the test file's own, migrated (cloned from the template). */
export interface TestDatabase {
  name: string;
  url: string;
  db: Kysely<Database>;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/** Clones the migrated template into a new database for one test file. */
export async function createTestDatabase(options: { log?: LogConfig } = {}): Promise<TestDatabase> {
  const template = required(TEST_ENV.templateDatabase);
  const name = `${required(TEST_ENV.databasePrefix)}_${randomBytes(4).toString("hex")}`;
  await adminQuery(
    `CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE ${pg.escapeIdentifier(template)}`,
  );
  const url = databaseUrl(name);
  const db = createDb({
    url,
    poolSize: 5,
    applicationName: "catalog-import-test",
    log: options.log,
  });
  return {
    name,
    url,
    db,
    drop: async () => {
      await db.destroy();
      await adminQuery(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    },
  };
}

/** The Redis the tests use. */
export function testRedisUrl(): string {
  return process.env[TEST_ENV.redisUrl] ?? "redis://127.0.0.1:6379";
}

/** A BullMQ key prefix no other test file uses (a hash tag, as QUEUE_PREFIX must be). */
export function uniqueQueuePrefix(): string {
  return `{test-${randomBytes(6).toString("hex")}}`;
}

/** S3 settings pointing at the test server, with a bucket of the caller's own. */
export function testS3Settings(bucket = `test-${randomBytes(6).toString("hex")}`): S3Settings {
  return {
    endpoint: required(TEST_ENV.s3Endpoint),
    region: "us-east-1",
    bucket,
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
  };
}

/** An object store on the test S3 server with a fresh bucket, created. */
export async function createTestObjectStore(): Promise<ObjectStore & { settings: S3Settings }> {
  const settings = testS3Settings();
  const store = { client: createS3Client(settings), bucket: settings.bucket, settings };
  await ensureBucket(store);
  return store;
}

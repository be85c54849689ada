/**
 * Jest global setup for integration tests: starts the embedded S3 server on a
 * free port and migrates a template database that each test file clones. What
 * workers need goes through environment variables (see packages/testing).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb, migrateToLatest } from "@catalog/db";
import { startEmbeddedS3Server } from "@catalog/storage";
import { databaseUrl, postgresServerUrl, TEST_ENV } from "@catalog/testing";
import pg from "pg";

export default async function globalSetup(): Promise<void> {
  const runId = randomBytes(4).toString("hex");
  const prefix = `cit_${runId}`;
  const template = `${prefix}_template`;

  const admin = new pg.Client({ connectionString: postgresServerUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(template)}`);
  await admin.end();
  const db = createDb({ url: databaseUrl(template), poolSize: 1 });
  await migrateToLatest(db);
  await db.destroy();

  const s3 = await startEmbeddedS3Server({
    port: 0,
    directory: mkdtempSync(join(tmpdir(), "catalog-import-s3-")),
    buckets: [],
  });

  process.env[TEST_ENV.templateDatabase] = template;
  process.env[TEST_ENV.databasePrefix] = prefix;
  process.env[TEST_ENV.s3Endpoint] = s3.endpoint;
  (globalThis as Record<string, unknown>).__catalogTestS3 = s3;
}

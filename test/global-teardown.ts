/** Jest global teardown: stops the S3 server and drops every database this run made. */
import type { EmbeddedS3Server } from "@catalog/storage";
import { postgresServerUrl, TEST_ENV } from "@catalog/testing";
import pg from "pg";

export default async function globalTeardown(): Promise<void> {
  const s3 = (globalThis as Record<string, unknown>).__catalogTestS3 as
    | EmbeddedS3Server
    | undefined;
  await s3?.close();
  const prefix = process.env[TEST_ENV.databasePrefix];
  if (!prefix) return;
  const admin = new pg.Client({ connectionString: postgresServerUrl() });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE $1",
      [`${prefix}%`],
    );
    for (const { datname } of rows) {
      await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}

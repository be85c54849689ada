/**
 * `npm run migrate`: creates the database when missing and applies every pending
 * migration. Running it again changes nothing.
 */
import { databaseEnv, parseEnvOrExit } from "@catalog/config";
import { createDb, ensureDatabase, migrateToLatest } from "@catalog/db";

async function main(): Promise<void> {
  const env = parseEnvOrExit(databaseEnv);
  if (await ensureDatabase(env.DATABASE_URL)) console.log("Created the database.");
  const db = createDb({ url: env.DATABASE_URL, poolSize: 1, applicationName: "migrate" });
  try {
    const applied = await migrateToLatest(db);
    console.log(applied.length ? applied.join("\n") : "Database is up to date.");
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

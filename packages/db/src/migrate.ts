/**
 * Applies or rolls back the migrations in `migrations/` with Kysely's Migrator.
 * Applying twice changes nothing; every migration has a `down`.
 */
import { type Kysely, type MigrationResultSet, Migrator, NO_MIGRATIONS } from "kysely";
import { migrations } from "../../../migrations";

function migrator<DB>(db: Kysely<DB>): Migrator {
  return new Migrator({
    db: db as Kysely<unknown>,
    provider: { getMigrations: async () => migrations },
  });
}

function unwrap({ error, results }: MigrationResultSet): string[] {
  const failed = results?.find((result) => result.status === "Error");
  if (error || failed) {
    const cause = error instanceof Error ? error.message : String(error ?? "");
    throw new Error(`Migration ${failed?.migrationName ?? ""} failed: ${cause}`, { cause: error });
  }
  return (results ?? []).map((result) => `${result.direction} ${result.migrationName}`);
}

/** Applies every pending migration; returns what it did, e.g. `["Up 0001_catalog"]`. */
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<string[]> {
  return unwrap(await migrator(db).migrateToLatest());
}

/** Rolls every migration back (their `down`s, newest first). */
export async function migrateDownAll<DB>(db: Kysely<DB>): Promise<string[]> {
  return unwrap(await migrator(db).migrateTo(NO_MIGRATIONS));
}

/** Names of the migrations that exist and of those applied. */
export async function migrationStatus<DB>(
  db: Kysely<DB>,
): Promise<{ name: string; executedAt?: Date }[]> {
  const infos = await migrator(db).getMigrations();
  return infos.map((info) => ({ name: info.name, executedAt: info.executedAt }));
}

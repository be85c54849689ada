import { randomBytes } from "node:crypto";
import { createDb, migrateDownAll, migrateToLatest, migrationStatus } from "@catalog/db";
import { databaseUrl, postgresServerUrl } from "@catalog/testing";
import { sql } from "kysely";
import pg from "pg";
import { migrations } from "../../../migrations";

/** Every migration's name, in the order they apply. */
const names = Object.keys(migrations).sort();
const ups = names.map((name) => `Up ${name}`);
const downs = [...names].reverse().map((name) => `Down ${name}`);

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresServerUrl() });
  await client.connect();
  await client.query(statement).finally(() => client.end());
}

const tablesIn = async (db: ReturnType<typeof createDb>) =>
  (
    await sql<{ tablename: string }>`
      SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'kysely_%'
      ORDER BY tablename`.execute(db)
  ).rows.map((row) => row.tablename);

describe("migrations", () => {
  // An empty database of its own, not the migrated template.
  const name = `cit_empty_${randomBytes(4).toString("hex")}`;
  let db: ReturnType<typeof createDb>;

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${name}`);
    db = createDb({ url: databaseUrl(name), poolSize: 2 });
  });
  afterAll(async () => {
    await db.destroy();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it("apply to an empty database, roll all back, apply again; a second apply changes nothing", async () => {
    expect(await tablesIn(db)).toEqual([]);

    expect(await migrateToLatest(db)).toEqual(ups);
    const tables = await tablesIn(db);
    expect(tables).toEqual([
      "catalog_brand",
      "catalog_category",
      "catalog_media",
      "catalog_product",
      "catalog_series",
      "catalog_variant",
      "ops_api_token",
      "ops_idempotency_key",
      "ops_import_change",
      "ops_importjob",
      "ops_object_deletion",
      "ops_webhook_attempt",
      "ops_webhook_event",
    ]);

    expect(await migrateToLatest(db)).toEqual([]);

    expect(await migrateDownAll(db)).toEqual(downs);
    expect(await tablesIn(db)).toEqual([]);
    expect((await migrationStatus(db)).every((m) => m.executedAt === undefined)).toBe(true);

    expect(await migrateToLatest(db)).toEqual(ups);
    expect(await tablesIn(db)).toEqual(tables);
  });

  it("bumps a catalog row's version on every update, whoever writes it", async () => {
    const category = await db
      .insertInto("catalog_category")
      .values({ slug: "ocaklar", name: "Ocaklar" })
      .returning(["id", "version"])
      .executeTakeFirstOrThrow();
    expect(category.version).toBe(1);
    // As an operator would, by hand.
    await sql`UPDATE catalog_category SET name = 'Ocak' WHERE id = ${category.id}`.execute(db);
    const after = await db
      .selectFrom("catalog_category")
      .select(["version", "name"])
      .where("id", "=", category.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ version: 2, name: "Ocak" });
  });

  it("enforces identities: a second category with the same slug is refused", async () => {
    await expect(
      db.insertInto("catalog_category").values({ slug: "ocaklar", name: "Again" }).execute(),
    ).rejects.toThrow(/duplicate key/);
  });
});

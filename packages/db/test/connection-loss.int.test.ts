/**
 * A pool whose connections Postgres terminates (a restart, a failover,
 * pg_terminate_backend) keeps the process alive and serves the next query on a
 * new connection, for clients lost while idle in the pool and while checked
 * out between the statements of a transaction. An `error` event without a
 * listener would end the jest worker running this file.
 */
import { createDb, type Database } from "@catalog/db";
import { createTestDatabase, type TestDatabase, terminateBackends } from "@catalog/testing";
import { type Kysely, sql } from "kysely";

const APP = "connection-loss-test";

describe("a pool that loses its connections", () => {
  let database: TestDatabase;
  let db: Kysely<Database>;
  const lost: Error[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDb({
      url: database.url,
      poolSize: 4,
      applicationName: APP,
      onConnectionError: (error) => lost.push(error),
    });
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  const waitFor = async (condition: () => boolean) => {
    for (let i = 0; i < 100 && !condition(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(condition()).toBe(true);
  };

  it("reports idle clients lost, drops them and answers the next query on new ones", async () => {
    // Four connections open at once, then idle in the pool.
    await Promise.all([1, 2, 3, 4].map(() => sql`SELECT pg_sleep(0.05)`.execute(db)));
    const before = lost.length;
    expect(await terminateBackends(database.name, { applicationName: APP })).toBe(4);
    await waitFor(() => lost.length >= before + 4);

    const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(db);
    expect(rows).toEqual([{ one: 1 }]);
  });

  it("reports a client lost mid-transaction: the transaction fails, the pool carries on", async () => {
    const before = lost.length;
    const transaction = db.transaction().execute(async (trx) => {
      await sql`SELECT 1`.execute(trx);
      // Checked out and between statements when its session ends.
      expect(await terminateBackends(database.name, { applicationName: APP })).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 300));
      await sql`SELECT 2`.execute(trx);
    });
    await expect(transaction).rejects.toThrow();
    expect(lost.length).toBeGreaterThan(before);

    const { rows } = await sql<{ two: number }>`SELECT 2 AS two`.execute(db);
    expect(rows).toEqual([{ two: 2 }]);
  });
});

/**
 * COMMIT_TIMEOUT_S is the commit's own budget: the wait for the locks of rows
 * another commit holds is neither timed out nor counted in its duration; and
 * the cancel that enforces the budget can only reach the commit's own statement.
 */
import { findImportJob, requestCommit } from "@catalog/jobs";
import { createMetrics } from "@catalog/observability";
import { sql } from "kysely";
import pg from "pg";
import { commitImport } from "../src/handlers/commit-import";
import {
  cancelOwnStatement,
  commitApplicationName,
  type TransactionIdentity,
} from "../src/handlers/run-in-commit-transaction";
import { committed, csv, validated } from "./support/commit-helpers";
import { until } from "./support/until";
import { createWorkerHarness, type WorkerHarness } from "./support/worker-harness";

describe("the commit timeout", () => {
  let harness: WorkerHarness;
  beforeAll(async () => {
    harness = await createWorkerHarness();
  });
  afterAll(() => harness.close());

  it("a commit queued behind a long one, with COMMIT_TIMEOUT_S shorter than its wait, succeeds; its duration leaves the wait out", async () => {
    const db = harness.deps.db;
    await committed(
      harness,
      await validated(
        harness,
        csv([
          ["category", "title_en", "model_code"],
          ["Ocaklar", "Shared Product", "SHARED-1"],
        ]),
        "base.csv",
        "smart",
      ),
    );
    // The long commit relies on SHARED-1 unchanged (it locks it) and creates a product.
    const long = await validated(
      harness,
      csv([
        ["category", "title_en", "model_code"],
        ["Ocaklar", "Shared Product", "SHARED-1"],
        ["Ocaklar", "Long Product", "LONG-1"],
      ]),
      "long.csv",
      "smart",
    );
    // The queued one updates SHARED-1: it must wait for the long one's row lock.
    const queued = await validated(
      harness,
      csv([
        ["category", "title_en", "model_code", "price"],
        ["Ocaklar", "Shared Product", "SHARED-1", "9.90"],
      ]),
      "queued.csv",
      "smart",
    );
    // The long commit spends 4 s inside its transaction, holding SHARED-1's lock.
    await sql`CREATE FUNCTION test_long_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.slug = 'long-product' THEN PERFORM pg_sleep(4); END IF; RETURN NEW; END $$`.execute(
      db,
    );
    await sql`CREATE TRIGGER test_long_insert BEFORE INSERT ON catalog_product
      FOR EACH ROW EXECUTE FUNCTION test_long_insert()`.execute(db);
    try {
      await requestCommit(db, long.id, false);
      await requestCommit(db, queued.id, false);
      const longDone = commitImport(long.id, harness.deps);
      await until("the long commit to hold the lock", async () => {
        const { rows } = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE application_name = ${commitApplicationName(long.id)}`.execute(db);
        return rows[0]?.n === 1;
      });

      // 1.5 s of budget, queued behind ~4 s of someone else's transaction.
      const queuedMetrics = createMetrics();
      const queuedDeps = {
        ...harness.deps,
        metrics: queuedMetrics,
        limits: { ...harness.deps.limits, commitTimeoutMs: 1_500 },
      };
      const started = performance.now();
      const queuedDone = commitImport(queued.id, queuedDeps);
      await until("the queued commit to wait for the row lock", async () => {
        const { rows } = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE application_name = ${commitApplicationName(queued.id)}
            AND wait_event_type = 'Lock'`.execute(db);
        return rows[0]?.n === 1;
      });
      const [longJob, queuedJob] = await Promise.all([longDone, queuedDone]);
      const waited = (performance.now() - started) / 1000;

      expect(longJob?.status).toBe("success");
      expect(queuedJob).toMatchObject({ status: "success", failure_code: null });
      expect(waited).toBeGreaterThan(1.5);
      // The commit series (every phase's series exists from the start, at 0).
      const histogram = (await queuedMetrics.phaseDuration.get()).values.filter(
        (v) => v.labels.phase === "commit",
      );
      const sum = histogram.find((v) => v.metricName === "import_phase_duration_seconds_sum");
      const count = histogram.find((v) => v.metricName === "import_phase_duration_seconds_count");
      expect(count?.value).toBe(1);
      expect(sum?.value).toBeLessThan(waited);
      expect(sum?.value).toBeLessThan(1.5);
    } finally {
      await sql`DROP TRIGGER test_long_insert ON catalog_product`.execute(db);
    }
    expect((await findImportJob(db, queued.id))?.result).toMatchObject({
      variants: { update: 1 },
    });
  });

  it("the cancel names the transaction: once it is over, a statement the same connection runs next is not cancelled", async () => {
    const client = new pg.Client({ connectionString: harness.database.url });
    await client.connect();
    try {
      const identityOf = async (): Promise<TransactionIdentity> => {
        const { rows } = await client.query<TransactionIdentity>(`
          SELECT pg_backend_pid() AS "pid",
            (SELECT backend_start::text FROM pg_stat_activity WHERE pid = pg_backend_pid()) AS "backendStart",
            now()::text AS "xactStart"`);
        return rows[0] as TransactionIdentity;
      };
      const running = () =>
        until("the statement to run", async () => {
          const { rows } = await sql<{ n: number }>`
            SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND state = 'active' AND query LIKE '%pg_sleep(2)%'
              AND pid <> pg_backend_pid()`.execute(harness.deps.db);
          return rows[0]?.n === 1;
        });

      // A transaction's statement is cancelled while that transaction runs it...
      await client.query("BEGIN");
      const open = await identityOf();
      const sleeping = client.query("SELECT pg_sleep(2)").then(
        () => "finished",
        (error: { code?: string }) => error.code,
      );
      await running();
      expect(await cancelOwnStatement(harness.deps.db, open)).toBe(true);
      expect(await sleeping).toBe("57014");
      await client.query("ROLLBACK");

      // ...and once it is over, the same connection's next work is out of its reach.
      const next = client.query("SELECT pg_sleep(2)").then(
        () => "finished",
        (error: { code?: string }) => error.code,
      );
      await running();
      expect(await cancelOwnStatement(harness.deps.db, open)).toBe(false);
      expect(await next).toBe("finished");
    } finally {
      await client.end();
    }
  });
});

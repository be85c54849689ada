import { randomUUID } from "node:crypto";
import { createRevalidationJob, findImportJob, requestCommit } from "@catalog/jobs";
import { getObjectBuffer, putObject } from "@catalog/storage";
import { catalogRowsChecksum, readFixture } from "@catalog/testing";
import { sql } from "kysely";
import { commitImport } from "../src/handlers/commit-import";
import { validateImport } from "../src/handlers/validate-import";
import { committed, csv, validated } from "./support/commit-helpers";
import { createWorkerHarness, type WorkerHarness } from "./support/worker-harness";

describe("commit refusals write nothing", () => {
  let harness: WorkerHarness;
  beforeAll(async () => {
    harness = await createWorkerHarness({ limits: { commitTimeoutMs: 1_000 } });
    await committed(
      harness,
      await validated(harness, await readFixture("01_base.xlsx"), "01_base.xlsx", "smart"),
    );
  });
  afterAll(() => harness.close());

  it("a tampered snapshot fails SNAPSHOT_INTEGRITY_FAILED, logs it and counts it; the catalog is unchanged", async () => {
    const job = await validated(
      harness,
      await readFixture("02_update.csv"),
      "02_update.csv",
      "strict",
    );
    const bytes = await getObjectBuffer(harness.deps.store, job.snapshot_key ?? "");
    const tampered = Buffer.from(bytes.toString("utf8").replace("16623.82", "1.00"));
    expect(tampered.equals(bytes)).toBe(false);
    await putObject(harness.deps.store, job.snapshot_key ?? "", tampered, "application/json");

    const before = await catalogRowsChecksum(harness.deps.db);
    await requestCommit(harness.deps.db, job.id, true);
    const done = await commitImport(job.id, harness.deps);
    expect(done).toMatchObject({
      status: "failed",
      failure_code: "SNAPSHOT_INTEGRITY_FAILED",
      retryable: false,
    });
    expect(await catalogRowsChecksum(harness.deps.db)).toEqual(before);
    expect(
      harness.logs.some((l) => l.msg === "Snapshot integrity check FAILED" && l.job_id === job.id),
    ).toBe(true);
    expect((await harness.deps.metrics.snapshotIntegrityFailures.get()).values[0]?.value).toBe(1);
  });

  describe("drift", () => {
    async function expectStale(
      job: { id: string },
      key: string,
      kind: "changed" | "exists" | "gone",
    ) {
      const before = await catalogRowsChecksum(harness.deps.db);
      await requestCommit(harness.deps.db, job.id, true);
      const done = await commitImport(job.id, harness.deps);
      expect(done).toMatchObject({ status: "failed", failure_code: "SNAPSHOT_STALE" });
      expect((done?.failure_details as Record<string, string[]> | undefined)?.[kind]).toContain(
        key,
      );
      expect(await catalogRowsChecksum(harness.deps.db)).toEqual(before);
      return done;
    }

    async function revalidateAndCommit(job: { id: string }) {
      const source = await findImportJob(harness.deps.db, job.id);
      if (!source) throw new Error("no job");
      const fresh = await createRevalidationJob(
        harness.deps.db,
        source,
        randomUUID(),
        "tester@example.com",
      );
      expect((await validateImport(fresh.id, harness.deps))?.status).toBe("validated");
      const done = await committed(harness, fresh);
      expect(done?.status).toMatch(/^(success|partial)$/);
      return done;
    }

    it("a planned update changed since validation → SNAPSHOT_STALE; revalidate then commit succeeds", async () => {
      const job = await validated(
        harness,
        csv([
          ["category", "title_en", "model_code", "price"],
          ["Pişirme Ekipmanları", "Gas Range 4 Burner Model 0", "GKO-6000", "1.00"],
        ]),
        "drift-update.csv",
        "strict",
      );
      await sql`UPDATE catalog_variant SET dimensions = 'changed by hand' WHERE model_code = 'GKO-6000'`.execute(
        harness.deps.db,
      );
      await expectStale(job, "variant:GKO-6000", "changed");
      await revalidateAndCommit(job);
      const row = await harness.deps.db
        .selectFrom("catalog_variant")
        .select(["price", "dimensions"])
        .where("model_code", "=", "GKO-6000")
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ price: "1.00", dimensions: "changed by hand" });
    });

    it("a planned create inserted by someone else → SNAPSHOT_STALE", async () => {
      const job = await validated(
        harness,
        csv([
          ["category", "title_en", "model_code"],
          ["Pişirme Ekipmanları", "Brand New Range", "NEW-DRIFT-1"],
        ]),
        "drift-create.csv",
        "strict",
      );
      await sql`INSERT INTO catalog_variant (model_code, product_id)
        SELECT 'NEW-DRIFT-1', id FROM catalog_product ORDER BY id LIMIT 1`.execute(harness.deps.db);
      await expectStale(job, "variant:NEW-DRIFT-1", "exists");
    });

    it("a referenced series deleted → SNAPSHOT_STALE; revalidate then commit succeeds", async () => {
      await sql`INSERT INTO catalog_series (slug, name, category_id)
        SELECT 'bos-seri', 'Boş Seri', id FROM catalog_category WHERE slug = 'pisirme-ekipmanlari'`.execute(
        harness.deps.db,
      );
      const job = await validated(
        harness,
        csv([
          ["category", "series", "title_en", "model_code"],
          ["Pişirme Ekipmanları", "Boş Seri", "Series Product", "SER-1"],
        ]),
        "drift-series.csv",
        "smart",
      );
      await sql`DELETE FROM catalog_series WHERE slug = 'bos-seri'`.execute(harness.deps.db);
      await expectStale(job, "series:bos-seri", "gone");
      // Revalidated in smart mode, the series becomes a candidate again.
      const done = await revalidateAndCommit(job);
      expect(done?.result).toMatchObject({
        candidates: { series: 1 },
        products: { create: 1 },
        variants: { create: 1 },
      });
    });
  });

  it("a commit past COMMIT_TIMEOUT_S is rolled back (COMMIT_TIMEOUT, retryable) and can be committed again", async () => {
    const job = await validated(
      harness,
      csv([
        ["category", "title_en", "model_code"],
        ["Pişirme Ekipmanları", "Slow Product", "SLOW-1"],
      ]),
      "slow.csv",
      "strict",
    );
    await sql`CREATE FUNCTION test_slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(3); RETURN NEW; END $$`.execute(harness.deps.db);
    await sql`CREATE TRIGGER test_slow_insert BEFORE INSERT ON catalog_product
      FOR EACH ROW EXECUTE FUNCTION test_slow_insert()`.execute(harness.deps.db);
    const before = await catalogRowsChecksum(harness.deps.db);
    try {
      await requestCommit(harness.deps.db, job.id, true);
      const started = Date.now();
      const done = await commitImport(job.id, harness.deps);
      expect(Date.now() - started).toBeLessThan(2_900);
      expect(done).toMatchObject({
        status: "failed",
        failure_code: "COMMIT_TIMEOUT",
        retryable: true,
      });
      expect(await catalogRowsChecksum(harness.deps.db)).toEqual(before);
    } finally {
      await sql`DROP TRIGGER test_slow_insert ON catalog_product`.execute(harness.deps.db);
    }
    // A transient failure: the same job can be committed again.
    expect(await requestCommit(harness.deps.db, job.id, true)).toMatchObject({
      commit_attempts: 2,
    });
    expect(await commitImport(job.id, harness.deps)).toMatchObject({ status: "success" });
  });
});

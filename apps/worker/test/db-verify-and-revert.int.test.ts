import type { ImportJob } from "@catalog/db";
import { toJobResource } from "@catalog/jobs";
import { catalogContentChecksum, readFixture } from "@catalog/testing";
import { sql } from "kysely";
import { revertImport } from "../src/handlers/revert-import";
import { committed, csv, validated } from "./support/commit-helpers";
import { createWorkerHarness, type WorkerHarness } from "./support/worker-harness";

describe("db_verify", () => {
  let harness: WorkerHarness;
  beforeAll(async () => {
    harness = await createWorkerHarness();
  });
  afterAll(() => harness.close());

  it("a created row missing after the commit is logged as DB VERIFY FAILED and counted", async () => {
    const job = await validated(
      harness,
      csv([
        ["category", "title_en", "model_code"],
        ["Ocaklar", "Vanishing Product", "VANISH-1"],
        ["Ocaklar", "Vanishing Product", "STAYS-1"],
      ]),
      "vanish.csv",
      "smart",
    );
    // Something in the database removes a row right after it is written.
    await sql`CREATE FUNCTION test_vanish() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN DELETE FROM catalog_variant WHERE id = NEW.id; RETURN NULL; END $$`.execute(
      harness.deps.db,
    );
    await sql`CREATE TRIGGER test_vanish AFTER INSERT ON catalog_variant
      FOR EACH ROW WHEN (NEW.model_code = 'VANISH-1') EXECUTE FUNCTION test_vanish()`.execute(
      harness.deps.db,
    );
    try {
      const done = await committed(harness, job);
      expect(done?.status).toBe("success");
      expect(done?.db_verify).toMatchObject({
        enabled: true,
        created_entities_found_in_db: false,
        created_variant_model_codes: ["STAYS-1", "VANISH-1"],
        verification_details: { variants: { expected: 2, found: 1, missing: ["VANISH-1"] } },
      });
      expect(harness.logs.some((l) => l.msg === `DB VERIFY FAILED for job ${job.id}`)).toBe(true);
      expect((await harness.deps.metrics.dbVerifyFailures.get()).values[0]?.value).toBe(1);
    } finally {
      await sql`DROP TRIGGER test_vanish ON catalog_variant`.execute(harness.deps.db);
    }
  });
});

describe("revert", () => {
  let harness: WorkerHarness;
  beforeAll(async () => {
    harness = await createWorkerHarness();
  });
  afterAll(() => harness.close());

  it("restores the exact prior catalog for jobs with creates, updates and candidates", async () => {
    const empty = await catalogContentChecksum(harness.deps.db);
    const first = await committed(
      harness,
      await validated(harness, await readFixture("01_base.xlsx"), "01_base.xlsx", "smart"),
    );
    const afterFirst = await catalogContentChecksum(harness.deps.db);
    const second = await committed(
      harness,
      await validated(harness, await readFixture("02_update.csv"), "02_update.csv", "strict"),
    );
    expect(second?.result).toMatchObject({ variants: { create: 7, update: 5 } });

    expect(await revertImport(second?.id ?? "", harness.deps)).toMatchObject({
      status: "reverted",
    });
    expect(await catalogContentChecksum(harness.deps.db)).toBe(afterFirst);
    // The first job created every category, series and brand (candidates): all go.
    expect(await revertImport(first?.id ?? "", harness.deps)).toMatchObject({ status: "reverted" });
    expect(await catalogContentChecksum(harness.deps.db)).toBe(empty);
  });

  it("is refused with the conflicting keys after a later job changed the same rows", async () => {
    const first = await committed(
      harness,
      await validated(harness, await readFixture("01_base.xlsx"), "01_base.xlsx", "smart"),
    );
    await committed(
      harness,
      await validated(harness, await readFixture("07_updates.csv"), "07_updates.csv", "strict"),
    );
    const before = await catalogContentChecksum(harness.deps.db);
    const refused = await revertImport(first?.id ?? "", harness.deps);
    // The job is still committed and did not fail: the refusal is recorded apart.
    expect(refused).toMatchObject({
      status: "success",
      failure_code: null,
      revert_refusal: { code: "REVERT_CONFLICT" },
    });
    const resource = toJobResource(refused as ImportJob, "");
    expect(resource.failure).toBeNull();
    const conflicts = (resource.revert_refusal?.details as { conflicts: string[] } | undefined)
      ?.conflicts;
    expect(conflicts).toEqual(
      expect.arrayContaining([
        "product:gas-range-4-burner-model-0",
        "variant:GKO-6000",
        "variant:EFR-6011",
      ]),
    );
    expect(await catalogContentChecksum(harness.deps.db)).toBe(before);
    // Counted under the job's own mode (every label set starts at 0: only counted ones are > 0).
    const reverts = (await harness.deps.metrics.jobsTotal.get()).values.filter(
      (value) =>
        value.labels.phase === "revert" && value.labels.outcome === "failed" && value.value > 0,
    );
    expect(reverts.map((value) => [value.labels.outcome, value.labels.mode, value.value])).toEqual([
      ["failed", "smart", 1],
    ]);
  });
});

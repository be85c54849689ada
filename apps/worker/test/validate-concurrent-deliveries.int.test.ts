/**
 * Two deliveries of one validation running at the same time (a redelivery while
 * the first worker is slow, not dead) leave one snapshot, whose bytes hash to
 * the SHA-256 recorded on the job and in the Media table. The catalog changes
 * all along, so the two deliveries plan against different versions and their
 * snapshots differ: a late upload over a recorded one would be caught.
 */
import { createHash } from "node:crypto";
import { decodeSnapshot } from "@catalog/core";
import { getObjectBuffer } from "@catalog/storage";
import { sql } from "kysely";
import { validateImport } from "../src/handlers/validate-import";
import { committed, csv, validated } from "./support/commit-helpers";
import { createWorkerHarness, type WorkerHarness } from "./support/worker-harness";

const JOBS = 8;
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

describe("two concurrent deliveries of one validation", () => {
  let harness: WorkerHarness;
  beforeAll(async () => {
    harness = await createWorkerHarness();
  });
  afterAll(() => harness.close());

  it("leave one snapshot whose hash matches the recorded one, while the catalog keeps changing", async () => {
    const db = harness.deps.db;
    const rows = Array.from({ length: 200 }, (_, i) => [
      "Ocaklar",
      `Product ${i}`,
      `CHURN-${i}`,
      "10.00",
    ]);
    const header = ["category", "title_en", "model_code", "price"];
    await committed(harness, await validated(harness, csv([header, ...rows]), "base.csv", "smart"));

    // Every delivery plans updates of these rows; their versions move all the time.
    let churning = true;
    const churn = (async () => {
      let bumps = 0;
      while (churning) {
        await sql`UPDATE catalog_variant SET price = price WHERE model_code LIKE 'CHURN-%'`.execute(
          db,
        );
        bumps++;
        await new Promise((done) => setTimeout(done, 5));
      }
      return bumps;
    })();
    const update = csv([header, ...rows.map((row) => [...row.slice(0, 3), "11.00"])]);
    const jobs = [];
    try {
      for (let i = 0; i < JOBS; i++) {
        const job = await harness.submit(update, `update-${i}.csv`, "strict");
        const deliveries = await Promise.all([
          validateImport(job.id, harness.deps),
          validateImport(job.id, harness.deps),
        ]);
        jobs.push({ job, deliveries });
      }
    } finally {
      churning = false;
    }
    expect(await churn).toBeGreaterThan(JOBS);

    const skipped = harness.logs.filter((line) => line.msg.startsWith("Validation not recorded"));
    for (const { job, deliveries } of jobs) {
      expect(deliveries.map((d) => d?.status)).toEqual(["validated", "validated"]);
      const recorded = await db
        .selectFrom("ops_importjob")
        .select(["status", "snapshot_key", "snapshot_hash"])
        .where("id", "=", job.id)
        .executeTakeFirstOrThrow();
      const bytes = await getObjectBuffer(harness.deps.store, recorded.snapshot_key ?? "");
      const media = await db
        .selectFrom("catalog_media")
        .select(["sha256"])
        .where("object_key", "=", recorded.snapshot_key ?? "")
        .execute();
      expect({ job: job.id, stored: sha256(bytes), media: media.map((m) => m.sha256) }).toEqual({
        job: job.id,
        stored: recorded.snapshot_hash,
        media: [recorded.snapshot_hash],
      });
      expect(decodeSnapshot(bytes).job_id).toBe(job.id);
      // Each pair raced: one delivery recorded, the other found it recorded and wrote nothing.
      expect(skipped.filter((line) => line.job_id === job.id)).toHaveLength(1);
    }
    // The race was real: at least one losing delivery had planned a different snapshot.
    const differing = skipped.filter(
      (line) =>
        (line as { computed_sha256?: string }).computed_sha256 !==
        (line as { recorded_sha256?: string }).recorded_sha256,
    );
    expect(differing.length).toBeGreaterThan(0);
  });
});

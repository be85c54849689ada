import { decodeSnapshot } from "@catalog/core";
import { findJobReportJson, requestCommit } from "@catalog/jobs";
import { getObjectBuffer } from "@catalog/storage";
import { dumpCatalog, readFixtureJson } from "@catalog/testing";
import { commitImport } from "../src/handlers/commit-import";
import { validateImport } from "../src/handlers/validate-import";
import { expectedView, toExpectedShape } from "./support/expected-view";
import {
  createWorkerHarness,
  type ExpectedOutcome,
  type FixtureStep,
  type WorkerHarness,
} from "./support/worker-harness";

/** catalog_after.json leaves null fields out; the dump has every field. */
function withNulls(catalog: Record<string, Record<string, Record<string, unknown>>>) {
  const fields: Record<string, string[]> = {
    products: ["title_tr", "title_en", "category", "series", "brand"],
    variants: ["product", "dimensions", "price", "specs"],
  };
  const filled = structuredClone(catalog);
  for (const [type, names] of Object.entries(fields)) {
    for (const entity of Object.values(filled[type] ?? {})) {
      for (const name of names) entity[name] ??= null;
    }
  }
  return filled;
}

describe("the fixture story: validate → commit (allow_partial) → next file", () => {
  let harness: WorkerHarness;
  beforeAll(async () => {
    harness = await createWorkerHarness();
  });
  afterAll(() => harness.close());

  it("reproduces every expected file, commits exactly the previews, and ends at catalog_after.json", async () => {
    const steps = readFixtureJson<FixtureStep[]>("sequence.json");
    for (const step of steps) {
      const expected = readFixtureJson<ExpectedOutcome>(step.expected);
      const job = await harness.submitFixture(step.file, step.mode);
      const validated = await validateImport(job.id, harness.deps);

      if (expected.fatal) {
        expect({
          file: step.file,
          status: validated?.status,
          code: validated?.failure_code,
        }).toEqual({
          file: step.file,
          status: "failed",
          code: expected.fatal,
        });
        expect(validated?.failure_details).toMatchObject({ missing: expected.missing });
        continue;
      }

      expect(validated?.status).toBe("validated");
      const snapshot = decodeSnapshot(
        await getObjectBuffer(harness.deps.store, validated?.snapshot_key ?? ""),
      );
      expect({
        file: step.file,
        ...toExpectedShape(await findJobReportJson(harness.deps.db, job.id), snapshot),
      }).toEqual({
        file: step.file,
        ...expectedView(expected),
      });

      expect(await requestCommit(harness.deps.db, job.id, true)).toBeDefined();
      const committed = await commitImport(job.id, harness.deps);
      const { candidates, products, variants } = expected.summary;
      expect({ file: step.file, status: committed?.status, result: committed?.result }).toEqual({
        file: step.file,
        status: expected.summary.errors > 0 ? "partial" : "success",
        result: { candidates, products, variants },
      });
      expect(committed?.db_verify).toMatchObject({
        enabled: true,
        created_entities_found_in_db: true,
      });
    }
    expect(await dumpCatalog(harness.deps.db)).toEqual(
      withNulls(readFixtureJson("catalog_after.json")),
    );
  });
});

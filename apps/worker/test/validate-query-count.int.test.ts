import { readFixture } from "@catalog/testing";
import type { LogEvent } from "kysely";
import { validateImport } from "../src/handlers/validate-import";
import { csv } from "./support/commit-helpers";
import { createWorkerHarness, type WorkerHarness } from "./support/worker-harness";

/** Catalog reads (not the job or media bookkeeping). */
const isCatalogQuery = (sql: string) =>
  /\b(catalog_category|catalog_series|catalog_brand|catalog_product|catalog_variant)\b/.test(sql);

describe("validate reads the catalog in batches", () => {
  let harness: WorkerHarness;
  const queries: string[] = [];
  beforeAll(async () => {
    harness = await createWorkerHarness({
      log: (event: LogEvent) => {
        if (event.level === "query") queries.push(event.query.sql);
      },
    });
  });
  afterAll(() => harness.close());

  async function catalogQueriesFor(
    bytes: Buffer,
    name: string,
    mode: "strict" | "smart",
  ): Promise<number> {
    const job = await harness.submit(bytes, name, mode);
    queries.length = 0;
    expect((await validateImport(job.id, harness.deps))?.status).toBe("validated");
    return queries.filter(isCatalogQuery).length;
  }

  it("issues a fixed number of catalog queries for 01_base.xlsx, the same for a file 20 times longer", async () => {
    const base = await catalogQueriesFor(
      await readFixture("01_base.xlsx"),
      "01_base.xlsx",
      "smart",
    );
    expect(base).toBeGreaterThan(0);
    expect(base).toBeLessThanOrEqual(5);

    const rows = [["category", "series", "brand", "title_en", "model_code", "price"]];
    for (let i = 0; i < 540; i++)
      rows.push([
        `Kategori ${i % 9}`,
        `Seri ${i % 13}`,
        `Marka ${i % 7}`,
        `Product ${i >> 1}`,
        `M-${i}`,
        "10",
      ]);
    expect(await catalogQueriesFor(csv(rows), "long.csv", "smart")).toBe(base);
  });
});

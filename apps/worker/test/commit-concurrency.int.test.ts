import { requestCommit } from "@catalog/jobs";
import { dumpCatalog, readFixture } from "@catalog/testing";
import { commitImport } from "../src/handlers/commit-import";
import { committed, csv, validated } from "./support/commit-helpers";
import { createWorkerHarness, type WorkerHarness } from "./support/worker-harness";

describe("ten overlapping commits started together", () => {
  let harness: WorkerHarness;
  beforeAll(async () => {
    harness = await createWorkerHarness();
    const base = await readFixture("01_base.xlsx");
    await committed(harness, await validated(harness, base, "01_base.xlsx", "smart"));
  });
  afterAll(() => harness.close());

  it("end success or SNAPSHOT_STALE, with no deadlock and no lost update", async () => {
    const before = await dumpCatalog(harness.deps.db);
    const codes = Object.keys(before.variants).slice(0, 6);
    const row = (code: string, price: string) => {
      const variant = before.variants[code];
      const product = before.products[variant?.product ?? ""];
      return [
        product?.category ?? "",
        variant?.product ?? "",
        product?.title_en ?? "",
        code,
        price,
      ];
    };
    // File i sets the price of two neighbouring variants (overlapping file i+1) and creates a product.
    const files = Array.from({ length: 10 }, (_, i) =>
      csv([
        ["category_slug", "product_slug", "title_en", "model_code", "price"],
        row(codes[i % 6] as string, `${100 + i}.00`),
        row(codes[(i + 1) % 6] as string, `${100 + i}.50`),
        ["pisirme-ekipmanlari", `concurrent-${i}`, `Concurrent ${i}`, `CONC-${i}`, "1.00"],
      ]),
    );
    const jobs = [];
    for (const [i, file] of files.entries())
      jobs.push(await validated(harness, file, `conc-${i}.csv`, "strict"));
    for (const job of jobs) await requestCommit(harness.deps.db, job.id, true);

    const results = await Promise.all(jobs.map((job) => commitImport(job.id, harness.deps)));
    const outcomes = results.map((r) => (r?.status === "failed" ? r.failure_code : r?.status));
    expect(outcomes.filter((o) => o !== "success" && o !== "SNAPSHOT_STALE")).toEqual([]);
    expect(outcomes).toContain("success");
    expect(outcomes).toContain("SNAPSHOT_STALE");

    // The catalog equals applying the successful files, in the order they completed.
    const expected = structuredClone(before);
    const successes = results
      .map((result, i) => ({ result, i }))
      .filter(({ result }) => result?.status === "success")
      .sort(
        (a, b) =>
          (a.result?.completed_at?.getTime() ?? 0) - (b.result?.completed_at?.getTime() ?? 0),
      );
    for (const { i } of successes) {
      const [first, second] = [
        expected.variants[codes[i % 6] as string],
        expected.variants[codes[(i + 1) % 6] as string],
      ];
      if (first) first.price = `${100 + i}.00`;
      if (second) second.price = `${100 + i}.50`;
      expected.products[`concurrent-${i}`] = {
        title_tr: null,
        title_en: `Concurrent ${i}`,
        category: "pisirme-ekipmanlari",
        series: null,
        brand: null,
      };
      expected.variants[`CONC-${i}`] = {
        product: `concurrent-${i}`,
        dimensions: null,
        price: "1.00",
        specs: {},
      };
    }
    expect(await dumpCatalog(harness.deps.db)).toEqual(expected);
  });
});

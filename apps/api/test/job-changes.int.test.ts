/**
 * `GET /api/admin/import-jobs/<id>/changes/` on a real snapshot in the real S3
 * server: 10,000 planned changes paged and filtered, read from the snapshot
 * once (later pages are answered after the object is gone), the applied source
 * after commit, nothing before validation, 404 past retention.
 */
import {
  buildSnapshot,
  emptyCatalogView,
  encodeSnapshot,
  normalizeFile,
  planImport,
  type RawRow,
} from "@catalog/core";
import { deleteObject, putObject } from "@catalog/storage";
import { insertJob, readError, readJson, startTestApi, type TestApi } from "./support/test-api";

interface Change {
  entity: string;
  key: string;
  action: string;
  candidate: boolean;
  rows: number[];
  fields: Record<string, { before: unknown; after: unknown }>;
}
interface ChangePage {
  items: Change[];
  total: number;
  limit: number;
  offset: number;
  source: string | null;
}

const VARIANTS = 10_000;
const PRODUCTS = 2_000;

/** A validated job whose snapshot plans 10 categories, 2,000 products and 10,000 variants. */
async function validatedJobWithLargePlan(api: TestApi) {
  const job = await insertJob(api.db, { status: "validated", mode: "smart" });
  const rows: RawRow[] = [
    { row: 1, cells: ["category", "title_en", "model_code", "price", "spec:Renk"] },
    ...Array.from({ length: VARIANTS }, (_, index) => ({
      row: index + 2,
      cells: [
        `Kategori ${index % 10}`,
        `Product ${Math.floor(index / (VARIANTS / PRODUCTS))}`,
        `M-${String(index).padStart(5, "0")}`,
        `${index}.50`,
        "Kırmızı",
      ],
    })),
  ];
  const file = normalizeFile(rows, {
    maxProducts: 5_000,
    maxVariants: 10_000,
    maxSpecsPerVariant: 50,
  });
  const result = planImport(file, emptyCatalogView(), "smart");
  const snapshot = encodeSnapshot(
    buildSnapshot({
      jobId: job.id,
      input: { filename: job.file_name, fileSha256: job.file_hash, mode: "smart" },
      result,
    }),
  );
  const key = `snapshots/import_snapshot_${job.id}.json`;
  await putObject(api.store, key, snapshot.bytes, "application/json");
  await api.db
    .updateTable("ops_importjob")
    .set({ snapshot_key: key, snapshot_hash: snapshot.sha256 })
    .where("id", "=", job.id)
    .execute();
  return { job, key };
}

describe("GET /api/admin/import-jobs/<id>/changes/", () => {
  let api: TestApi;
  const changes = async (id: string, query = "") => {
    const response = await fetch(`${api.url}/api/admin/import-jobs/${id}/changes/?${query}`, {
      headers: api.auth("viewer"),
    });
    return response;
  };
  const page = async (id: string, query = "") => {
    const response = await changes(id, query);
    expect(response.status).toBe(200);
    return readJson<ChangePage>(response);
  };

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api.close();
  });

  it("pages 10,000 planned variant changes, filtered, read from the snapshot once", async () => {
    const { job, key } = await validatedJobWithLargePlan(api);
    const first = await page(job.id, "limit=5");
    expect(first).toMatchObject({ total: 10 + PRODUCTS + VARIANTS, source: "planned" });
    expect(first.items.map((c) => [c.entity, c.key, c.action, c.candidate])).toEqual([
      ["category", "kategori-0", "create", true],
      ["category", "kategori-1", "create", true],
      ["category", "kategori-2", "create", true],
      ["category", "kategori-3", "create", true],
      ["category", "kategori-4", "create", true],
    ]);
    expect(first.items[0]?.fields).toEqual({ name: { before: null, after: "Kategori 0" } });

    // The snapshot is gone from storage: every later page still comes from the one read.
    await deleteObject(api.store, key);
    const seen: Change[] = [];
    for (let offset = 0; offset < VARIANTS; offset += 1_000) {
      const variants = await page(
        job.id,
        `entity=variant&action=create&limit=1000&offset=${offset}`,
      );
      expect(variants.total).toBe(VARIANTS);
      seen.push(...variants.items);
    }
    expect(seen).toHaveLength(VARIANTS);
    expect(seen.map((c) => c.key)).toEqual(
      Array.from({ length: VARIANTS }, (_, index) => `M-${String(index).padStart(5, "0")}`),
    );
    expect(seen[123]).toEqual({
      entity: "variant",
      key: "M-00123",
      action: "create",
      candidate: false,
      rows: [125],
      fields: {
        product_slug: { before: null, after: "product-24" },
        dimensions: { before: null, after: null },
        price: { before: null, after: "123.50" },
        specs: { before: null, after: { Renk: "Kırmızı" } },
      },
    });
    const several = await page(job.id, "entity=category&entity=product&limit=1");
    expect(several.total).toBe(10 + PRODUCTS);
    expect((await page(job.id, "action=update")).total).toBe(0);
  });

  it("labels a committed job's changes as applied", async () => {
    const { job } = await validatedJobWithLargePlan(api);
    await api.db
      .updateTable("ops_importjob")
      .set({ status: "success" })
      .where("id", "=", job.id)
      .execute();
    expect((await page(job.id, "limit=1")).source).toBe("applied");
  });

  it("answers an empty page before validation, and 404 once the snapshot is past retention", async () => {
    const pending = await insertJob(api.db, { status: "pending" });
    expect(await page(pending.id)).toEqual({
      items: [],
      total: 0,
      limit: 100,
      offset: 0,
      source: null,
    });
    const gone = await insertJob(api.db, {
      status: "validated",
      snapshot_key: "snapshots/import_snapshot_gone.json",
      snapshot_hash: "0".repeat(64),
    });
    const response = await changes(gone.id);
    expect(response.status).toBe(404);
    expect((await readError(response)).code).toBe("NOT_FOUND");
  });

  it.each(["entity=sku", "action=delete", "limit=10001", "kind=x"])(
    "refuses ?%s with 400",
    async (query) => {
      const job = await insertJob(api.db, { status: "validated" });
      expect((await changes(job.id, query)).status).toBe(400);
    },
  );
});

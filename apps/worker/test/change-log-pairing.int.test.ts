/**
 * The change log's after-images belong to the rows they name, whatever order
 * Postgres returns updated rows in; so revert works on any catalog, not only on
 * one whose rows happen to be stored in the plan's order.
 *
 * Each scenario first proves its precondition: the rows came back from
 * `UPDATE ... FROM unnest(...) RETURNING` in another order than the plan's (the
 * change log is written in returned order). Which order Postgres uses depends on
 * the plan it picks: a small update on a bigger table hashes the input and scans
 * the table, returning rows in the table's physical order; a bigger one hashes
 * the table and returns them in input order, unless the hash does not fit in
 * work_mem and is split into batches (a large catalog, or a small work_mem as
 * here).
 */
import { decodeSnapshot } from "@catalog/core";
import { getObjectBuffer } from "@catalog/storage";
import { catalogRowStateChecksum } from "@catalog/testing";
import { sql } from "kysely";
import pg from "pg";
import { toCommitPlan } from "../src/handlers/commit-plan-from-snapshot";
import { revertImport } from "../src/handlers/revert-import";
import { committed, csv, validated } from "./support/commit-helpers";
import { createWorkerHarness, type WorkerHarness } from "./support/worker-harness";

const name = (i: number) => String(i).padStart(4, "0");

/** A deterministic shuffle (mulberry32), so a failure can be replayed. */
function shuffled<T>(items: T[], seed: number): T[] {
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const header = ["category", "product_slug", "title_en", "model_code", "price", "dimensions"];
const row = (i: number, title: string, price: string, dimensions: string) => [
  "Ocaklar",
  `p-${name(i)}`,
  title,
  `V-${name(i)}`,
  price,
  dimensions,
];

interface LoggedChange {
  id: number;
  entity: "product" | "variant";
  entity_id: number;
  entity_key: string;
  after: Record<string, unknown>;
}

/**
 * A catalog of `products` (one variant each), every third row updated by a
 * first job, then `updated` shuffled rows updated by a second job with values
 * of their own; checks the second job's change log, reverts it and the first.
 */
async function scenario(
  harness: WorkerHarness,
  { products, updated }: { products: number; updated: number },
): Promise<void> {
  const db = harness.deps.db;
  const all = Array.from({ length: products }, (_, i) => i);
  await committed(
    harness,
    await validated(
      harness,
      csv([header, ...all.map((i) => row(i, `Title ${i}`, "10.00", "10x10"))]),
      "base.csv",
      "smart",
    ),
  );

  const beforeFirst = await catalogRowStateChecksum(db);
  // Rows updated first: their new versions move to the end of the heap, so the
  // table's physical order no longer follows the model codes.
  const first = await committed(
    harness,
    await validated(
      harness,
      csv([
        header,
        ...all.filter((i) => i % 3 === 0).map((i) => row(i, `First ${i}`, "20.00", "20x20")),
      ]),
      "first.csv",
      "strict",
    ),
  );
  expect(first?.status).toBe("success");
  const { rows: physical } = await sql<{ model_code: string }>`
    SELECT model_code FROM catalog_variant ORDER BY ctid LIMIT 2`.execute(db);
  expect(physical.map((r) => r.model_code)).toEqual(["V-0001", "V-0002"]);
  const afterFirst = await catalogRowStateChecksum(db);

  const picked = shuffled(all, 11).slice(0, updated);
  const written = new Map(
    picked.map((i) => [
      i,
      {
        title: `Second ${i}`,
        price: `${(i * 7) % 1000}.${name(i).slice(2)}`,
        dims: `${i}x${i % 97}`,
      },
    ]),
  );
  const second = await validated(
    harness,
    csv([
      header,
      ...picked.map((i) => {
        const values = written.get(i) as { title: string; price: string; dims: string };
        return row(i, values.title, values.price, values.dims);
      }),
    ]),
    "second.csv",
    "strict",
  );
  const applied = await committed(harness, second);
  expect(applied?.result).toMatchObject({
    products: { update: updated },
    variants: { update: updated },
  });

  const changes = (await db
    .selectFrom("ops_import_change")
    .select(["id", "entity", "entity_id", "entity_key", "after"])
    .where("job_id", "=", second.id)
    .where("action", "=", "update")
    .orderBy("id")
    .execute()) as LoggedChange[];
  expect(changes).toHaveLength(2 * updated);

  // The precondition: Postgres returned the updated variants in another order than the plan's.
  const plan = toCommitPlan(
    decodeSnapshot(await getObjectBuffer(harness.deps.store, second.snapshot_key ?? "")),
  );
  const planned = plan.update.variants.map((v) => v.model_code);
  const returned = changes.filter((c) => c.entity === "variant").map((c) => c.entity_key);
  expect(returned).not.toEqual(planned);
  expect([...returned].sort()).toEqual([...planned].sort());

  // Every after-image is what was written to that very row.
  const { rows: storedProducts } = await sql<{
    id: number;
    slug: string;
    title_en: string;
    category_id: number;
  }>`SELECT id, slug, title_en, category_id FROM catalog_product`.execute(db);
  const { rows: storedVariants } = await sql<{
    id: number;
    model_code: string;
    price: string;
    dimensions: string;
    product_id: number;
  }>`SELECT id, model_code, price, dimensions, product_id FROM catalog_variant`.execute(db);
  const productById = new Map(storedProducts.map((p) => [p.id, p]));
  const variantById = new Map(storedVariants.map((v) => [v.id, v]));
  const mismatched: string[] = [];
  for (const change of changes) {
    const values = written.get(Number(change.entity_key.slice(2)));
    const { after } = change;
    if (change.entity === "product") {
      const stored = productById.get(change.entity_id);
      const ok =
        stored?.slug === change.entity_key &&
        after.slug === change.entity_key &&
        after.title_en === values?.title &&
        after.category_id === stored.category_id &&
        stored.title_en === values?.title;
      if (!ok) mismatched.push(change.entity_key);
    } else {
      const stored = variantById.get(change.entity_id);
      const ok =
        stored?.model_code === change.entity_key &&
        after.model_code === change.entity_key &&
        after.price === values?.price &&
        after.dimensions === values?.dims &&
        after.product_id === stored.product_id &&
        stored.price === values?.price &&
        stored.dimensions === values?.dims;
      if (!ok) mismatched.push(change.entity_key);
    }
  }
  expect(mismatched).toEqual([]);

  expect(await revertImport(second.id, harness.deps)).toMatchObject({
    status: "reverted",
    revert_refusal: null,
  });
  expect(await catalogRowStateChecksum(db)).toEqual(afterFirst);
  expect(await revertImport(first?.id ?? "", harness.deps)).toMatchObject({ status: "reverted" });
  expect(await catalogRowStateChecksum(db)).toEqual(beforeFirst);
}

describe("the change log of a commit that updates rows stored out of the plan's order", () => {
  it("a shuffled set of 2,000 rows, the hash join split in batches: each row gets its own after-image; revert restores the catalog exactly, then the job before", async () => {
    const harness = await createWorkerHarness();
    try {
      // Before the harness opens any connection: every session of this database
      // gets a work_mem the table's hash does not fit in.
      const admin = new pg.Client({ connectionString: harness.database.url });
      await admin.connect();
      await admin.query(
        `ALTER DATABASE ${pg.escapeIdentifier(harness.database.name)} SET work_mem = '64kB'`,
      );
      await admin.end();
      await scenario(harness, { products: 2_400, updated: 2_000 });
    } finally {
      await harness.close();
    }
  });

  it("a shuffled set of 100 rows on default settings (the table scanned in physical order)", async () => {
    const harness = await createWorkerHarness();
    try {
      await scenario(harness, { products: 600, updated: 100 });
    } finally {
      await harness.close();
    }
  });
});

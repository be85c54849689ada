/**
 * Turns a snapshot's plan (the core's shape: one entry per product and variant
 * with its action) into the database-facing CommitPlan: rows to create, rows to
 * update with the row as validation saw it, and every existing row the plan
 * relies on unchanged.
 */
import type { CommitPlan, PlannedProduct, PlannedVariant, SeenRow } from "@catalog/catalog";
import type { EntityRef, ImportPlan, ProductValues, VariantValues } from "@catalog/core";

const product = (slug: string, values: ProductValues): PlannedProduct => ({ slug, ...values });

// The specs record goes to SQL as JSON only (JSON.stringify writes a record
// without a prototype as any other): it is not copied.
const variant = (model_code: string, values: VariantValues): PlannedVariant => ({
  model_code,
  ...values,
});

const seen = (key: string, row: { id: number; version: number }): SeenRow => ({
  key,
  id: row.id,
  version: row.version,
});
const refs = (list: EntityRef[]) => list.map((ref) => seen(ref.slug, ref));

/** The CommitPlan of `snapshot` (a whole snapshot, or the part commit reads). */
export function toCommitPlan(snapshot: { plan: ImportPlan }): CommitPlan {
  const { plan } = snapshot;
  const plan_: CommitPlan = {
    create: {
      categories: plan.candidates.categories.map(({ slug, name }) => ({ slug, name })),
      series: plan.candidates.series.map(({ slug, name, category_slug }) => ({
        slug,
        name,
        category_slug,
      })),
      brands: plan.candidates.brands.map(({ slug, name }) => ({ slug, name })),
      products: [],
      variants: [],
    },
    update: { products: [], variants: [] },
    rely: {
      categories: refs(plan.references.categories),
      series: refs(plan.references.series),
      brands: refs(plan.references.brands),
      products: [],
      variants: [],
    },
  };
  for (const entry of plan.products) {
    if (entry.action === "create") plan_.create.products.push(product(entry.slug, entry.values));
    else if (entry.action === "update")
      plan_.update.products.push({
        ...product(entry.slug, entry.values),
        seen: seen(entry.slug, entry),
      });
    else plan_.rely.products.push(seen(entry.slug, entry));
  }
  for (const entry of plan.variants) {
    if (entry.action === "create")
      plan_.create.variants.push(variant(entry.model_code, entry.values));
    else if (entry.action === "update")
      plan_.update.variants.push({
        ...variant(entry.model_code, entry.values),
        seen: seen(entry.model_code, entry),
      });
    else plan_.rely.variants.push(seen(entry.model_code, entry));
  }
  const planned = new Set(plan.products.map((entry) => entry.slug));
  const stray = plan.references.products.filter((ref) => !planned.has(ref.slug));
  if (stray.length) {
    throw new Error(
      `Snapshot references products outside its plan: ${stray.map((ref) => ref.slug).join(", ")}`,
    );
  }
  return plan_;
}

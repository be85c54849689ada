/**
 * The plan as a flat list of changes, one per entity created or updated, in
 * the order commit applies them (candidates: categories, series, brands; then
 * products; then variants; each by slug or model code). Every change carries
 * its fields as `{before, after}` (before is null for a create), so a client
 * can show creates, updates and candidates in one table. Unchanged entries are
 * not changes and are left out.
 */
import type { FieldChanges, ImportPlan, ProductValues, VariantValues } from "./import-plan";

/** What a change is about. */
export const CHANGE_ENTITIES = ["category", "series", "brand", "product", "variant"] as const;
export type ChangeEntity = (typeof CHANGE_ENTITIES)[number];

export const CHANGE_ACTIONS = ["create", "update"] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

/** One field's value before and after. */
export interface FieldDiff {
  before: unknown;
  after: unknown;
}

/** One planned (or, once committed, applied) change. */
export interface PlanChange {
  entity: ChangeEntity;
  /** The slug, or the variant's model code. */
  key: string;
  action: ChangeAction;
  /** A category, series or brand created because valid rows name it (smart mode). */
  candidate: boolean;
  /** The file's lines that produce it. */
  rows: number[];
  fields: Record<string, FieldDiff>;
}

/** Every field of `values` as created: before null. */
function created(values: object): Record<string, FieldDiff> {
  return Object.fromEntries(
    Object.entries(values).map(([name, after]) => [name, { before: null, after }]),
  );
}

/** The fields an update changes, old → new. */
function updated<V>(changes: FieldChanges<V>): Record<string, FieldDiff> {
  return Object.fromEntries(
    Object.entries(changes).map(([name, change]) => {
      const { old: before, new: after } = change as { old: unknown; new: unknown };
      return [name, { before, after }];
    }),
  );
}

/** The plan's creates and updates, in apply order. */
export function planChanges(plan: ImportPlan): PlanChange[] {
  const changes: PlanChange[] = [];
  const candidate = (entity: ChangeEntity, key: string, rows: number[], values: object) =>
    changes.push({ entity, key, action: "create", candidate: true, rows, fields: created(values) });
  for (const category of plan.candidates.categories) {
    candidate("category", category.slug, category.rows, { name: category.name });
  }
  for (const series of plan.candidates.series) {
    candidate("series", series.slug, series.rows, {
      name: series.name,
      category_slug: series.category_slug,
    });
  }
  for (const brand of plan.candidates.brands) {
    candidate("brand", brand.slug, brand.rows, { name: brand.name });
  }
  for (const product of plan.products) {
    if (product.action === "unchanged") continue;
    changes.push({
      entity: "product",
      key: product.slug,
      action: product.action,
      candidate: false,
      rows: product.rows,
      fields:
        product.action === "create"
          ? created(product.values)
          : updated<ProductValues>(product.changes),
    });
  }
  for (const variant of plan.variants) {
    if (variant.action === "unchanged") continue;
    changes.push({
      entity: "variant",
      key: variant.model_code,
      action: variant.action,
      candidate: false,
      rows: [variant.row],
      fields:
        variant.action === "create"
          ? created(variant.values)
          : updated<VariantValues>(variant.changes),
    });
  }
  return changes;
}

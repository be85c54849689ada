/**
 * The plan: what committing a validated file does to the catalog, entity by entity,
 * with what drift detection needs (the id and version of every existing row it
 * updates, leaves unchanged or relies on). It is computed once, at validation, and
 * stored in the snapshot; commit applies exactly this (see `apply-plan.ts` for its
 * in-memory meaning).
 */
import type { SpecRecord } from "./specs";

/** strict: unknown categories, series and brands are errors; smart: they become candidates. */
export type ImportMode = "strict" | "smart";

/** A category the import creates (smart mode). */
export interface CategoryCandidate {
  slug: string;
  /** The name of the first valid row naming it (the slug when no row gives a name). */
  name: string;
  /** The valid rows that need it. */
  rows: number[];
}

/** A series the import creates, under the category of the first valid row naming it. */
export interface SeriesCandidate {
  slug: string;
  name: string;
  category_slug: string;
  rows: number[];
}

/** A brand the import creates. */
export interface BrandCandidate {
  slug: string;
  name: string;
  rows: number[];
}

/** Entities the import creates before its products (each list by slug). */
export interface Candidates {
  categories: CategoryCandidate[];
  series: SeriesCandidate[];
  brands: BrandCandidate[];
}

/** A product's fields, references by slug. */
export interface ProductValues {
  title_tr: string | null;
  title_en: string | null;
  category_slug: string;
  series_slug: string | null;
  brand_slug: string | null;
}

/** A variant's fields, its product by slug. */
export interface VariantValues {
  product_slug: string;
  dimensions: string | null;
  /** Two-decimal string. */
  price: string | null;
  /** Prototype-less, keys in code point order. */
  specs: SpecRecord;
}

/** One field's value before and after an update. */
export interface FieldChange<T> {
  old: T;
  new: T;
}

/** The fields an update changes, old → new (unchanged fields are absent). */
export type FieldChanges<V> = { [K in keyof V]?: FieldChange<V[K]> };

/** An existing row as validation saw it. */
interface SeenRow {
  /** Database id. */
  id: number;
  /** The version seen; commit refuses when it moved on. */
  version: number;
}

/** What happens to one product. */
export type ProductPlanEntry =
  | { action: "create"; slug: string; rows: number[]; values: ProductValues }
  | ({
      action: "update";
      slug: string;
      rows: number[];
      /** The stored values (the before-image). */
      before: ProductValues;
      /** The values after the update (stored values where the file left a cell empty). */
      values: ProductValues;
      changes: FieldChanges<ProductValues>;
    } & SeenRow)
  | ({ action: "unchanged"; slug: string; rows: number[]; values: ProductValues } & SeenRow);

/** What happens to one variant (one row of the file). */
export type VariantPlanEntry =
  | { action: "create"; model_code: string; row: number; values: VariantValues }
  | ({
      action: "update";
      model_code: string;
      row: number;
      before: VariantValues;
      /** After the update: empty cells kept the stored value, specs merged key by key. */
      values: VariantValues;
      changes: FieldChanges<VariantValues>;
    } & SeenRow)
  | ({ action: "unchanged"; model_code: string; row: number; values: VariantValues } & SeenRow);

/** An existing row the plan relies on, as validation saw it. */
export interface EntityRef {
  slug: string;
  id: number;
  version: number;
}

/** The whole plan; every list sorted by slug / model code (code point order). */
export interface ImportPlan {
  /** Created first (categories, series, brands). */
  candidates: Candidates;
  products: ProductPlanEntry[];
  variants: VariantPlanEntry[];
  /**
   * Every existing category, series, brand and product the planned rows rely on (the
   * products overlap the update/unchanged entries). Commit checks each is still
   * there with the same version.
   */
  references: {
    categories: EntityRef[];
    series: EntityRef[];
    brands: EntityRef[];
    products: EntityRef[];
  };
}

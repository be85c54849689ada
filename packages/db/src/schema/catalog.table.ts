/**
 * Catalog tables (SPEC §2). Names follow the operations runbook so its SQL works
 * as written. Every row has a `version` that a trigger bumps on every UPDATE, by
 * any writer (the service, or an operator's hand-written SQL): commit compares it
 * with the version seen at validation to detect drift.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

/** A column the database fills (default or trigger); never written by the service. */
type DbManaged<T> = ColumnType<T, never, never>;
/** `numeric` comes back from pg as a string; the service writes strings too ("19.99"). */
type Numeric = ColumnType<string, string, string>;
/** `jsonb` of string specs, written as a JSON string. */
type Specs = ColumnType<Record<string, string>, string, string>;

interface Versioned {
  id: Generated<number>;
  version: DbManaged<number>;
  created_at: DbManaged<Date>;
  updated_at: DbManaged<Date>;
}

export interface CategoryTable extends Versioned {
  slug: string;
  name: string;
}

export interface SeriesTable extends Versioned {
  slug: string;
  name: string;
  category_id: number;
}

export interface BrandTable extends Versioned {
  slug: string;
  name: string;
}

export interface ProductTable extends Versioned {
  slug: string;
  title_tr: string | null;
  title_en: string | null;
  category_id: number;
  series_id: number | null;
  brand_id: number | null;
}

export interface VariantTable extends Versioned {
  model_code: string;
  product_id: number;
  dimensions: string | null;
  price: Numeric | null;
  specs: Specs;
}

export type Category = Selectable<CategoryTable>;
export type Series = Selectable<SeriesTable>;
export type Brand = Selectable<BrandTable>;
export type Product = Selectable<ProductTable>;
export type NewProduct = Insertable<ProductTable>;
export type ProductUpdate = Updateable<ProductTable>;
export type Variant = Selectable<VariantTable>;
export type NewVariant = Insertable<VariantTable>;

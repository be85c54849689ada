/**
 * The part of the catalog a plan is computed against, as the caller loads it from
 * Postgres: rows keyed by slug / model code, each with its DB id and the version a
 * trigger bumps on every update (for drift detection at commit). The caller loads the
 * rows `catalogKeys` names plus the stored category, series and brand of every
 * product and variant it loaded; a view holding more rows plans the same.
 */

/** A stored category. */
export interface CatalogCategory {
  id: number;
  slug: string;
  name: string;
  version: number;
}

/** A stored series and the category it belongs to. */
export interface CatalogSeries {
  id: number;
  slug: string;
  name: string;
  category_slug: string;
  version: number;
}

/** A stored brand. */
export interface CatalogBrand {
  id: number;
  slug: string;
  name: string;
  version: number;
}

/** A stored product, its references by slug. */
export interface CatalogProduct {
  id: number;
  slug: string;
  title_tr: string | null;
  title_en: string | null;
  category_slug: string;
  series_slug: string | null;
  brand_slug: string | null;
  version: number;
}

/** A stored variant, its product by slug. */
export interface CatalogVariant {
  id: number;
  model_code: string;
  product_slug: string;
  dimensions: string | null;
  /** Two-decimal string, as Postgres prints numeric(10,2). */
  price: string | null;
  /** Stored specs; keys are user text (read own keys only). */
  specs: Readonly<Record<string, string>>;
  version: number;
}

/** The loaded catalog rows, keyed by slug (model code for variants). */
export interface CatalogView {
  categories: ReadonlyMap<string, CatalogCategory>;
  series: ReadonlyMap<string, CatalogSeries>;
  brands: ReadonlyMap<string, CatalogBrand>;
  products: ReadonlyMap<string, CatalogProduct>;
  variants: ReadonlyMap<string, CatalogVariant>;
}

/** The identities a file refers to, each list sorted by code point and without repeats. */
export interface CatalogKeys {
  categories: string[];
  series: string[];
  brands: string[];
  products: string[];
  variants: string[];
}

/** A catalog with nothing in it. */
export function emptyCatalogView(): CatalogView {
  return {
    categories: new Map(),
    series: new Map(),
    brands: new Map(),
    products: new Map(),
    variants: new Map(),
  };
}

/**
 * What a commit applies, in database terms: the snapshot's plan reduced to the
 * rows to create and update (full values after the change) and the versions of
 * every existing row the plan was computed against. Built from the snapshot by
 * the commit handler; applied by {@link applyCommitPlan}.
 */

/** A product's values, references by slug. */
export interface PlannedProduct {
  slug: string;
  title_tr: string | null;
  title_en: string | null;
  category_slug: string;
  series_slug: string | null;
  brand_slug: string | null;
}

/** A variant's values, its product by slug. */
export interface PlannedVariant {
  model_code: string;
  product_slug: string;
  dimensions: string | null;
  /** Two-decimal string. */
  price: string | null;
  specs: Record<string, string>;
}

/** An existing row as validation saw it. */
export interface SeenRow {
  key: string;
  id: number;
  version: number;
}

export interface CommitPlan {
  create: {
    categories: { slug: string; name: string }[];
    series: { slug: string; name: string; category_slug: string }[];
    brands: { slug: string; name: string }[];
    products: PlannedProduct[];
    variants: PlannedVariant[];
  };
  /** Full values after the update, with the row as validation saw it. */
  update: {
    products: (PlannedProduct & { seen: SeenRow })[];
    variants: (PlannedVariant & { seen: SeenRow })[];
  };
  /**
   * Existing rows the plan relies on without changing them (referenced
   * categories, series, brands; products and variants left unchanged). They must
   * still be there, unchanged, at commit.
   */
  rely: {
    categories: SeenRow[];
    series: SeenRow[];
    brands: SeenRow[];
    products: SeenRow[];
    variants: SeenRow[];
  };
}

/** Per-type counts of what a commit did, in the preview's shape. */
export interface CommitCounts {
  candidates: { categories: number; series: number; brands: number };
  products: { create: number; update: number; unchanged: number };
  variants: { create: number; update: number; unchanged: number };
}

/** The counts a plan promises. */
export function plannedCounts(plan: CommitPlan): CommitCounts {
  return {
    candidates: {
      categories: plan.create.categories.length,
      series: plan.create.series.length,
      brands: plan.create.brands.length,
    },
    products: {
      create: plan.create.products.length,
      update: plan.update.products.length,
      unchanged: plan.rely.products.length,
    },
    variants: {
      create: plan.create.variants.length,
      update: plan.update.variants.length,
      unchanged: plan.rely.variants.length,
    },
  };
}

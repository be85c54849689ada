/**
 * planImport (SPEC §3–4): checks a normalized file against the catalog, merges its
 * valid rows into products, collects candidates and plans every change. The order
 * matters: every check that can make a row invalid runs before the merge, so a row
 * with an error never contributes a product value, a candidate or a series category.
 */

import { buildPlan } from "./build-plan";
import { collectCandidates } from "./candidates";
import type { CatalogView } from "./catalog-view";
import { checkReferences } from "./check-references";
import { type CheckedRow, isValidRow } from "./checked-row";
import { buildDataRows, type DataRows } from "./data-rows";
import type { Candidates, ImportMode, ImportPlan } from "./import-plan";
import { compareIssues, type Issue, makeIssue } from "./issue";
import { type MergedProduct, mergeProducts } from "./merge-products";
import type { NormalizationLogEntry } from "./normalization-log";
import type { NormalizedFile } from "./normalized-file";
import { checkSeriesCategories } from "./series-category";
import { type SpecRecord, specsToRecord, toSafeRecord } from "./specs";
import { type ImportSummary, summarize } from "./summary";

/** A product as the file describes it (merged file values, not merged with the catalog). */
export interface ProductRecord {
  title_tr: string | null;
  title_en: string | null;
  /** Category slug. */
  category: string;
  series: string | null;
  brand: string | null;
}

/** A variant as its row describes it. */
export interface VariantRecord {
  /** Product slug. */
  product: string;
  dimensions: string | null;
  price: string | null;
  specs: SpecRecord;
}

/** Everything validation produces: the preview, the plan and what the report shows. */
export interface ImportResult {
  mode: ImportMode;
  summary: ImportSummary;
  /** Header and row issues, by row, code, column. */
  issues: Issue[];
  /** Entities smart mode creates (the same object as `plan.candidates`). */
  candidates: Candidates;
  /** The file's products by slug (prototype-less record, keys in code point order). */
  products: Record<string, ProductRecord>;
  /** The file's variants by model code (prototype-less record, keys in code point order). */
  variants: Record<string, VariantRecord>;
  normalizationLog: NormalizationLogEntry[];
  plan: ImportPlan;
  /** The report's Data sheet. */
  dataRows: DataRows;
}

/** Validates and plans `file` against `catalog` in `mode`. */
export function planImport(
  file: NormalizedFile,
  catalog: CatalogView,
  mode: ImportMode,
): ImportResult {
  const rows: CheckedRow[] = file.rows.map((row) => ({ row, issues: [...row.issues] }));
  checkReferences(rows, catalog, mode, file.limits.maxSpecsPerVariant);
  const newSeries = checkSeriesCategories(rows, catalog);
  const validRows = rows.filter(isValidRow);
  const products = mergeProducts(validRows);
  checkVariantMoves(validRows, catalog);
  const candidates = collectCandidates(validRows, catalog, newSeries);
  // One record per row's specs, shared by the plan's created variants and `variants`.
  const specRecords = new Map(
    validRows.map((checked) => [checked, specsToRecord(checked.row.specs)]),
  );
  const fileSpecs = (checked: CheckedRow) =>
    specRecords.get(checked) ?? specsToRecord(checked.row.specs);
  const plan = buildPlan(products, validRows, catalog, candidates, fileSpecs);
  const issues = [...file.headerIssues, ...rows.flatMap((checked) => checked.issues)].sort(
    compareIssues,
  );
  return {
    mode,
    summary: summarize(rows, issues, plan),
    issues,
    candidates,
    products: productRecords(products),
    variants: variantRecords(validRows, fileSpecs),
    normalizationLog: file.normalizationLog,
    plan,
    dataRows: buildDataRows(file, rows, issues),
  };
}

/** VARIANT_MOVED: a valid row gives an existing variant another product. */
function checkVariantMoves(validRows: readonly CheckedRow[], catalog: CatalogView): void {
  for (const { row, issues } of validRows) {
    const code = row.values.model_code;
    const stored = code === null ? undefined : catalog.variants.get(code);
    if (!stored || stored.product_slug === row.productSlug) continue;
    issues.push(
      makeIssue(
        row.row,
        "model_code",
        "VARIANT_MOVED",
        `Variant ${code} moves from product ${stored.product_slug} to ${row.productSlug}.`,
        code,
      ),
    );
  }
}

function productRecords(
  products: ReadonlyMap<string, MergedProduct>,
): Record<string, ProductRecord> {
  return toSafeRecord(
    [...products.values()].map(({ slug, values }): [string, ProductRecord] => [
      slug,
      {
        title_tr: values.title_tr,
        title_en: values.title_en,
        category: values.category_slug,
        series: values.series_slug,
        brand: values.brand_slug,
      },
    ]),
  );
}

function variantRecords(
  validRows: readonly CheckedRow[],
  fileSpecs: (checked: CheckedRow) => SpecRecord,
): Record<string, VariantRecord> {
  return toSafeRecord(
    validRows.map((checked): [string, VariantRecord] => [
      checked.row.values.model_code as string,
      {
        product: checked.row.productSlug as string,
        dimensions: checked.row.values.dimensions,
        price: checked.row.values.price,
        specs: fileSpecs(checked),
      },
    ]),
  );
}

/**
 * The snapshot's layout (SPEC §5), as one JSON shape that both writes the canonical
 * bytes and checks them when read back. Changing it changes the stored format: old
 * snapshots must still read, so a change needs a new format version.
 */
import type { DataRow } from "./data-rows";
import type {
  FieldChanges,
  ImportPlan,
  ProductPlanEntry,
  ProductValues,
  VariantPlanEntry,
  VariantValues,
} from "./import-plan";
import { ISSUE_CODES, type IssueCode } from "./issue-codes";
import {
  arrayOf,
  integer,
  type JsonShape,
  nullable,
  objectOf,
  oneOf,
  partialObjectOf,
  recordOf,
  string,
  taggedUnion,
} from "./json-shape";
import type { NormalizationKind } from "./normalization-log";
import type { Snapshot } from "./snapshot";

/** The snapshot format this code writes and reads. */
export const SNAPSHOT_FORMAT_VERSION = 1;

const text = nullable(string);
const rows = arrayOf(integer);
const counts = objectOf({ create: integer, update: integer, unchanged: integer });

const summary = objectOf({
  rows_total: integer,
  rows_valid: integer,
  rows_with_errors: integer,
  rows_with_warnings: integer,
  errors: integer,
  warnings: integer,
  candidates: objectOf({ categories: integer, series: integer, brands: integer }),
  products: counts,
  variants: counts,
});

const issue = objectOf({
  row: integer,
  column: string,
  code: oneOf(...(Object.keys(ISSUE_CODES) as IssueCode[])),
  severity: oneOf("error", "warning"),
  message: string,
  value: text,
});

const logEntry = objectOf({
  row: integer,
  column: string,
  kind: oneOf<NormalizationKind>(
    "control_characters",
    "nbsp",
    "nfc",
    "trim",
    "empty_token",
    "number_to_text",
    "boolean_to_text",
    "date_to_text",
    "price",
    "slugify",
    "model_code_disambiguated",
  ),
  from: text,
  to: text,
});

const specs = recordOf(string);

const productValues: JsonShape<ProductValues> = objectOf({
  title_tr: text,
  title_en: text,
  category_slug: string,
  series_slug: text,
  brand_slug: text,
});

const variantValues: JsonShape<VariantValues> = objectOf({
  product_slug: string,
  dimensions: text,
  price: text,
  specs,
});

const change = <T>(shape: JsonShape<T>) => objectOf({ old: shape, new: shape });

const productChanges: JsonShape<FieldChanges<ProductValues>> = partialObjectOf({
  title_tr: change(text),
  title_en: change(text),
  category_slug: change(string),
  series_slug: change(text),
  brand_slug: change(text),
});

const variantChanges: JsonShape<FieldChanges<VariantValues>> = partialObjectOf({
  product_slug: change(string),
  dimensions: change(text),
  price: change(text),
  specs: change(specs),
});

const productEntry = taggedUnion<ProductPlanEntry>("action", {
  create: objectOf({ action: oneOf("create"), slug: string, rows, values: productValues }),
  update: objectOf({
    action: oneOf("update"),
    slug: string,
    rows,
    id: integer,
    version: integer,
    before: productValues,
    values: productValues,
    changes: productChanges,
  }),
  unchanged: objectOf({
    action: oneOf("unchanged"),
    slug: string,
    rows,
    id: integer,
    version: integer,
    values: productValues,
  }),
});

const variantEntry = taggedUnion<VariantPlanEntry>("action", {
  create: objectOf({
    action: oneOf("create"),
    model_code: string,
    row: integer,
    values: variantValues,
  }),
  update: objectOf({
    action: oneOf("update"),
    model_code: string,
    row: integer,
    id: integer,
    version: integer,
    before: variantValues,
    values: variantValues,
    changes: variantChanges,
  }),
  unchanged: objectOf({
    action: oneOf("unchanged"),
    model_code: string,
    row: integer,
    id: integer,
    version: integer,
    values: variantValues,
  }),
});

/** A Data sheet row: `marks` only when the row has issues (and in no older snapshot). */
const dataRow: JsonShape<DataRow> = objectOf(
  {
    row: integer,
    cells: arrayOf(text),
    marks: arrayOf(objectOf({ issue: integer, cell: integer })),
  },
  { optional: ["marks"] },
);

const named = objectOf({ slug: string, name: string, rows });
const ref = arrayOf(objectOf({ slug: string, id: integer, version: integer }));

const candidates = objectOf({
  categories: arrayOf(named),
  series: arrayOf(objectOf({ slug: string, name: string, category_slug: string, rows })),
  brands: arrayOf(named),
});

/** The snapshot's `plan` (what commit applies), checked on its own at commit. */
export const PLAN_SHAPE: JsonShape<ImportPlan> = objectOf({
  candidates,
  products: arrayOf(productEntry),
  variants: arrayOf(variantEntry),
  references: objectOf({ categories: ref, series: ref, brands: ref, products: ref }),
}) as unknown as JsonShape<ImportPlan>;

const issues = arrayOf(issue);
const normalizationLog = arrayOf(logEntry);
const dataRows = objectOf({ headers: arrayOf(string), rows: arrayOf(dataRow) });

/** The shapes of the parts the report reads, each checked on its own when the report is built. */
export const REPORT_PART_SHAPES = {
  summary,
  issues,
  normalization_log: normalizationLog,
  data_rows: dataRows,
  candidates,
} as const;

/** The whole snapshot, as {@link SNAPSHOT_FORMAT_VERSION} lays it out. */
export const SNAPSHOT_SHAPE: JsonShape<Snapshot> = objectOf({
  format_version: oneOf(SNAPSHOT_FORMAT_VERSION),
  job_id: string,
  input: objectOf({ filename: string, file_sha256: string, mode: oneOf("strict", "smart") }),
  summary,
  issues,
  products: recordOf(
    objectOf({ title_tr: text, title_en: text, category: string, series: text, brand: text }),
  ),
  variants: recordOf(objectOf({ product: string, dimensions: text, price: text, specs })),
  normalization_log: normalizationLog,
  data_rows: dataRows,
  plan: PLAN_SHAPE,
}) as unknown as JsonShape<Snapshot>;

/**
 * Reads a snapshot back: parses the bytes and checks the format version and the whole
 * shape, so that commit never acts on a document it does not understand.
 */
import type { DataRow } from "./data-rows";
import type {
  FieldChanges,
  ProductPlanEntry,
  ProductValues,
  VariantPlanEntry,
  VariantValues,
} from "./import-plan";
import { ISSUE_CODES, type IssueCode } from "./issue-codes";
import {
  arrayOf,
  type Check,
  integer,
  JsonShapeError,
  nullable,
  objectOf,
  oneOf,
  partialObjectOf,
  recordOf,
  string,
  taggedUnion,
} from "./json-shape";
import type { NormalizationKind } from "./normalization-log";
import { SNAPSHOT_FORMAT_VERSION, type Snapshot } from "./snapshot";

/** A snapshot that cannot be read: not JSON, another format version, or a bad shape. */
export class SnapshotFormatError extends Error {
  override readonly name = "SnapshotFormatError";
}

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

const productValues: Check<ProductValues> = objectOf({
  title_tr: text,
  title_en: text,
  category_slug: string,
  series_slug: text,
  brand_slug: text,
});

const variantValues: Check<VariantValues> = objectOf({
  product_slug: string,
  dimensions: text,
  price: text,
  specs,
});

const change = <T>(check: Check<T>) => objectOf({ old: check, new: check });

const productChanges: Check<FieldChanges<ProductValues>> = partialObjectOf({
  title_tr: change(text),
  title_en: change(text),
  category_slug: change(string),
  series_slug: change(text),
  brand_slug: change(text),
});

const variantChanges: Check<FieldChanges<VariantValues>> = partialObjectOf({
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

const dataRowCells = { row: integer, cells: arrayOf(text) };
const plainDataRow: Check<DataRow> = objectOf(dataRowCells);
const markedDataRow: Check<DataRow> = objectOf({
  ...dataRowCells,
  marks: arrayOf(objectOf({ issue: integer, cell: integer })),
});
/** A Data sheet row: `marks` only when the row has issues (and in no older snapshot). */
const dataRow: Check<DataRow> = (value, path) =>
  value !== null && typeof value === "object" && Object.hasOwn(value, "marks")
    ? markedDataRow(value, path)
    : plainDataRow(value, path);

const named = objectOf({ slug: string, name: string, rows });
const ref = arrayOf(objectOf({ slug: string, id: integer, version: integer }));

const snapshot: Check<Snapshot> = objectOf({
  format_version: oneOf(SNAPSHOT_FORMAT_VERSION),
  job_id: string,
  input: objectOf({ filename: string, file_sha256: string, mode: oneOf("strict", "smart") }),
  summary,
  issues: arrayOf(issue),
  products: recordOf(
    objectOf({ title_tr: text, title_en: text, category: string, series: text, brand: text }),
  ),
  variants: recordOf(objectOf({ product: string, dimensions: text, price: text, specs })),
  normalization_log: arrayOf(logEntry),
  data_rows: objectOf({ headers: arrayOf(string), rows: arrayOf(dataRow) }),
  plan: objectOf({
    candidates: objectOf({
      categories: arrayOf(named),
      series: arrayOf(objectOf({ slug: string, name: string, category_slug: string, rows })),
      brands: arrayOf(named),
    }),
    products: arrayOf(productEntry),
    variants: arrayOf(variantEntry),
    references: objectOf({ categories: ref, series: ref, brands: ref, products: ref }),
  }),
}) as Check<Snapshot>;

/**
 * Parses and checks snapshot bytes (as {@link encodeSnapshot} wrote them).
 *
 * @throws SnapshotFormatError when the bytes are not JSON, the format version is not
 *   {@link SNAPSHOT_FORMAT_VERSION}, or any part has the wrong shape (the message names the path).
 */
export function decodeSnapshot(bytes: Uint8Array): Snapshot {
  let document: unknown;
  try {
    document = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new SnapshotFormatError(`Snapshot is not UTF-8 JSON: ${(error as Error).message}`);
  }
  const version = (document as { format_version?: unknown } | null)?.format_version;
  if (version !== SNAPSHOT_FORMAT_VERSION) {
    throw new SnapshotFormatError(
      `Snapshot format_version is ${JSON.stringify(version ?? null)}; this code reads version ${SNAPSHOT_FORMAT_VERSION}`,
    );
  }
  try {
    return snapshot(document, "snapshot");
  } catch (error) {
    if (error instanceof JsonShapeError) {
      throw new SnapshotFormatError(`Snapshot has a bad shape at ${error.message}`);
    }
    throw error;
  }
}

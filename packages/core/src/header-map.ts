/**
 * Header mapping (SPEC §3): which column of the sheet is which field. Headers match
 * case-insensitively after trimming, folding Turkish letters and turning each run of
 * spaces/hyphens into `_`; `spec:<Name>` / `spec_<Name>` columns are specs named as
 * written. Repeated and unknown headers are warnings and their columns are ignored.
 */

import { cellAsText } from "./cell-text";
import type { Issue } from "./issue";
import { makeIssue } from "./issue";
import type { CellValue } from "./raw-row";
import { TURKISH_FOLDING } from "./slugify";

/** The importer's columns, by canonical name. */
export const CANONICAL_COLUMNS = [
  "category",
  "category_slug",
  "series",
  "series_slug",
  "brand",
  "brand_slug",
  "product_slug",
  "title_tr",
  "title_en",
  "model_code",
  "dimensions",
  "price",
] as const;

/** One of {@link CANONICAL_COLUMNS}. */
export type CanonicalColumn = (typeof CANONICAL_COLUMNS)[number];

/** Header spellings (after folding) that name a canonical column, besides the name itself. */
const ALIASES: ReadonlyMap<string, CanonicalColumn> = new Map<string, CanonicalColumn>([
  ...CANONICAL_COLUMNS.map((column): [string, CanonicalColumn] => [column, column]),
  ["category_name", "category"],
  ["kategori", "category"],
  ["series_name", "series"],
  ["seri", "series"],
  ["brand_name", "brand"],
  ["marka", "brand"],
  ["slug", "product_slug"],
  ["model", "model_code"],
  ["model_kodu", "model_code"],
  ["sku", "model_code"],
  ["boyutlar", "dimensions"],
  ["olculer", "dimensions"],
  ["fiyat", "price"],
]);

/** What a column of the sheet holds. */
export type ColumnRole =
  | { kind: "field"; field: CanonicalColumn }
  | { kind: "spec"; name: string }
  | { kind: "ignored" };

/** One column of the sheet: its index, its header as written (trimmed) and its role. */
export interface HeaderColumn {
  index: number;
  header: string;
  role: ColumnRole;
}

/** The mapped header: one entry per header cell, and the header's warnings. */
export interface HeaderMap {
  row: number;
  columns: HeaderColumn[];
  issues: Issue[];
}

/** The matching key of a header: trimmed, Turkish letters folded, lower case, space/hyphen runs as `_`. */
export function foldHeader(header: string): string {
  return header
    .normalize("NFC")
    .trim()
    .replace(/[\u0080-\uffff]/g, (char) => TURKISH_FOLDING.get(char) ?? char)
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
}

const SPEC_PREFIX = /^spec[:_]/i;

/** The role a header names, before duplicates are considered. */
function roleOf(header: string): ColumnRole {
  if (SPEC_PREFIX.test(header)) {
    const name = header.slice("spec:".length).trim();
    return name === "" ? { kind: "ignored" } : { kind: "spec", name };
  }
  const field = ALIASES.get(foldHeader(header));
  return field ? { kind: "field", field } : { kind: "ignored" };
}

/** Maps header line `row` (its cells in column order) to columns. */
export function mapHeader(cells: readonly CellValue[], row: number): HeaderMap {
  const fields = new Set<CanonicalColumn>();
  const specs = new Set<string>();
  const unknown = new Set<string>();
  const issues: Issue[] = [];
  const columns = cells.map((cell, index): HeaderColumn => {
    const header = (cellAsText(cell).text ?? "").normalize("NFC").trim();
    if (header === "") return { index, header, role: { kind: "ignored" } };
    const role = roleOf(header);
    if (role.kind === "ignored") {
      if (!unknown.has(header)) {
        unknown.add(header);
        issues.push(
          makeIssue(
            row,
            header,
            "UNKNOWN_COLUMN",
            `Column "${header}" is not a column the importer knows; it is ignored.`,
            header,
          ),
        );
      }
      return { index, header, role };
    }
    const seen = role.kind === "field" ? fields.has(role.field) : specs.has(role.name);
    if (seen) {
      const what = role.kind === "field" ? `column ${role.field}` : `spec "${role.name}"`;
      issues.push(
        makeIssue(
          row,
          header,
          "DUPLICATE_COLUMN",
          `Column "${header}" names ${what} a second time; it is ignored.`,
          header,
        ),
      );
      return { index, header, role: { kind: "ignored" } };
    }
    if (role.kind === "field") fields.add(role.field);
    else specs.add(role.name);
    return { index, header, role };
  });
  return { row, columns, issues };
}

/** The required columns the header lacks, by canonical name (SPEC §3). */
export function missingColumns(header: HeaderMap): CanonicalColumn[] {
  const mapped = new Set(
    header.columns.flatMap((column) => (column.role.kind === "field" ? [column.role.field] : [])),
  );
  const missing: CanonicalColumn[] = [];
  if (!mapped.has("category") && !mapped.has("category_slug")) missing.push("category");
  if (!mapped.has("title_tr") && !mapped.has("title_en")) missing.push("title_tr");
  if (!mapped.has("model_code")) missing.push("model_code");
  return missing;
}

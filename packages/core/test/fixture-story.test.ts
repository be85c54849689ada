/**
 * The fixture story (test/fixtures/README.md): from an empty catalog, each file of
 * sequence.json is normalized and planned in its mode against the catalog the earlier
 * files left, compared with its expected JSON, then committed (allow_partial: valid
 * rows only; a fatal file commits nothing). At the end the catalog must equal
 * catalog_after.json.
 */
import {
  applyPlanToCatalog,
  buildSnapshot,
  type CatalogView,
  catalogKeys,
  decodeSnapshot,
  emptyCatalogView,
  encodeSnapshot,
  FatalImportError,
  type ImportMode,
  type ImportResult,
  normalizeFile,
  planImport,
  type RawRow,
} from "@catalog/core";
import { catalogJson, loadView } from "./support/catalog";
import { fixtureRows, readFixtureJson } from "./support/fixtures";

interface Step {
  file: string;
  mode: ImportMode;
  expected: string;
}

interface Expected {
  summary?: unknown;
  issues?: unknown[];
  candidates?: unknown;
  products?: unknown;
  variants?: unknown;
  fatal?: string;
  missing?: string[];
}

const LIMITS = { maxProducts: 5_000, maxVariants: 10_000, maxSpecsPerVariant: 50 };
const sequence = readFixtureJson<Step[]>("sequence.json");

/** The parts of a result that the expected files hold, in their shape. */
function comparable(result: ImportResult) {
  return {
    summary: result.summary,
    issues: result.issues.map(({ row, column, code, severity }) => ({
      row,
      column,
      code,
      severity,
    })),
    candidates: {
      categories: result.candidates.categories.map(({ slug, name }) => ({ slug, name })),
      series: result.candidates.series.map(({ slug, name, category_slug }) => ({
        slug,
        name,
        category_slug,
      })),
      brands: result.candidates.brands.map(({ slug, name }) => ({ slug, name })),
    },
    products: { ...result.products },
    variants: Object.fromEntries(
      Object.entries(result.variants).map(([code, v]) => [code, { ...v, specs: { ...v.specs } }]),
    ),
  };
}

/** Plans `rows` against what a caller would load from `catalog` for them. */
function validate(rows: RawRow[], catalog: CatalogView, mode: ImportMode): ImportResult {
  const file = normalizeFile(rows, LIMITS);
  const result = planImport(file, loadView(catalog, catalogKeys(file)), mode);
  // A view holding the whole catalog must plan exactly the same.
  expect(planImport(file, catalog, mode)).toEqual(result);
  return result;
}

/** The report's Data sheet as a file: header row, then every data row. */
function dataSheetRows(result: ImportResult): RawRow[] {
  return [
    { row: 1, cells: result.dataRows.headers },
    ...result.dataRows.rows.map((row, index) => ({ row: index + 2, cells: row.cells })),
  ];
}

/** The errors of `result` as `line:column:code`, lines mapped by `line` (identity by default). */
function errorKeys(result: ImportResult, line: (row: number) => number = (row) => row): string[] {
  return result.issues
    .filter((issue) => issue.severity === "error")
    .map((issue) => `${line(issue.row)}:${issue.column}:${issue.code}`);
}

describe("the fixture story", () => {
  let catalog: CatalogView = emptyCatalogView();

  it.each(sequence.map((step) => [step.file, step] as const))("%s", async (_name, step) => {
    const expected = readFixtureJson<Expected>(step.expected);
    const rows = await fixtureRows(step.file);

    if (expected.fatal) {
      let thrown: unknown;
      try {
        normalizeFile(rows, LIMITS);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(FatalImportError);
      expect((thrown as FatalImportError).code).toBe(expected.fatal);
      expect((thrown as FatalImportError).details).toEqual({ missing: expected.missing });
      return;
    }

    const result = validate(rows, catalog, step.mode);
    expect(comparable(result)).toEqual({
      summary: expected.summary,
      issues: expected.issues,
      candidates: expected.candidates,
      products: expected.products,
      variants: expected.variants,
    });

    // The snapshot of the step is stable and reads back as written.
    const source = {
      jobId: `job-${step.file}`,
      input: { filename: step.file, fileSha256: "0".repeat(64), mode: step.mode },
      result,
    };
    const encoded = encodeSnapshot(buildSnapshot(source));
    expect(encodeSnapshot(buildSnapshot(source)).bytes.equals(encoded.bytes)).toBe(true);
    expect(encodeSnapshot(decodeSnapshot(encoded.bytes)).sha256).toBe(encoded.sha256);

    catalog = applyPlanToCatalog(catalog, decodeSnapshot(encoded.bytes).plan);

    // Importing the report's Data sheet after the commit: the committed rows plan zero
    // changes, the rows in error are there too and stay in error with the same errors.
    const again = validate(dataSheetRows(result), catalog, step.mode);
    expect(again.summary.rows_total).toBe(result.summary.rows_total);
    expect(again.summary.rows_with_errors).toBe(result.summary.rows_with_errors);
    const sheetLine = new Map(result.dataRows.rows.map((row, index) => [row.row, index + 2]));
    expect(errorKeys(again)).toEqual(errorKeys(result, (row) => sheetLine.get(row) ?? -1));
    expect(again.summary.candidates).toEqual({ categories: 0, series: 0, brands: 0 });
    expect(again.summary.products.create + again.summary.products.update).toBe(0);
    expect(again.summary.variants.create + again.summary.variants.update).toBe(0);
  });

  it("ends with the catalog of catalog_after.json", () => {
    expect(catalogJson(catalog)).toEqual(readFixtureJson("catalog_after.json"));
  });
});

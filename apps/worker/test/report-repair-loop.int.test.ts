/**
 * The runbook's recovery for a validation with data-quality errors, as an operator does
 * it: download the report, fix the cells its notes point at in the Data sheet, upload
 * the report again. On 05_errors.xlsx (every row in error), in the fixture story: the
 * catalog is the one committing 01–04 left.
 */
import { requestCommit } from "@catalog/jobs";
import { getObjectBuffer } from "@catalog/storage";
import { readFixtureJson } from "@catalog/testing";
import { commitImport } from "../src/handlers/commit-import";
import { validateImport } from "../src/handlers/validate-import";
import {
  ERROR_FILL,
  fillOf,
  loadReport,
  noteOf,
  type ReportedIssue,
  reportedIssues,
  saveReport,
  sheetOf,
} from "./support/report-workbook";
import {
  createWorkerHarness,
  type FixtureStep,
  type WorkerHarness,
} from "./support/worker-harness";

/** What the messages ask for, by code (and column), as a person would type it. */
function fixFor(issue: ReportedIssue): string | null {
  switch (`${issue.code} ${issue.column}`) {
    // The row's series, Eco Line, is a series of Soğutma Ekipmanları (row 3 says so).
    case "REQUIRED_VALUE_MISSING category":
      return "Soğutma Ekipmanları";
    case "REQUIRED_VALUE_MISSING title_tr":
      return "Tezgah Tipi Buzdolabı Model 40";
    case "PRICE_OUT_OF_RANGE price":
      return "5000";
    case "VALUE_TOO_LONG model_code":
      return "BNM-6411";
    // Pro Yıkama is the series of Bulaşık Makineleri that the product's other rows name.
    case "SERIES_CATEGORY_MISMATCH series":
      return "Pro Yıkama";
    // One spec too many: the note sits on the first one past the limit, emptied.
    case "TOO_MANY_SPECS specs":
      return null;
    default:
      throw new Error(`no fix for ${issue.code} on ${issue.column}`);
  }
}

describe("the repair loop on 05_errors.xlsx", () => {
  let harness: WorkerHarness;
  beforeAll(async () => {
    harness = await createWorkerHarness();
    const steps = readFixtureJson<FixtureStep[]>("sequence.json");
    for (const step of steps.slice(
      0,
      steps.findIndex((s) => s.file === "05_errors.xlsx"),
    )) {
      const job = await harness.submitFixture(step.file, step.mode);
      await validateImport(job.id, harness.deps);
      await requestCommit(harness.deps.db, job.id, true);
      expect((await commitImport(job.id, harness.deps))?.status).toMatch(/^(success|partial)$/);
    }
  });
  afterAll(() => harness.close());

  it("shows all 6 rows with every error cell noted and filled; fixed as the notes say, the report imports with 0 errors and the expected creates", async () => {
    const job = await harness.submitFixture("05_errors.xlsx", "strict");
    const validated = await validateImport(job.id, harness.deps);
    expect(validated?.error_count).toBe(6);
    const reported = await harness.report(job.id);
    const report = await loadReport(
      await getObjectBuffer(harness.deps.store, reported.report_key ?? ""),
    );

    // Every data row, under the importer's own headers (the unknown column left out).
    const data = sheetOf(report, "Data");
    expect(data.rowCount).toBe(1 + 6);
    const header = (data.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(0, 9)).toEqual([
      "category",
      "series",
      "brand",
      "title_tr",
      "title_en",
      "model_code",
      "dimensions",
      "price",
      "spec:Güç (kW)",
    ]);
    expect(header).toHaveLength(8 + 55);
    expect(header).not.toContain("warranty_years");

    // Each error links to its cell, which is filled red and noted with the message.
    const errors = reportedIssues(report).filter((issue) => issue.severity === "error");
    expect(
      errors.map(({ fileRow, dataRow, cell, code }) => [fileRow, dataRow, cell, code]),
    ).toEqual([
      [2, 2, "A2", "REQUIRED_VALUE_MISSING"],
      [3, 3, "D3", "REQUIRED_VALUE_MISSING"],
      [4, 4, "H4", "PRICE_OUT_OF_RANGE"],
      [5, 5, "F5", "VALUE_TOO_LONG"],
      [6, 6, "B6", "SERIES_CATEGORY_MISMATCH"],
      [7, 7, "BK7", "TOO_MANY_SPECS"],
    ]);
    for (const issue of errors) {
      const cell = data.getCell(issue.cell ?? "");
      expect({ cell: issue.cell, fill: fillOf(cell), note: noteOf(cell) }).toEqual({
        cell: issue.cell,
        fill: ERROR_FILL,
        note: `${issue.code}: ${issue.message}`,
      });
    }
    // A cell in error keeps what the file had; the others are normalized.
    expect(data.getCell("H4").value).toBe("-5");
    expect(String(data.getCell("F5").value)).toMatch(/^X{101}$/);
    expect(data.getCell("BK1").value).toBe("spec:Özellik 50");
    expect(data.getCell("H2").value).toBe("15559.36");

    for (const issue of errors) data.getCell(issue.cell ?? "").value = fixFor(issue);
    const fixed = await harness.submit(await saveReport(report), "05_errors-fixed.xlsx", "strict");
    const again = await validateImport(fixed.id, harness.deps);
    const summary = again?.summary as Record<string, unknown>;
    expect({
      status: again?.status,
      errors: again?.error_count,
      rows: [summary.rows_total, summary.rows_valid],
      products: summary.products,
      variants: summary.variants,
    }).toEqual({
      status: "validated",
      errors: 0,
      rows: [6, 6],
      // Four products (rows 4–6 are one), six variants, none of them in the catalog yet.
      products: { create: 4, update: 0, unchanged: 0 },
      variants: { create: 6, update: 0, unchanged: 0 },
    });
  });
});

import { requestCommit } from "@catalog/jobs";
import { getObjectBuffer } from "@catalog/storage";
import { readFixtureJson } from "@catalog/testing";
import ExcelJS from "exceljs";
import { commitImport } from "../src/handlers/commit-import";
import { validateImport } from "../src/handlers/validate-import";
import {
  createWorkerHarness,
  type ExpectedOutcome,
  type FixtureStep,
  type WorkerHarness,
} from "./support/worker-harness";

async function readWorkbook(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  return workbook;
}

/** The Summary sheet's `section` lines as the fixtures' nested summary. */
function summaryFrom(workbook: ExcelJS.Workbook, section: string): Record<string, unknown> {
  const summary: Record<string, unknown> = {};
  workbook.getWorksheet("Summary")?.eachRow((row) => {
    const [, sheetSection, key, value] = row.values as unknown[];
    if (sheetSection !== section || typeof key !== "string") return;
    const [group, field] = key.split(".");
    if (field && group) {
      const nested = (summary[group] ?? {}) as Record<string, unknown>;
      nested[field] = value;
      summary[group] = nested;
    } else summary[key] = value;
  });
  return summary;
}

function issuesFrom(workbook: ExcelJS.Workbook) {
  const issues: { row: unknown; column: unknown; code: unknown; severity: unknown }[] = [];
  workbook.getWorksheet("Issues")?.eachRow((row, number) => {
    if (number === 1) return;
    const [, line, column, code, severity] = row.values as unknown[];
    issues.push({ row: line, column, code, severity });
  });
  return issues;
}

describe("the XLSX report of every fixture", () => {
  let harness: WorkerHarness;
  beforeAll(async () => {
    harness = await createWorkerHarness();
  });
  afterAll(() => harness.close());

  it("holds exactly the expected issues and counts, is rewritten after commit, and its Data sheet re-imports to no change", async () => {
    const steps = readFixtureJson<FixtureStep[]>("sequence.json");
    for (const step of steps) {
      const expected = readFixtureJson<ExpectedOutcome>(step.expected);
      const job = await harness.submitFixture(step.file, step.mode);
      const validated = await validateImport(job.id, harness.deps);
      if (expected.fatal) continue;

      const report = await readWorkbook(
        await getObjectBuffer(harness.deps.store, validated?.report_key ?? ""),
      );
      expect(report.worksheets.map((sheet) => sheet.name)).toEqual([
        "Summary",
        "Issues",
        "Data",
        "Candidates",
        "Normalization",
      ]);
      expect({ file: step.file, issues: issuesFrom(report) }).toEqual({
        file: step.file,
        issues: expected.issues,
      });
      expect({ file: step.file, summary: summaryFrom(report, "preview") }).toEqual({
        file: step.file,
        summary: expected.summary,
      });

      await requestCommit(harness.deps.db, job.id, true);
      const committed = await commitImport(job.id, harness.deps);
      const rewritten = await readWorkbook(
        await getObjectBuffer(harness.deps.store, committed?.report_key ?? ""),
      );
      const { candidates, products, variants } = expected.summary;
      expect(summaryFrom(rewritten, "result")).toEqual({ candidates, products, variants });

      // The report itself, uploaded as an import (its Data sheet is picked), changes nothing.
      const again = await harness.submit(
        await getObjectBuffer(harness.deps.store, committed?.report_key ?? ""),
        `report-of-${step.file}.xlsx`,
        step.mode,
      );
      const replanned = await validateImport(again.id, harness.deps);
      expect({
        file: step.file,
        status: replanned?.status,
        errors: replanned?.error_count,
      }).toEqual({
        file: step.file,
        status: "validated",
        errors: 0,
      });
      const summary = replanned?.summary as {
        products: Record<string, number>;
        variants: Record<string, number>;
      };
      expect({ file: step.file, products: summary.products, variants: summary.variants }).toEqual({
        file: step.file,
        products: {
          create: 0,
          update: 0,
          unchanged:
            expected.summary.products.create +
            expected.summary.products.update +
            expected.summary.products.unchanged,
        },
        variants: {
          create: 0,
          update: 0,
          unchanged:
            expected.summary.variants.create +
            expected.summary.variants.update +
            expected.summary.variants.unchanged,
        },
      });
    }
  });

  it("writes a title that looks like a formula as a plain string cell, never a formula", async () => {
    const formula = '=HYPERLINK("http://x","y")';
    const file = Buffer.from(
      `category,title_en,model_code\nOcaklar,"=HYPERLINK(""http://x"",""y"")",HL-1\nOcaklar,@SUM(A1),HL-2\n`,
    );
    const job = await harness.submit(file, "formula.csv", "smart");
    const validated = await validateImport(job.id, harness.deps);
    const bytes = await getObjectBuffer(harness.deps.store, validated?.report_key ?? "");
    const data = (await readWorkbook(bytes)).getWorksheet("Data");
    const titles = [data?.getCell("B2"), data?.getCell("B3")];
    expect(titles.map((cell) => [cell?.type, cell?.value])).toEqual([
      [ExcelJS.ValueType.String, formula],
      [ExcelJS.ValueType.String, "@SUM(A1)"],
    ]);
    expect(titles.every((cell) => cell?.formula === undefined)).toBe(true);
  });
});

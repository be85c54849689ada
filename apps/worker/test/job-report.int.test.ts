import { decodeSnapshot } from "@catalog/core";
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

/**
 * The Summary's machine-readable `section` lines (the block the defined name
 * summary_values points at: section, item, value columns) as the fixtures' nested summary.
 */
function summaryFrom(workbook: ExcelJS.Workbook, section: string): Record<string, unknown> {
  const summary: Record<string, unknown> = {};
  const [range = ""] = workbook.definedNames.getRanges("summary_values").ranges;
  const [, top, bottom] = /!\$A\$(\d+):\$E\$(\d+)$/.exec(range) ?? [];
  const sheet = workbook.getWorksheet("Summary");
  const header = sheet?.getRow(Number(top));
  expect([1, 2, 5].map((column) => header?.getCell(column).value)).toEqual([
    "section",
    "item",
    "value",
  ]);
  for (let line = Number(top) + 1; line <= Number(bottom); line++) {
    const row = sheet?.getRow(line);
    const [sheetSection, key, value] = [1, 2, 5].map((column) => row?.getCell(column).value);
    if (sheetSection !== section || typeof key !== "string") continue;
    const [group, field] = key.split(".");
    if (field && group) {
      const nested = (summary[group] ?? {}) as Record<string, unknown>;
      nested[field] = value;
      summary[group] = nested;
    } else summary[key] = value;
  }
  return summary;
}

function issuesFrom(workbook: ExcelJS.Workbook) {
  const issues: { row: unknown; column: unknown; code: unknown; severity: unknown }[] = [];
  workbook.getWorksheet("Issues")?.eachRow((row, number) => {
    if (number === 1) return;
    const [, line, , , column, code, severity] = row.values as unknown[];
    issues.push({ row: line, column, code, severity });
  });
  return issues;
}

/** The errors of a job as `line:column:code`, lines mapped by `line`. */
async function errorKeys(
  harness: WorkerHarness,
  jobId: string,
  line: (row: number) => number | undefined = (row) => row,
): Promise<string[]> {
  const issues = (await harness.deps.db
    .selectFrom("ops_importjob")
    .select("report_json")
    .where("id", "=", jobId)
    .executeTakeFirstOrThrow()) as { report_json: { issues: ReportIssueJson[] } };
  return issues.report_json.issues
    .filter((issue) => issue.severity === "error")
    .map((issue) => `${line(issue.row)}:${issue.column}:${issue.code}`);
}

/** The lines of the job's input that its Data sheet holds, in order (from its snapshot). */
async function fileLines(harness: WorkerHarness, jobId: string): Promise<number[]> {
  const { snapshot_key } = await harness.deps.db
    .selectFrom("ops_importjob")
    .select("snapshot_key")
    .where("id", "=", jobId)
    .executeTakeFirstOrThrow();
  const snapshot = decodeSnapshot(await getObjectBuffer(harness.deps.store, snapshot_key ?? ""));
  return snapshot.data_rows.rows.map((row) => row.row);
}

interface ReportIssueJson {
  row: number;
  column: string;
  code: string;
  severity: string;
}

describe("the XLSX report of every fixture", () => {
  let harness: WorkerHarness;
  beforeAll(async () => {
    harness = await createWorkerHarness();
  });
  afterAll(() => harness.close());

  it("holds exactly the expected issues and counts, is rewritten after commit, and its Data sheet re-imports: committed rows unchanged, rows in error still in error", async () => {
    const steps = readFixtureJson<FixtureStep[]>("sequence.json");
    for (const step of steps) {
      const expected = readFixtureJson<ExpectedOutcome>(step.expected);
      const job = await harness.submitFixture(step.file, step.mode);
      const outcome = await validateImport(job.id, harness.deps);
      if (expected.fatal) continue;
      // Validated first, its report pending; the report work then stores it.
      expect(outcome).toMatchObject({ status: "validated", report_status: "pending" });
      const validated = await harness.report(job.id);

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
      // Committed with db_verify, the report of the result pending; its work rewrites it.
      expect(await commitImport(job.id, harness.deps)).toMatchObject({
        report_status: "pending",
        db_verify: expect.anything(),
      });
      const committed = await harness.report(job.id);
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
        rows: replanned?.total_rows,
        errors: replanned?.error_count,
      }).toEqual({
        file: step.file,
        status: "validated",
        rows: expected.summary.rows_total as number,
        errors: expected.summary.errors,
      });
      // Every row is in the Data sheet, in file order: the rows in error keep their errors.
      const data = (
        await readWorkbook(await getObjectBuffer(harness.deps.store, committed?.report_key ?? ""))
      ).getWorksheet("Data");
      expect(data?.rowCount).toBe(1 + (expected.summary.rows_total as number));
      const lines = await fileLines(harness, job.id);
      const sheetRow = new Map(lines.map((line, index) => [line, index + 2]));
      expect({ file: step.file, errors: await errorKeys(harness, again.id) }).toEqual({
        file: step.file,
        errors: await errorKeys(harness, job.id, (row) => sheetRow.get(row)),
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
    await validateImport(job.id, harness.deps);
    const validated = await harness.report(job.id);
    const bytes = await getObjectBuffer(harness.deps.store, validated.report_key ?? "");
    const data = (await readWorkbook(bytes)).getWorksheet("Data");
    const titles = [data?.getCell("B2"), data?.getCell("B3")];
    expect(titles.map((cell) => [cell?.type, cell?.value])).toEqual([
      [ExcelJS.ValueType.String, formula],
      [ExcelJS.ValueType.String, "@SUM(A1)"],
    ]);
    expect(titles.every((cell) => cell?.formula === undefined)).toBe(true);
  });
});

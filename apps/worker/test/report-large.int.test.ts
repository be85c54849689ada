/**
 * The repair loop at the row limit: a 10,000-row file with 1,000 rows in error (one
 * error each, five kinds in turn) gets a report whose Data sheet holds all 10,000 rows
 * and marks exactly the 1,000; fixing the marked cells and uploading the report again
 * imports every row. The report's size and the time to write it are printed (no timing
 * is asserted: the machine is shared).
 */
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { decodeSnapshot } from "@catalog/core";
import { writeReport } from "@catalog/report";
import { getObjectBuffer } from "@catalog/storage";
import ExcelJS from "exceljs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { reportModel } from "../src/handlers/report-model-from-snapshot";
import { validateImport } from "../src/handlers/validate-import";
import {
  ERROR_FILL,
  fillOf,
  loadReport,
  markedDataRows,
  noteOf,
  reportedIssues,
  saveReport,
  sheetOf,
} from "./support/report-workbook";
import { createWorkerHarness, type WorkerHarness } from "./support/worker-harness";

const ROWS = 10_000;
const HEADER = [
  "category",
  "series",
  "brand",
  "title_tr",
  "title_en",
  "model_code",
  "dimensions",
  "price",
  "spec:Güç (kW)",
  "spec:Renk",
];
const CATEGORIES = ["Pişirme Ekipmanları", "Soğutma Ekipmanları", "Bulaşık Makineleri"];
const SERIES = ["600 Serisi", "Eco Line", "Pro Yıkama"];
const BRANDS = ["Kuzina", "Örnek Mutfak", "Delta Gastro"];

/** Row `index` as it should be: two variants per product, nothing to warn about. */
function validRow(index: number): (string | number)[] {
  const product = Math.floor(index / 2);
  const group = product % 3;
  return [
    CATEGORIES[group] ?? "",
    SERIES[group] ?? "",
    BRANDS[group] ?? "",
    `Ürün ${product}`,
    `Product ${product}`,
    `LRG-${index}`,
    "600x700x850 mm",
    100 + (index % 900) + 0.5,
    `${(index % 40) + 1}.5`,
    index % 2 === 0 ? "Kırmızı" : "Siyah",
  ];
}

/** Every tenth row is in error, one error each, five kinds in turn: column and bad value. */
const ERRORS: readonly { code: string; column: number; value: string | number | null }[] = [
  { code: "INVALID_PRICE", column: 7, value: "12,34.5" },
  { code: "PRICE_OUT_OF_RANGE", column: 7, value: -3 },
  { code: "PRICE_PRECISION", column: 7, value: 19.999 },
  { code: "REQUIRED_VALUE_MISSING", column: 5, value: null },
  { code: "INVALID_SLUG", column: 4, value: "???" },
];

function errorOf(index: number) {
  return index % 10 === 9 ? ERRORS[Math.floor(index / 10) % ERRORS.length] : undefined;
}

/** The file, written by exceljs's streaming writer. */
async function largeFile(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const stream = new PassThrough();
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useSharedStrings: false });
  const sheet = workbook.addWorksheet("Data");
  sheet.addRow(HEADER).commit();
  for (let index = 0; index < ROWS; index++) {
    const row = validRow(index) as (string | number | null)[];
    const error = errorOf(index);
    if (error) row[error.column] = error.value;
    // INVALID_SLUG: the product's slug comes from its titles, so both say nothing usable.
    if (error?.code === "INVALID_SLUG") row[3] = null;
    sheet.addRow(row).commit();
  }
  sheet.commit();
  await workbook.commit();
  return Buffer.concat(chunks);
}

describe("the report of a 10,000-row file with 1,000 rows in error", () => {
  let harness: WorkerHarness;
  let work: string;
  beforeAll(async () => {
    harness = await createWorkerHarness();
    work = await mkdtemp(path.join(tmpdir(), "report-large-"));
  });
  afterAll(async () => {
    await harness.close();
    await rm(work, { recursive: true, force: true });
  });

  it("holds all 10,000 rows and marks the 1,000; fixed, it imports every row", async () => {
    const job = await harness.submit(await largeFile(), "large.xlsx", "smart");
    const validated = await validateImport(job.id, harness.deps);
    expect([validated?.status, validated?.total_rows, validated?.error_count]).toEqual([
      "validated",
      ROWS,
      ROWS / 10,
    ]);
    const reported = await harness.report(job.id);
    const bytes = await getObjectBuffer(harness.deps.store, reported.report_key ?? "");

    // The report's figures: its size, and the time to write it again from the snapshot.
    const snapshot = decodeSnapshot(
      await getObjectBuffer(harness.deps.store, validated?.snapshot_key ?? ""),
    );
    const file = path.join(work, "report.xlsx");
    const started = process.hrtime.bigint();
    const written = await writeReport(reportModel(validated ?? job, snapshot), file);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(
      `report of ${written.rows} rows, ${written.markedRows} marked, ${written.issues} issues: ` +
        `${bytes.length} bytes stored; written again in ${ms.toFixed(0)} ms ` +
        `(${(await stat(file)).size} bytes)`,
    );
    expect(written).toMatchObject({ rows: ROWS, markedRows: ROWS / 10, issues: ROWS / 10 });

    const report = await loadReport(bytes);
    const data = sheetOf(report, "Data");
    expect(data.rowCount).toBe(1 + ROWS);
    const expectedRows = Array.from({ length: ROWS }, (_, index) => index)
      .filter((index) => errorOf(index))
      .map((index) => index + 2);
    expect(markedDataRows(report)).toEqual(expectedRows);

    // Every error sits on the cell of its kind, filled and noted; fixed as it should be.
    const errors = reportedIssues(report);
    expect(errors).toHaveLength(ROWS / 10);
    for (const issue of errors) {
      const index = (issue.dataRow ?? 0) - 2;
      const kind = errorOf(index);
      const cell = data.getCell(issue.cell ?? "");
      expect({ code: issue.code, column: Number(cell.col) - 1, fill: fillOf(cell) }).toEqual({
        code: kind?.code,
        column: kind?.column,
        fill: ERROR_FILL,
      });
      expect(noteOf(cell)).toBe(`${issue.code}: ${issue.message}`);
      cell.value = String(validRow(index)[kind?.column ?? 0]);
      if (kind?.code === "INVALID_SLUG")
        data.getCell(issue.dataRow ?? 0, 4).value = validRow(index)[3] ?? "";
    }

    const fixed = await harness.submit(await saveReport(report), "large-fixed.xlsx", "smart");
    const again = await validateImport(fixed.id, harness.deps);
    const summary = again?.summary as Record<string, unknown>;
    expect({
      status: again?.status,
      errors: again?.error_count,
      warnings: again?.warning_count,
      products: summary.products,
      variants: summary.variants,
    }).toEqual({
      status: "validated",
      errors: 0,
      warnings: 0,
      products: { create: ROWS / 2, update: 0, unchanged: 0 },
      variants: { create: ROWS, update: 0, unchanged: 0 },
    });
  }, 180_000);
});

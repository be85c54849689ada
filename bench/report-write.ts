/**
 * Benchmark of the XLSX report writer (@catalog/report): a job at the row limit
 * (10,000 data rows of 20 columns, 10,000 issues, each marked on its Data sheet cell
 * with a fill and a note and linked from the Issues sheet, 10,000 normalization
 * entries) written to a temp file. Prints wall time, file size and peak RSS against the targets
 * (< 2 s, < 150 MB). Run: `npx tsx bench/report-write.ts`.
 *
 * The model is built as arrays before the clock starts, as the job handler holds the
 * core's result in memory too; the RSS before writing is printed so the writer's own
 * share is visible. That share is mostly V8's young generation growing under exceljs's
 * allocation churn, not data kept: it hardly moves with REPORT_BENCH_ROWS=50000.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
// By path, so the bench runs before the workspace is linked (npm install) as after.
import { type ReportModel, writeReport } from "../packages/report/src";

/** 10,000 (the row limit) unless REPORT_BENCH_ROWS says otherwise, to check that memory stays flat. */
const ROWS = Number(process.env.REPORT_BENCH_ROWS ?? 10_000);
const COLUMNS = 20;
const TARGET_MS = 2_000;
const TARGET_MB = 150;
const MB = 1024 * 1024;

const HEADER = [
  "category",
  "series",
  "brand",
  "product_slug",
  "title_tr",
  "title_en",
  "model_code",
  "dimensions",
  "price",
  ...Array.from({ length: COLUMNS - 9 }, (_, index) => `spec:Özellik ${index + 1}`),
];

/** The column the issues sit on. */
const PRICE = HEADER.indexOf("price");

function buildModel(): ReportModel {
  const issues = Array.from({ length: ROWS }, (_, index) => ({
    row: index + 2,
    column: "price",
    code: index % 3 === 0 ? "INVALID_PRICE" : "TITLE_TOO_LONG",
    severity: index % 3 === 0 ? ("error" as const) : ("warning" as const),
    message: flat(`Row ${index + 2}: the value could not be read as a price`) ?? "",
    value: flat(index % 10 === 0 ? `=HYPERLINK("http://x/${index}","y")` : `12,34.${index}`),
    dataCell: { row: index + 2, column: PRICE },
  }));
  const rows = issues.map(({ severity, code, message }, index) => ({
    row: index + 2,
    cells: HEADER.map((column, col) => flat(cellFor(column, col, index))),
    marks: [{ column: PRICE, severity, code, message }],
  }));
  const normalization = Array.from({ length: ROWS }, (_, index) => ({
    row: index + 2,
    column: "price",
    kind: "price",
    from: flat(`₺${index},50`),
    to: flat(`${index}.50`),
  }));
  const candidate = (kind: string, index: number) => ({
    slug: `${kind}-${index}`,
    name: `${kind} ${index}`,
    rows: Array.from({ length: 100 }, (_, k) => index * 100 + k + 2),
  });
  return {
    job: {
      id: "0f8fad5b-d9cb-469f-a165-70867728950e",
      status: "validated",
      mode: "smart",
      fileName: "bench.xlsx",
      fileHash: "ab".repeat(32),
      createdBy: "bench@example.com",
      createdAt: new Date(),
    },
    summary: {
      rows_total: ROWS,
      rows_valid: ROWS,
      rows_with_errors: 0,
      rows_with_warnings: 0,
      errors: 0,
      warnings: 0,
      candidates: { categories: 100, series: 100, brands: 100 },
      products: { create: ROWS / 2, update: 0, unchanged: 0 },
      variants: { create: ROWS, update: 0, unchanged: 0 },
    },
    issues,
    data: { header: HEADER, rows },
    candidates: {
      categories: Array.from({ length: 100 }, (_, i) => candidate("category", i)),
      series: Array.from({ length: 100 }, (_, i) => ({
        ...candidate("series", i),
        category_slug: `category-${i}`,
      })),
      brands: Array.from({ length: 100 }, (_, i) => candidate("brand", i)),
    },
    normalization,
    codeDescriptions: {
      INVALID_PRICE: "The price is not a number in an accepted format.",
      TITLE_TOO_LONG: "A title is over 200 characters; it is kept as is.",
    },
  };
}

function cellFor(column: string, col: number, index: number): string | null {
  if (column === "price") return `${(index * 7.31) % 99_999}`.replace(/(\.\d\d)\d*$/, "$1");
  if (column === "model_code") return `GKO-${6000 + index}`;
  if (column === "product_slug") return `product-${Math.floor(index / 2)}`;
  if (column.startsWith("spec:")) return index % 4 === 0 ? null : `${(index + col) % 97}.${col}`;
  return `${column} değeri ${index % 50}`;
}

/**
 * The text as a reader hands it over: decoded from bytes, so a flat string. A template
 * string is a V8 cons-string that grows when first read (flattening), and that growth
 * would be billed to the writer.
 */
function flat(text: string | null): string | null {
  return text === null ? null : Buffer.from(text, "utf8").toString("utf8");
}

/** Peak resident set size so far (VmHWM), in bytes; 0 where /proc is not available. */
function kernelPeakRss(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const model = buildModel();
  const dir = await mkdtemp(path.join(tmpdir(), "report-bench-"));
  const file = path.join(dir, "report.xlsx");
  const before = process.memoryUsage.rss();
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  try {
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    const written = await writeReport(model, file);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const cpu = process.cpuUsage(cpuStart);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage.rss(), kernelPeakRss());
    const size = (await stat(file)).size;
    console.log(
      `report-write: ${written.rows} data rows x ${COLUMNS} columns, ${written.issues} issues, ` +
        `${written.normalization} normalization entries, ${written.candidates} candidates`,
    );
    console.log(`  wall time   ${ms.toFixed(0)} ms  (target < ${TARGET_MS} ms)`);
    // CPU time of this process (main thread and the thread pool's deflate): a figure
    // that a busy machine disturbs less than the wall time.
    console.log(`  CPU time    ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms`);
    console.log(`  file size   ${(size / MB).toFixed(2)} MB`);
    console.log(
      `  peak RSS    ${(peak / MB).toFixed(1)} MB  (target < ${TARGET_MB} MB; ` +
        `${(before / MB).toFixed(1)} MB before writing, model built: ` +
        `+${((peak - before) / MB).toFixed(1)} MB while writing)`,
    );
    const ok = ms < TARGET_MS && peak < TARGET_MB * MB;
    console.log(`  ${ok ? "OK" : "OVER TARGET"}`);
    if (!ok) process.exitCode = 1;
  } finally {
    clearInterval(sampler);
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

/**
 * Regenerates the README's pictures of the report (docs/report-summary.png and
 * docs/report-data.png): the report of a real fixture, rendered headless by LibreOffice
 * (to PDF, one page per sheet) and poppler (page to PNG). Not run by CI; it needs
 * `soffice` and `pdftoppm` (Debian: `apt-get install -y libreoffice-calc-nogui
 * poppler-utils`). Run: `npx tsx scripts/report-pictures.ts`.
 *
 * The report is the one a job gets for `02_update.csv` in strict mode once
 * `01_base.xlsx` is committed (the fixture story): updates, unchanged rows, errors and
 * a warning. It is built as the worker builds it (core plan, snapshot, report model),
 * against the catalog that 01_base's plan leaves, so no database or S3 is needed.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  applyPlanToCatalog,
  buildSnapshot,
  type CatalogView,
  emptyCatalogView,
  type ImportMode,
  type ImportResult,
  normalizeFile,
  planImport,
} from "@catalog/core";
import { readRows } from "@catalog/readers";
import { writeReport } from "@catalog/report";
import { fixturePath } from "@catalog/testing";
import { reportModel } from "../apps/worker/src/handlers/report-model-from-snapshot";

const DOCS = path.resolve(__dirname, "../docs");
const LIMITS = { maxProducts: 5_000, maxVariants: 10_000, maxSpecsPerVariant: 50 };
/** Pixels per inch of the PNGs: readable text at a width a README shows. */
const RESOLUTION = 100;
/** The report's sheets in order (write-report.ts): the pages of the PDF. */
const PAGES = { summary: 1, data: 3 };

async function plan(file: string, catalog: CatalogView, mode: ImportMode): Promise<ImportResult> {
  return planImport(normalizeFile(await readRows(fixturePath(file)), LIMITS), catalog, mode);
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: ["ignore", "inherit", "inherit"] });
  if (result.error || result.status !== 0) {
    throw new Error(`${command} failed (${result.error?.message ?? `exit ${result.status}`})`);
  }
}

async function main(): Promise<void> {
  const base = await plan("01_base.xlsx", emptyCatalogView(), "smart");
  const catalog = applyPlanToCatalog(emptyCatalogView(), base.plan);
  const file = "02_update.csv";
  const result = await plan(file, catalog, "strict");
  const jobId = "6c1f3f0e-5d0b-4c1e-9a43-1f6d2a7b9c01";
  const snapshot = buildSnapshot({
    jobId,
    input: { filename: file, fileSha256: "0".repeat(64), mode: "strict" },
    result,
  });
  const at = new Date("2025-01-15T09:30:00Z");
  const model = reportModel(
    {
      id: jobId,
      status: "validated",
      mode: "strict",
      file_name: file,
      file_hash: "0".repeat(64),
      created_by: "operator@example.com",
      created_at: at,
      validated_at: new Date(at.getTime() + 2_000),
      completed_at: null,
      result: null,
      db_verify: null,
      failure_code: null,
      failure_message: null,
    },
    snapshot,
  );

  const work = await mkdtemp(path.join(tmpdir(), "report-pictures-"));
  try {
    const xlsx = path.join(work, "report.xlsx");
    await writeReport(model, xlsx);
    // One page per sheet, whatever its size, so page N is sheet N.
    const filter = JSON.stringify({ SinglePageSheets: { type: "boolean", value: "true" } });
    run("soffice", [
      `-env:UserInstallation=file://${work}/profile`,
      "--headless",
      "--convert-to",
      `pdf:calc_pdf_Export:${filter}`,
      "--outdir",
      work,
      xlsx,
    ]);
    const pdf = path.join(work, "report.pdf");
    for (const [name, page] of Object.entries(PAGES)) {
      const out = path.join(DOCS, `report-${name}`);
      run("pdftoppm", [
        "-png",
        "-r",
        String(RESOLUTION),
        "-f",
        `${page}`,
        "-l",
        `${page}`,
        "-singlefile",
        pdf,
        out,
      ]);
      console.log(`wrote ${path.relative(process.cwd(), out)}.png`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

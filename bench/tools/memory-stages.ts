/**
 * What each stage of validate and commit holds in memory, per row: the pipeline of
 * the worker's handlers run in this process on a generated file (readRows →
 * normalizeFile → planImport against an empty catalog → snapshot document → encoded
 * bytes → report written to a temp file; then, as commit does, decodeSnapshot →
 * CommitPlan), keeping every stage's output alive to the end so that each one's
 * size shows, with the heap measured after a full GC between stages. (The handlers
 * hold less at once: validate drops the raw rows' array once normalized, the
 * normalized file once planned and the result once the snapshot is in its temp
 * file, and never holds the snapshot's bytes; the report work parses only the
 * parts it shows.) Needs `--expose-gc`.
 *
 * Run: `node --expose-gc --import tsx bench/tools/memory-stages.ts [variants] [xlsx|csv]`.
 */
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { reportModel } from "../../apps/worker/src/handlers/report-model-from-snapshot";
import { toCommitPlan } from "../../apps/worker/src/handlers/commit-plan-from-snapshot";
import {
  buildSnapshot,
  decodeSnapshot,
  emptyCatalogView,
  encodeSnapshot,
  normalizeFile,
  planImport,
} from "../../packages/core/src";
import type { ImportJob } from "../../packages/db/src";
import { readRows } from "../../packages/readers/src";
import { writeReport } from "../../packages/report/src";
import { writeSheetCsv, writeSheetXlsx } from "../support/catalog-sheet";

const VARIANTS = Number(process.argv[2] ?? 10_000);
const FORMAT = process.argv[3] === "csv" ? "csv" : "xlsx";
const MiB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

/** JS heap and buffers still reachable, after a full collection. */
function heapAfterGc(): number {
  gc?.();
  gc?.();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

let last = 0;
function stage(name: string, started: number): void {
  const now = heapAfterGc();
  const rss = process.memoryUsage().rss;
  console.log(
    `${name.padEnd(34)} ${((performance.now() - started) / 1000).toFixed(2).padStart(6)} s  ` +
      `held ${(now / MiB).toFixed(0).padStart(5)} MiB (${((now - last) / MiB >= 0 ? "+" : "") + ((now - last) / MiB).toFixed(0)} MiB, ` +
      `${((now - last) / VARIANTS).toFixed(0)} B/row)  rss ${(rss / MiB).toFixed(0)} MiB`,
  );
  last = now;
}

/** The validate handler's stages; every stage's output stays alive until the end, as there. */
async function validateStages(file: string): Promise<Buffer> {
  const limits = { maxProducts: VARIANTS, maxVariants: VARIANTS, maxSpecsPerVariant: 50 };
  last = heapAfterGc();
  console.log(`${VARIANTS} variants, ${FORMAT}; heap at start ${(last / MiB).toFixed(0)} MiB`);
  let started = performance.now();
  const rows = await readRows(file, {
    fileName: `stages.${FORMAT}`,
    limits: { maxDataRows: VARIANTS, maxUncompressedBytes: 1024 * MiB },
  });
  stage("readRows (raw rows)", started);
  started = performance.now();
  const normalized = normalizeFile(rows, limits);
  stage("normalizeFile (+ normalized file)", started);
  started = performance.now();
  const result = planImport(normalized, emptyCatalogView(), "smart");
  stage("planImport (+ result, plan)", started);
  started = performance.now();
  const document = buildSnapshot({
    jobId: "0f8fad5b-d9cb-469f-a165-70867728950e",
    input: { filename: "stages", fileSha256: "ab".repeat(32), mode: "smart" },
    result,
  });
  const encoded = encodeSnapshot(document);
  stage(`encodeSnapshot (+ ${(encoded.bytes.length / MiB).toFixed(1)} MiB bytes)`, started);
  started = performance.now();
  const job = {
    id: "0f8fad5b-d9cb-469f-a165-70867728950e",
    status: "validated",
    mode: "smart",
    file_name: "stages",
    file_hash: "ab".repeat(32),
    created_by: "bench",
    created_at: new Date(),
    validated_at: new Date(),
    completed_at: null,
    result: null,
    db_verify: null,
    failure_code: null,
    failure_message: null,
  } as unknown as ImportJob;
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  const out = createWriteStream(join(file, "..", "report.xlsx"));
  await writeReport(reportModel(job, document), out);
  clearInterval(sampler);
  stage("writeReport (to a file)", started);
  console.log(
    `${"".padEnd(34)} writing the report raised RSS by ${((peak - rssBefore) / MiB).toFixed(0)} MiB at its peak`,
  );
  // Everything above stays reachable until here, as in the handler.
  if (rows.length + normalized.rows.length + result.plan.variants.length === 0) throw new Error();
  return encoded.bytes;
}

/** The commit handler's stages on the snapshot's bytes. */
function commitStages(bytes: Buffer): void {
  last = heapAfterGc();
  console.log(`-- commit; the snapshot's bytes alone: ${(last / MiB).toFixed(0)} MiB held`);
  let started = performance.now();
  const snapshot = decodeSnapshot(bytes);
  stage("decodeSnapshot (+ document)", started);
  started = performance.now();
  const plan = toCommitPlan(snapshot);
  stage("toCommitPlan (+ CommitPlan)", started);
  if (plan.create.variants.length === 0) throw new Error("empty plan");
}

async function main(): Promise<void> {
  if (!gc) throw new Error("Run with node --expose-gc");
  const folder = mkdtempSync(join(tmpdir(), "memory-stages-"));
  try {
    const file = join(folder, `stages.${FORMAT}`);
    if (FORMAT === "csv") await writeSheetCsv(file, VARIANTS);
    else await writeSheetXlsx(file, VARIANTS);
    commitStages(await validateStages(file));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

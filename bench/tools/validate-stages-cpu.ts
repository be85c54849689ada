/**
 * The CPU time (user + system) of each synchronous stage of validate, in this process, without
 * Postgres, S3 or the queue: readRows, normalizeFile, planImport (against an empty
 * catalog) and buildSnapshot + encodeSnapshot, each run REPS times on one generated
 * file after a warm-up run, printed as `stage: median (min–max) ms of CPU`. For comparing a
 * change to the core or the readers quickly; the end-to-end figures are `npm run bench`.
 *
 * Run: `node --import tsx bench/tools/validate-stages-cpu.ts [variants] [xlsx|csv] [reps]`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildSnapshot,
  emptyCatalogView,
  encodeSnapshot,
  normalizeFile,
  planImport,
} from "../../packages/core/src";
import { readRows } from "../../packages/readers/src";
import { writeSheetCsv, writeSheetXlsx } from "../support/catalog-sheet";

const VARIANTS = Number(process.argv[2] ?? 10_000);
const FORMAT = process.argv[3] === "csv" ? "csv" : "xlsx";
const REPS = Number(process.argv[4] ?? 5);
const MiB = 1024 * 1024;

async function run(file: string) {
  const limits = { maxProducts: VARIANTS, maxVariants: VARIANTS, maxSpecsPerVariant: 50 };
  const times: Record<string, number> = {};
  // CPU time of this process (user + system, GC threads included): less disturbed
  // than wall time by other work on a shared machine.
  const cpuMs = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  let started = cpuMs();
  const lap = (name: string) => {
    const now = cpuMs();
    times[name] = now - started;
    started = now;
  };
  const rows = await readRows(file, {
    fileName: `stages.${FORMAT}`,
    limits: { maxDataRows: VARIANTS, maxUncompressedBytes: 1024 * MiB },
  });
  lap("readRows");
  const normalized = normalizeFile(rows, limits);
  lap("normalizeFile");
  const result = planImport(normalized, emptyCatalogView(), "smart");
  lap("planImport");
  const encoded = encodeSnapshot(
    buildSnapshot({
      jobId: "0f8fad5b-d9cb-469f-a165-70867728950e",
      input: { filename: "stages", fileSha256: "ab".repeat(32), mode: "smart" },
      result,
    }),
  );
  lap("encodeSnapshot");
  return { times, sha256: encoded.sha256 };
}

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), "validate-stages-"));
  try {
    const file = join(folder, `stages.${FORMAT}`);
    if (FORMAT === "csv") await writeSheetCsv(file, VARIANTS);
    else await writeSheetXlsx(file, VARIANTS);
    const warm = await run(file);
    const samples: Record<string, number>[] = [];
    for (let rep = 0; rep < REPS; rep++) samples.push((await run(file)).times);
    console.log(`${VARIANTS} variants, ${FORMAT}, ${REPS} runs after a warm-up`);
    for (const stage of [...Object.keys(warm.times), "total"]) {
      const values = samples
        .map((times) =>
          stage === "total" ? Object.values(times).reduce((a, b) => a + b, 0) : (times[stage] ?? 0),
        )
        .sort((a, b) => a - b);
      const median = values[Math.floor(values.length / 2)] ?? 0;
      console.log(
        `${stage}: ${median.toFixed(0)} ms CPU (${(values[0] ?? 0).toFixed(0)}–${(values.at(-1) ?? 0).toFixed(0)}), n=${REPS}`,
      );
    }
    console.log(`snapshot sha256 ${warm.sha256}`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

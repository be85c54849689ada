/**
 * The import figures of the scale targets, measured through the API with worker
 * processes (the process harness: S3, Redis, the API and the workers as real
 * processes), on files this benchmark generates (bench/support/catalog-sheet.ts: 20
 * columns, 8 base and 12 `spec:` columns, two variants per product):
 *
 * - `10k`: a 10,000-variant XLSX (1.0 MB): upload → `validated`, commit → `success`,
 *   the raw floor (one set-based upsert per table on the same rows, in the same run),
 *   the workers' peak RSS during each phase;
 * - `100k`: a 100,000-variant XLSX (10 MB), limits raised: the same phases, and the
 *   raw floor of its rows (no target of its own: what this machine's Postgres needs);
 * - `csv`: a 10 MB CSV (49,000 variants): the same phases;
 * - `concurrent`: 100 imports of 1,000 rows at once (validate and commit each, rows
 *   of their own, references already in the catalog), with 2 workers, then with 4
 *   (the 2 replaced by 4 started with WORKER_PROCESSES_PER_HOST=4, as a deployment of
 *   four would run). Each worker set first runs one round that is not counted (a
 *   warm-up: started workers compile their hot code over their first imports).
 *
 * Every round starts from an empty catalog and an idle system. Phase times run from
 * the HTTP request to the moment Postgres shows the status (polled every 20 ms); a
 * phase's peak RSS is the highest VmRSS (sampled every 10 ms) of the worker process
 * that did the work (the one whose RSS rose most) from that request until the queues
 * are idle again (work after the status, the report, included).
 *
 * Run: `npm run bench -- import-scale` (all), or pick with arguments or env:
 * `npm run bench -- import-scale scenarios=10k,concurrent reps=1` (BENCH_SCENARIOS,
 * BENCH_REPS). Default repetitions: 5, and 3 for `100k`. `BENCH_WORKER_NODE_ARGS` gives
 * every worker process Node's own flags (e.g. V8's `--max-semi-space-size=32`), to try a
 * setting; none by default.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  buildSnapshot,
  emptyCatalogView,
  normalizeFile,
  planImport,
  type RawRow,
} from "../packages/core/src";
import { commitJob } from "@catalog/client";
import { type BenchSystem, startBenchSystem, upload } from "./support/bench-system";
import {
  type SheetOptions,
  sheetLines,
  writeSheetCsv,
  writeSheetXlsx,
} from "./support/catalog-sheet";
import { type Figure, figure, machineInfo, median, recordFigures } from "./support/figures";
import { CpuAccount, postgresPids } from "./support/process-cpu";
import { PeakRssSampler, rssBytes } from "./support/process-memory";
import { floorRows, truncateCatalog, upsertFloor, upsertReferences } from "./support/raw-floor";

const SCENARIOS = (process.env.BENCH_SCENARIOS ?? "10k,100k,csv,concurrent").split(",");
const REPS = process.env.BENCH_REPS ? Number(process.env.BENCH_REPS) : undefined;
const CONCURRENT_IMPORTS = Number(process.env.BENCH_CONCURRENT_IMPORTS ?? 100);
/** Node's own flags for every worker process (e.g. V8's), to try a setting: none by default. */
const WORKER_NODE_ARGS = (process.env.BENCH_WORKER_NODE_ARGS ?? "").split(" ").filter(Boolean);

/** Limits raised for the 100k file (the defaults stop at 10,000 variants and 10 MB). */
const RAISED_LIMITS: NodeJS.ProcessEnv = {
  MAX_FILE_BYTES: String(64 * 1024 * 1024),
  MAX_UNCOMPRESSED_BYTES: String(1024 * 1024 * 1024),
  MAX_VARIANTS: "100000",
  MAX_PRODUCTS: "50000",
  VALIDATION_TIMEOUT_S: "1800",
  COMMIT_TIMEOUT_S: "1800",
};

const seconds = (start: number) => (performance.now() - start) / 1000;
/** How long after a round the workers' idle RSS is read. */
const IDLE_WAIT_MS = 3_000;
const figures: Figure[] = [];
const files: Record<string, number> = {};
const folder = mkdtempSync(join(tmpdir(), "bench-scale-"));

/** The plan of a first import of `variants` rows, as the raw floor writes it. */
function plannedRows(variants: number, options: SheetOptions = {}) {
  const rows: RawRow[] = [...sheetLines(variants, options)].map((cells, index) => ({
    row: index + 1,
    cells,
  }));
  const limits = { maxProducts: variants, maxVariants: variants, maxSpecsPerVariant: 50 };
  const result = planImport(normalizeFile(rows, limits), emptyCatalogView(), "smart");
  return floorRows(
    buildSnapshot({
      jobId: "0f8fad5b-d9cb-469f-a165-70867728950e",
      input: { filename: "floor", fileSha256: "0".repeat(64), mode: "smart" },
      result,
    }),
  );
}

/** One import through the API, each phase timed and its peak worker RSS sampled. */
async function importOnce(bench: BenchSystem, file: string, mode: "strict" | "smart") {
  const sampler = new PeakRssSampler();
  await truncateCatalog(bench.client);
  await bench.idle();

  sampler.start(bench.workerPids);
  let started = performance.now();
  const id = await upload(bench, file, mode);
  await bench.watcher.until(id, ["validated"]);
  const validate = seconds(started);
  await bench.idle();
  const validateRss = sampler.stop();

  sampler.start(bench.workerPids);
  started = performance.now();
  await commitJob(bench.api, id);
  await bench.watcher.until(id, ["success"]);
  const commit = seconds(started);
  await bench.idle();
  const commitRss = sampler.stop();

  // What the workers keep once idle (a worker idle for 2 s hands a large heap back).
  await sleep(IDLE_WAIT_MS);
  const idleRss = Math.max(...bench.workerPids().map(rssBytes)) / (1024 * 1024);
  return { validate, commit, validateRss, commitRss, idleRss };
}

/** Imports `file` `reps` times and prints its figures under `label`. */
async function importFigures(
  bench: BenchSystem,
  label: string,
  file: string,
  reps: number,
): Promise<number[]> {
  const runs = [];
  for (let rep = 0; rep < reps; rep++) {
    const run = await importOnce(bench, file, "smart");
    console.log(
      `  ${label} round ${rep + 1}: validate ${run.validate.toFixed(2)} s, commit ${run.commit.toFixed(2)} s, ` +
        `peak RSS ${run.validateRss.peak.toFixed(0)} / ${run.commitRss.peak.toFixed(0)} MiB ` +
        `(from ${run.validateRss.before.toFixed(0)} / ${run.commitRss.before.toFixed(0)} MiB), ` +
        `idle after ${run.idleRss.toFixed(0)} MiB`,
    );
    runs.push(run);
  }
  figures.push(
    figure(
      `${label}: upload → validated`,
      "s",
      runs.map((run) => run.validate),
    ),
    figure(
      `${label}: commit → success`,
      "s",
      runs.map((run) => run.commit),
    ),
    figure(
      `${label}: worker peak RSS, validate`,
      "MiB",
      runs.map((run) => run.validateRss.peak),
      0,
    ),
    figure(
      `${label}: worker peak RSS, commit`,
      "MiB",
      runs.map((run) => run.commitRss.peak),
      0,
    ),
    figure(
      `${label}: worker RSS idle ${IDLE_WAIT_MS / 1000} s after the round (the highest)`,
      "MiB",
      runs.map((run) => run.idleRss),
      0,
    ),
  );
  return runs.map((run) => run.commit);
}

/** The raw floor of the 10k file's commit, `reps` times on an empty catalog. */
async function floorFigure(bench: BenchSystem, variants: number, reps: number): Promise<number> {
  const rows = plannedRows(variants);
  const samples: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    await truncateCatalog(bench.client);
    const started = performance.now();
    await upsertFloor(bench.client, rows);
    samples.push(seconds(started));
  }
  const floor = figure(
    `${variants / 1000}k XLSX: raw floor (set-based upsert per table)`,
    "s",
    samples,
  );
  figures.push(floor);
  return floor.median;
}

/** `count` imports of 1,000 rows at once: validate, then commit, each; imports per second. */
async function concurrentFigure(bench: BenchSystem, importFiles: string[], reps: number) {
  const references = plannedRows(1_000);
  const samples: number[] = [];
  const cpuPerImport: Record<string, number[]> = {};
  const cpu = new CpuAccount({
    workers: bench.workerPids,
    postgres: postgresPids,
    api: () => (bench.system.api ? [bench.system.api.pid] : []),
    s3: () => [bench.system.s3.pid],
  });
  // Round 0 warms every worker up and is not counted: a worker compiles its hot code over
  // its first imports (BENCHMARKS.md, "Four workers"), and workers started for this
  // figure would otherwise be measured cold against warm ones.
  for (let rep = 0; rep <= reps; rep++) {
    await truncateCatalog(bench.client);
    // The categories, series and brands exist, so no two imports plan to create the same one.
    await upsertReferences(bench.client, references);
    await bench.idle();
    cpu.start();
    const started = performance.now();
    await Promise.all(
      importFiles.map(async (file) => {
        const id = await upload(bench, file, "strict");
        await bench.watcher.until(id, ["validated"]);
        await commitJob(bench.api, id);
        await bench.watcher.until(id, ["success"]);
      }),
    );
    const elapsed = seconds(started);
    // Report work still running is the round's too (its CPU, not its time).
    await bench.idle();
    const used = cpu.stop();
    const round = rep === 0 ? "warm-up round (not counted)" : `round ${rep}`;
    const perImport = Object.entries(used).map(([name, secs]) => {
      if (rep > 0) cpuPerImport[name] = [...(cpuPerImport[name] ?? []), secs / importFiles.length];
      return `${name} ${(secs / importFiles.length).toFixed(3)}`;
    });
    console.log(
      `  ${bench.workerPids().length} workers ${round}: ${importFiles.length} imports in ${elapsed.toFixed(1)} s;` +
        ` CPU-s per import: ${perImport.join(", ")}`,
    );
    if (rep > 0) samples.push(importFiles.length / elapsed);
  }
  const label = `${importFiles.length} concurrent 1k imports (validate + commit), ${bench.workerPids().length} workers`;
  figures.push(figure(label, "imports/s", samples));
  for (const [name, values] of Object.entries(cpuPerImport))
    figures.push(figure(`${label}: ${name} CPU-s per import`, "s", values, 3));
}

async function main(): Promise<void> {
  const wanted = (name: string) => SCENARIOS.includes(name);
  // The workers' concurrency comes from their defaults: their share of this machine.
  const bench = await startBenchSystem({
    workers: 0,
    env: { ...RAISED_LIMITS, WORKER_PROCESSES_PER_HOST: "2" },
  });
  for (let index = 0; index < 2; index++) await bench.system.startWorker({}, WORKER_NODE_ARGS);
  try {
    // Warm-up: the first import of a process pays for loading and compiling its code.
    const warm = join(folder, "warm-up.xlsx");
    await writeSheetXlsx(warm, 1_000, { keyPrefix: "warm-" });
    await importOnce(bench, warm, "smart");

    if (wanted("10k")) {
      const file = join(folder, "bench-10k.xlsx");
      files["10k XLSX"] = await writeSheetXlsx(file, 10_000);
      const commits = await importFigures(bench, "10k XLSX", file, REPS ?? 5);
      const floor = await floorFigure(bench, 10_000, REPS ?? 5);
      console.log(`10k XLSX: commit / raw floor: ${(median(commits) / floor).toFixed(1)}×`);
    }
    if (wanted("100k")) {
      const file = join(folder, "bench-100k.xlsx");
      files["100k XLSX"] = await writeSheetXlsx(file, 100_000);
      const commits = await importFigures(bench, "100k XLSX", file, REPS ?? 3);
      // Not a target of its own: what this machine's Postgres needs for the same rows.
      const floor = await floorFigure(bench, 100_000, REPS ?? 3);
      console.log(`100k XLSX: commit / raw floor: ${(median(commits) / floor).toFixed(1)}×`);
    }
    if (wanted("csv")) {
      const file = join(folder, "bench-49k.csv");
      files["49k CSV"] = await writeSheetCsv(file, 49_000);
      await importFigures(bench, "49k CSV (10 MB)", file, REPS ?? 5);
    }
    if (wanted("concurrent")) {
      const importFiles: string[] = [];
      for (let index = 0; index < CONCURRENT_IMPORTS; index++) {
        const file = join(folder, `concurrent-${index}.xlsx`);
        files["1k XLSX"] = await writeSheetXlsx(file, 1_000, { keyPrefix: `i${index}-` });
        importFiles.push(file);
      }
      await concurrentFigure(bench, importFiles, REPS ?? 5);
      // Four workers as a deployment of four would run them: every one told it shares
      // the machine with three others (the first two are replaced, not kept).
      for (const worker of bench.system.workers.splice(0)) await worker.stop();
      for (let index = 0; index < 4; index++) {
        await bench.system.startWorker({ WORKER_PROCESSES_PER_HOST: "4" }, WORKER_NODE_ARGS);
      }
      await concurrentFigure(bench, importFiles, REPS ?? 5);
    }
  } finally {
    await bench.close();
    rmSync(folder, { recursive: true, force: true });
  }
  const file = recordFigures("import-scale", figures, {
    machine: machineInfo(),
    scenarios: SCENARIOS,
    file_bytes: files,
    worker_processes: "2 (4 for the last figure)",
    note: "Phase times from the HTTP request to the status in Postgres; RSS is VmRSS.",
  });
  console.log(`results: ${file}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

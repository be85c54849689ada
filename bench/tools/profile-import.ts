/**
 * Where a worker's time and memory go during one validate and one commit: the system
 * as real processes (bench/support/bench-system.ts) with ONE worker process run under
 * `node --cpu-prof`; a warm-up import first (the worker's code compiled and warm, as
 * in a long-lived worker), then an import of VARIANTS rows of the benchmark file,
 * validated then committed. The worker's VmRSS is sampled every 20 ms. Printed per
 * phase: wall time, peak RSS and its rise, an RSS timeline, and the CPU profile
 * sliced to the phase (areas, functions, pipeline stages), once up to the status
 * (`validated`, `success`) and once until the worker was idle (the report included).
 *
 * Run: `node --import tsx bench/tools/profile-import.ts [variants] [xlsx|csv]`
 * (default 10000 xlsx). The profile stays in the printed folder for a viewer
 * (Chrome DevTools, speedscope).
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commitJob } from "@catalog/client";
import { startBenchSystem, upload } from "../support/bench-system";
import { writeSheetCsv, writeSheetXlsx } from "../support/catalog-sheet";
import { rssBytes } from "../support/process-memory";
import { truncateCatalog } from "../support/raw-floor";
import { printSummary, summarizeProfile } from "./cpuprofile-summary";

const VARIANTS = Number(process.argv[2] ?? 10_000);
const FORMAT = process.argv[3] === "csv" ? "csv" : "xlsx";
const MiB = 1024 * 1024;

const VALIDATE_STAGES = [
  "validateImport",
  "downloadInput",
  "readRows",
  "normalizeFile",
  "loadCatalogView",
  "planImport",
  "buildSnapshot",
  "encodeSnapshot",
  "putObject",
  "reportImport",
  "storeJobReport",
  "writeReport",
  "transitionImportJob",
];
const COMMIT_STAGES = [
  "commitImport",
  "readSnapshotBytes",
  "decodeSnapshotPlan",
  "toCommitPlan",
  "lockPlanRows",
  "applyCommitPlan",
  "checkCreates",
  "insertProducts",
  "insertVariants",
  "updateVariants",
  "decodeSnapshot",
  "verifyCreatedRows",
  "rewriteReport",
  "reportImport",
  "storeJobReport",
  "writeReport",
  "transitionImportJob",
];

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** Samples one process's RSS; `window` gives the peak, the rise and a timeline between two times. */
function rssRecorder(pid: number) {
  const samples: [number, number][] = [];
  const timer = setInterval(() => samples.push([nowUs(), rssBytes(pid)]), 20);
  return {
    stop: () => clearInterval(timer),
    window(fromUs: number, toUs: number) {
      const inside = samples.filter(([time]) => time >= fromUs && time <= toUs);
      const before = inside[0]?.[1] ?? 0;
      const peak = Math.max(...inside.map(([, rss]) => rss));
      const step = Math.max(1, Math.floor(inside.length / 12));
      const timeline = inside
        .filter((_, index) => index % step === 0)
        .map(([time, rss]) => `${((time - fromUs) / 1e6).toFixed(1)}s:${(rss / MiB).toFixed(0)}`);
      return { before: before / MiB, peak: peak / MiB, timeline: timeline.join(" ") };
    },
  };
}

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), "profile-import-"));
  const profiles = join(folder, "cpu");
  const bench = await startBenchSystem({
    workers: 0,
    env: {
      MAX_FILE_BYTES: String(64 * MiB),
      MAX_UNCOMPRESSED_BYTES: String(1024 * MiB),
      MAX_VARIANTS: String(Math.max(10_000, VARIANTS)),
      MAX_PRODUCTS: String(Math.max(5_000, VARIANTS / 2)),
      VALIDATION_TIMEOUT_S: "1800",
      COMMIT_TIMEOUT_S: "1800",
    },
  });
  try {
    const worker = await bench.system.startWorker({}, ["--cpu-prof", `--cpu-prof-dir=${profiles}`]);
    const rss = rssRecorder(worker.pid);
    const warm = join(folder, "warm.xlsx");
    await writeSheetXlsx(warm, 1_000, { keyPrefix: "warm-" });
    const warmId = await upload(bench, warm, "smart");
    await bench.watcher.until(warmId, ["validated"]);
    await commitJob(bench.api, warmId);
    await bench.watcher.until(warmId, ["success"]);
    await bench.idle();
    await truncateCatalog(bench.client);

    const file = join(folder, `profile.${FORMAT}`);
    const bytes =
      FORMAT === "csv" ? await writeSheetCsv(file, VARIANTS) : await writeSheetXlsx(file, VARIANTS);
    console.log(`${VARIANTS} variants, ${FORMAT}, ${(bytes / MiB).toFixed(1)} MiB`);

    const validateFrom = nowUs();
    const id = await upload(bench, file, "smart");
    await bench.watcher.until(id, ["validated"]);
    const validatedAt = nowUs();
    await bench.idle();
    const validateTo = nowUs();
    const commitFrom = nowUs();
    await commitJob(bench.api, id);
    await bench.watcher.until(id, ["success"]);
    const successAt = nowUs();
    await bench.idle();
    const commitTo = nowUs();
    rss.stop();
    await worker.stop();

    const [profile] = readdirSync(profiles).filter((name) => name.endsWith(".cpuprofile"));
    if (!profile) throw new Error(`No CPU profile in ${profiles}`);
    for (const [phase, from, status, to, stages] of [
      ["validate", validateFrom, validatedAt, validateTo, VALIDATE_STAGES],
      ["commit", commitFrom, successAt, commitTo, COMMIT_STAGES],
    ] as const) {
      const memory = rss.window(from, to);
      console.log(
        `\n== ${phase}: ${((status - from) / 1e6).toFixed(2)} s to the status, ` +
          `${((to - from) / 1e6).toFixed(2)} s until the worker was idle; ` +
          `worker RSS ${memory.before.toFixed(0)} → peak ${memory.peak.toFixed(0)} MiB ` +
          `(+${(memory.peak - memory.before).toFixed(0)} MiB, ` +
          `${(((memory.peak - memory.before) * MiB) / VARIANTS / 1024).toFixed(1)} KiB per row)`,
      );
      console.log(`   RSS timeline (s:MiB): ${memory.timeline}`);
      // The path to the status alone (the report is queued work after it).
      printSummary(
        `${phase} CPU up to the status`,
        summarizeProfile(join(profiles, profile), from, status, [...stages]),
      );
      printSummary(
        `${phase} CPU`,
        summarizeProfile(join(profiles, profile), from, to, [...stages]),
      );
    }
    console.log(`\nCPU profile: ${join(profiles, profile)}`);
  } finally {
    await bench.close();
    // The generated files go; the CPU profile stays for a viewer.
    for (const name of readdirSync(folder)) {
      if (name !== "cpu") rmSync(join(folder, name), { force: true });
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

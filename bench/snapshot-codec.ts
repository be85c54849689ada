/**
 * Snapshot encode and decode (@catalog/core) against native JSON on the same
 * document: a snapshot of 10,000 and of 100,000 generated variants (bench/support,
 * 20 columns), once all creates (a first import) and once all updates (the same rows
 * with new prices against the catalog the first import made). `encode` is
 * `encodeSnapshot` (canonical bytes in one buffer and their SHA-256), `writeSnapshot`
 * streams the same bytes into the hash without holding them, `decode` is
 * `decodeSnapshot` (parse and check); the `JSON.*` lines are the native floor on the
 * same value (JSON.stringify without sorted keys, so not canonical).
 *
 * Run: `npm run bench -- snapshot-codec`. Env: BENCH_SIZES (default
 * `10000,100000`), BENCH_REPS (default 5).
 */
import { createHash } from "node:crypto";
import {
  applyPlanToCatalog,
  buildSnapshot,
  type CatalogView,
  decodeSnapshot,
  emptyCatalogView,
  encodeSnapshot,
  normalizeFile,
  planImport,
  type RawRow,
  type Snapshot,
  writeSnapshot,
} from "../packages/core/src";
import { sheetLines } from "./support/catalog-sheet";
import { type Figure, figure, machineInfo, recordFigures } from "./support/figures";

const SIZES = (process.env.BENCH_SIZES ?? "10000,100000").split(",").map(Number);
const REPS = Number(process.env.BENCH_REPS ?? 5);

function rowsOf(variants: number, priceShift = 0): RawRow[] {
  return [...sheetLines(variants, { priceShift })].map((cells, index) => ({
    row: index + 1,
    cells,
  }));
}

function snapshotOf(variants: number, catalog: CatalogView, priceShift: number): Snapshot {
  const limits = { maxProducts: variants, maxVariants: variants, maxSpecsPerVariant: 50 };
  const file = normalizeFile(rowsOf(variants, priceShift), limits);
  const result = planImport(file, catalog, "smart");
  return buildSnapshot({
    jobId: "0f8fad5b-d9cb-469f-a165-70867728950e",
    input: { filename: "bench.xlsx", fileSha256: "ab".repeat(32), mode: "smart" },
    result,
  });
}

/** CPU milliseconds (user + system) of `run`: steadier than wall time on a busy machine. */
function time(run: () => unknown): number {
  const started = process.cpuUsage();
  run();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

function measure(name: string, run: () => unknown): Figure {
  run(); // warm-up
  const samples: number[] = [];
  for (let index = 0; index < REPS; index++) samples.push(time(run));
  return figure(name, "ms CPU", samples, 0);
}

function measureSnapshot(label: string, snapshot: Snapshot): void {
  const { bytes } = encodeSnapshot(snapshot);
  console.log(`${label}: ${(bytes.length / 1024 / 1024).toFixed(1)} MiB`);
  figures.push(measure(`${label} encode`, () => encodeSnapshot(snapshot)));
  figures.push(
    measure(`${label} writeSnapshot→sha256 (streamed)`, () => {
      const hash = createHash("sha256");
      writeSnapshot(snapshot, (chunk) => hash.update(chunk));
      return hash.digest("hex");
    }),
  );
  figures.push(
    measure(`${label} JSON.stringify+sha256`, () => {
      const json = Buffer.from(JSON.stringify(snapshot), "utf8");
      return createHash("sha256").update(json).digest("hex");
    }),
  );
  figures.push(measure(`${label} decode`, () => decodeSnapshot(bytes)));
  figures.push(measure(`${label} JSON.parse`, () => JSON.parse(bytes.toString("utf8"))));
}

const figures: Figure[] = [];
for (const size of SIZES) {
  const catalog = (() => {
    const creates = snapshotOf(size, emptyCatalogView(), 0);
    measureSnapshot(`snapshot ${size / 1000}k create`, creates);
    return applyPlanToCatalog(emptyCatalogView(), creates.plan);
  })();
  measureSnapshot(`snapshot ${size / 1000}k update`, snapshotOf(size, catalog, 1));
}
console.log(`results: ${recordFigures("snapshot-codec", figures, { machine: machineInfo() })}`);

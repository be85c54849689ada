/**
 * How every benchmark reports a figure: `name: median (min–max), n` on stdout, and
 * the same numbers collected for bench/results/<date>.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** One figure: its samples and their unit. */
export interface Figure {
  name: string;
  unit: string;
  samples: number[];
  median: number;
  min: number;
  max: number;
  n: number;
}

/** The median of `samples` (the mean of the middle two for an even count). */
export function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The figure of `samples`, printed as `name: median (min–max), n`. */
export function figure(name: string, unit: string, samples: readonly number[], digits = 2): Figure {
  const result: Figure = {
    name,
    unit,
    samples: [...samples],
    median: median(samples),
    min: Math.min(...samples),
    max: Math.max(...samples),
    n: samples.length,
  };
  const show = (value: number) => `${value.toFixed(digits)}`;
  console.log(
    `${name}: ${show(result.median)} ${unit} (${show(result.min)}–${show(result.max)}), n=${result.n}`,
  );
  return result;
}

/** Repeats `run` `times` times and returns what each run measured. */
export async function repeat<T>(
  times: number,
  run: (index: number) => Promise<T> | T,
): Promise<T[]> {
  const results: T[] = [];
  for (let index = 0; index < times; index++) results.push(await run(index));
  return results;
}

/** Where each run writes its figures (bench/results). */
export const RESULTS_DIR = join(__dirname, "..", "results");

/**
 * The name figures are recorded under: the benchmark's, followed by the `BENCH_*`
 * settings of a partial run, so that a quick run does not replace a full one.
 */
function recordName(bench: string): string {
  const settings = Object.entries(process.env)
    .filter(([name, value]) => name.startsWith("BENCH_") && value)
    .map(([name, value]) => `${name.slice(6).toLowerCase()}=${value}`)
    .sort();
  return settings.length ? `${bench} [${settings.join(" ")}]` : bench;
}

/**
 * Merges `figures` of benchmark `bench` into bench/results/<yyyy-mm-dd>.json (one file
 * per day; a later run of the same benchmark with the same settings replaces its
 * earlier figures) and returns that file's path.
 */
export function recordFigures(
  bench: string,
  figures: Figure[],
  context: Record<string, unknown> = {},
): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${new Date().toISOString().slice(0, 10)}.json`);
  let document: { benches: Record<string, unknown> } = { benches: {} };
  try {
    document = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    // No results yet today.
  }
  document.benches[recordName(bench)] = {
    measured_at: new Date().toISOString(),
    ...context,
    figures,
  };
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  return file;
}

/** The machine a figure was measured on, recorded with it (load average: how busy it was). */
export function machineInfo(): Record<string, unknown> {
  const os = require("node:os") as typeof import("node:os");
  return {
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model,
    memory_gib: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    load_average: os.loadavg().map((load) => Math.round(load * 100) / 100),
  };
}

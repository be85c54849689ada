/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and says where the time of a time
 * window went: self time by kind of work (reading the file, writing the report,
 * the snapshot, Postgres…), by area (a package of this repository, a dependency,
 * Node, the garbage collector) and by function, and total time (self and callees)
 * of the functions named, e.g. the pipeline's stages (synchronous callees only: an
 * `await` or a stream callback starts a new stack).
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A window's time, in milliseconds. */
export interface ProfileSummary {
  totalMs: number;
  byKind: [string, number][];
  byArea: [string, number][];
  byFunction: [string, number][];
  inclusive: [string, number][];
}

/** What kind of work a frame does, by where its code lives (first match wins). */
const KINDS: [string, RegExp][] = [
  [
    "XLSX and CSV reading",
    /saxes|worksheet-reader|workbook-reader|parse-sax|yauzl|csv-parse|iconv-lite|readers\/src/,
  ],
  ["report writing (exceljs)", /exceljs|archiver|zip-stream|crc-32|compress-commons|report\/src/],
  ["zlib (XLSX in and out)", /zlib/],
  ["snapshot encode/decode", /core\/src\/(json-shape|canonical-json|snapshot|decode-snapshot)/],
  ["core: normalize, validate, plan", /core\/src/],
  ["Postgres client (pg)", /node_modules\/(pg|pg-protocol|pg-pool)\//],
  ["S3 client", /@aws-sdk|@smithy/],
  ["catalog writes (SQL building)", /catalog\/src|kysely/],
];

function kindOf(url: string, functionName: string): string {
  if (functionName === "(garbage collector)") return "garbage collection";
  if (!url) return "V8 builtins (JSON, strings, regexps…)";
  return KINDS.find(([, pattern]) => pattern.test(url))?.[0] ?? "other (Node, handlers, libraries)";
}

/** Where a frame's code lives: `@catalog/<package>`, `apps/<app>`, a dependency, `node:…`, or V8. */
function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native/V8 builtins)";
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return dependency[1] as string;
  const local = /\/(packages|apps)\/([^/]+)\/src\/(.+?)\.ts/.exec(url);
  if (local) return `${local[1] === "packages" ? "@catalog" : "apps"}/${local[2]}/${local[3]}`;
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/")[0]}`;
  return url.split("/").slice(-2).join("/");
}

/**
 * Summarizes the samples of `file` taken between `fromUs` and `toUs` (the profile's
 * clock: microseconds of the monotonic clock, as `process.hrtime` reads it).
 * `stages` are function names whose total time is reported.
 */
export function summarizeProfile(
  file: string,
  fromUs: number,
  toUs: number,
  stages: string[] = [],
): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const byKind = new Map<string, number>();
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let time = profile.startTime;
  let totalUs = 0;
  for (let index = 0; index < profile.samples.length; index++) {
    const delta = profile.timeDeltas[index] ?? 0;
    time += delta;
    if (time < fromUs || time > toUs) continue;
    const node = nodes.get(profile.samples[index] as number);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") continue;
    totalUs += delta;
    const kind = kindOf(url, functionName);
    byKind.set(kind, (byKind.get(kind) ?? 0) + delta);
    const area = areaOf(url, functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + delta);
    // A dependency's functions are told apart by file (exceljs reads and writes XLSX).
    const where = /node_modules\//.test(url) ? `${area}/${url.split("/").pop()}` : area;
    const name = `${functionName || "(anonymous)"} ${where}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + delta);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = nodes.get(id)?.callFrame.functionName ?? "";
      if (stages.includes(frame) && !seen.has(frame)) {
        seen.add(frame);
        inclusive.set(frame, (inclusive.get(frame) ?? 0) + delta);
      }
    }
  }
  const ms = (entries: Map<string, number>) =>
    [...entries]
      .map(([name, us]): [string, number] => [name, us / 1000])
      .sort((a, b) => b[1] - a[1]);
  return {
    totalMs: totalUs / 1000,
    byKind: ms(byKind),
    byArea: ms(byArea),
    byFunction: ms(byFunction),
    inclusive: ms(inclusive),
  };
}

/** Prints a summary: the `top` areas and functions, and every stage's total time. */
export function printSummary(title: string, summary: ProfileSummary, top = 15): void {
  const line = ([name, ms]: [string, number]) =>
    `  ${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / summary.totalMs).toFixed(1).padStart(5)}%  ${name}`;
  console.log(`\n${title}: ${summary.totalMs.toFixed(0)} ms of CPU sampled (idle excluded)`);
  console.log(" by kind of work (self time):");
  for (const entry of summary.byKind) console.log(line(entry));
  console.log(" by area (self time):");
  for (const entry of summary.byArea.slice(0, top)) console.log(line(entry));
  console.log(" by function (self time):");
  for (const entry of summary.byFunction.slice(0, top)) console.log(line(entry));
  if (summary.inclusive.length) {
    console.log(" stages (total time, callees included):");
    for (const entry of summary.inclusive) console.log(line(entry));
  }
}

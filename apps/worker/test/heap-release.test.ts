import { spawnSync } from "node:child_process";
import { createLogger } from "@catalog/observability";
import { REPOSITORY_ROOT, TS_NODE_FLAGS } from "@catalog/testing";
import { createHeapRelease } from "../src/heap-release";

/** A logger whose lines are kept, parsed. */
function keptLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger("test", "info", {
    write: (line: string) => {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  return { logger, lines };
}

const MiB = 1024 * 1024;
const IDLE_MS = 50;
const pastIdle = () => new Promise((resolve) => setTimeout(resolve, IDLE_MS * 4));

/**
 * A fresh Node process runs a job that leaves about 128 MiB dead, with the heap release
 * on its defaults but for the idle time, and prints the "Heap collected" line. (A jest
 * worker's own heap holds what other test files left: how much V8 gives back there says
 * little.) The job's rows stay referenced until the release reads the heap size, right
 * before it collects: otherwise V8 may collect them on its own first (it did, on a
 * loaded machine), and nothing would be left to hand back.
 */
function collectInFreshProcess(): Record<string, unknown>[] {
  const script = `
    const { createHeapRelease } = require("./apps/worker/src/heap-release.ts");
    const logger = { info: (fields, msg) => console.log(JSON.stringify({ ...fields, msg })) };
    let kept = null;
    const release = createHeapRelease({
      thresholdBytes: 128 * 1024 * 1024,
      idleMs: 0,
      heapBytes: () => {
        kept = null;
        return process.memoryUsage().heapTotal;
      },
      logger,
    });
    release
      .around(async () => {
        const target = process.memoryUsage().heapUsed + 128 * 1024 * 1024;
        const rows = [];
        while (process.memoryUsage().heapUsed < target)
          for (let i = 0; i < 10000; i++) rows.push({ key: "row-" + rows.length, cells: ["a" + i, "b"] });
        kept = rows;
        return rows.length;
      })
      .then(() => setTimeout(() => console.log(JSON.stringify({ collections: release.collections })), 100));
  `;
  const child = spawnSync(process.execPath, [...TS_NODE_FLAGS, "-e", script], {
    cwd: REPOSITORY_ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  if (child.status !== 0) throw new Error(`The process failed: ${child.stderr}`);
  return child.stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("heap release", () => {
  it("hands back the heap a finished job left dead: V8's heap shrinks by most of it", () => {
    const lines = collectInFreshProcess();

    const collected = lines.filter((line) => String(line.msg).startsWith("Heap collected"));
    expect(collected).toHaveLength(1);
    const before = collected[0]?.heap_mib_before as number;
    const after = collected[0]?.heap_mib_after as number;
    expect(before).toBeGreaterThanOrEqual(128);
    expect(after).toBeLessThan(before - 64);
    expect(lines.at(-1)).toEqual({ collections: 1 });
  });

  it("collects only after the idle time with no job in hand, and only above the threshold", async () => {
    const { logger } = keptLogger();
    const heap = { bytes: 300 * MiB };
    const release = createHeapRelease({
      thresholdBytes: 128 * MiB,
      idleMs: IDLE_MS,
      heapBytes: () => heap.bytes,
      logger,
    });
    let finishLong: () => void = () => undefined;
    const long = release.around(
      () =>
        new Promise<void>((resolve) => {
          finishLong = resolve;
        }),
    );

    // Another job ends while the long one is in hand: no collection.
    await release.around(async () => "done");
    await pastIdle();
    expect(release.collections).toBe(0);

    finishLong();
    await long;
    // A job that starts within the idle time: the collection waits for its end.
    await release.around(() => new Promise((resolve) => setTimeout(resolve, IDLE_MS * 2)));
    expect(release.collections).toBe(0);
    await pastIdle();
    expect(release.collections).toBe(1);

    // Under the threshold: nothing.
    heap.bytes = 100 * MiB;
    await release.around(async () => "small");
    await pastIdle();
    expect(release.collections).toBe(1);
  });

  it("never collects when turned off (threshold 0), and passes the job's error on", async () => {
    const { logger } = keptLogger();
    const release = createHeapRelease({
      thresholdBytes: 0,
      idleMs: IDLE_MS,
      heapBytes: () => 1024 * MiB,
      logger,
    });
    await release.around(async () => "done");
    await expect(
      release.around(async () => {
        throw new Error("handler failed");
      }),
    ).rejects.toThrow("handler failed");
    await pastIdle();
    expect(release.collections).toBe(0);
  });
});

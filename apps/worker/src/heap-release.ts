/**
 * Hands the heap a large job grew back to the system once the worker has no work in
 * hand. V8 keeps a grown heap (and the process its resident memory) long after the
 * objects in it died: a worker that validated a 100,000-row file stayed at 330–510
 * MiB while idle, and its next job's peak started from there. A full collection when
 * no job is in progress costs little (nothing the jobs held is alive: there is little
 * to mark) and lets V8 shrink the heap and release its pages.
 *
 * V8 runs such a collection on request only with `--expose-gc`; the flag is set from
 * here, for the process's own use (as jest's leak detector does), so no start command
 * needs it. Only once the worker has had no job in hand for `idleMs` with the heap
 * (V8's heapTotal) at or above `thresholdBytes`: small jobs never pay for it, and
 * neither does a busy worker, whose jobs follow each other closer than that.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Logger } from "@catalog/observability";

export interface HeapReleaseOptions {
  /** Heap size (V8's heapTotal) from which the worker going idle triggers a collection; 0: never. */
  thresholdBytes: number;
  /** How long the worker must have had no job in hand first. Default 2 s. */
  idleMs?: number;
  /** The heap size compared with the threshold. Default: V8's heapTotal now. */
  heapBytes?: () => number;
  logger: Logger;
}

export interface HeapRelease {
  /** Runs `work`; once it ends (however) and no work follows for `idleMs`, collects if the heap is large. */
  around<T>(work: () => Promise<T>): Promise<T>;
  /** Collections run so far. */
  readonly collections: number;
}

let collector: (() => void) | undefined;

/** V8's full collection, made callable for this process (once). */
function fullCollection(): () => void {
  if (!collector) {
    setFlagsFromString("--expose-gc");
    collector = runInNewContext("gc") as () => void;
  }
  return collector;
}

const MiB = 1024 * 1024;

export function createHeapRelease(options: HeapReleaseOptions): HeapRelease {
  const collect = options.thresholdBytes > 0 ? fullCollection() : undefined;
  const idleMs = options.idleMs ?? 2_000;
  const heapBytes = options.heapBytes ?? (() => process.memoryUsage().heapTotal);
  let inHand = 0;
  let collections = 0;
  let idle: NodeJS.Timeout | undefined;
  const whenIdle = () => {
    idle = undefined;
    if (!collect || inHand > 0) return;
    if (heapBytes() < options.thresholdBytes) return;
    const before = process.memoryUsage();
    const started = performance.now();
    collect();
    collections += 1;
    options.logger.info(
      {
        heap_mib_before: Math.round(before.heapTotal / MiB),
        heap_mib_after: Math.round(process.memoryUsage().heapTotal / MiB),
        ms: Math.round(performance.now() - started),
      },
      "Heap collected: the worker is idle after a large job",
    );
  };
  return {
    async around(work) {
      inHand += 1;
      clearTimeout(idle);
      idle = undefined;
      try {
        return await work();
      } finally {
        inHand -= 1;
        if (collect && inHand === 0) {
          idle = setTimeout(whenIdle, idleMs);
          // Never what keeps the process alive.
          idle.unref();
        }
      }
    },
    get collections() {
      return collections;
    },
  };
}

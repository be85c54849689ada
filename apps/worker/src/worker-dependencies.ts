/** What job handlers use, built once per worker process (or per test). */
import type { Database } from "@catalog/db";
import type { ImportQueues } from "@catalog/jobs";
import type { Logger, Metrics } from "@catalog/observability";
import type { ObjectStore } from "@catalog/storage";
import type { Kysely } from "kysely";

/** Limits of SPEC §12 that the handlers enforce. */
export interface WorkerLimits {
  maxProducts: number;
  maxVariants: number;
  maxSpecsPerVariant: number;
  maxUncompressedBytes: number;
  validationTimeoutMs: number;
  commitTimeoutMs: number;
}

export interface WorkerDependencies {
  db: Kysely<Database>;
  store: ObjectStore;
  logger: Logger;
  metrics: Metrics;
  limits: WorkerLimits;
  /**
   * The import queues, for work a handler asks for after its own (the report
   * work after validation and after commit). Absent in tests that call handlers
   * directly: they run the report handler themselves.
   */
  queues?: ImportQueues;
  /**
   * Where handlers keep the files they work on (scratch-folder.ts); the system's
   * temp folder when absent (tests calling handlers directly).
   */
  scratchFolder?: string;
}

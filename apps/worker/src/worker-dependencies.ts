/** What job handlers use, built once per worker process (or per test). */
import type { Database } from "@catalog/db";
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
}

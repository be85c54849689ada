/**
 * Integration-test harness for worker handlers: a database and bucket of the
 * test file's own, real dependencies, and a way to submit a file as the API
 * would (input object + job row).
 */
import { randomUUID } from "node:crypto";
import { basename } from "node:path";
import { Writable } from "node:stream";
import type { ImportJob, ImportMode } from "@catalog/db";
import { createImportJob, findImportJob } from "@catalog/jobs";
import { createLogger, createMetrics } from "@catalog/observability";
import { putObject } from "@catalog/storage";
import {
  createTestDatabase,
  createTestObjectStore,
  readFixture,
  type TestDatabase,
} from "@catalog/testing";
import type { LogConfig } from "kysely";
import { reportImport } from "../../src/handlers/report-import";
import type { WorkerDependencies, WorkerLimits } from "../../src/worker-dependencies";

/** One step of the fixture story (sequence.json). */
export interface FixtureStep {
  file: string;
  mode: ImportMode;
  expected: string;
}

/** What a fixture's *.expected.json holds. */
export interface ExpectedOutcome extends Record<string, unknown> {
  fatal?: string;
  missing?: string[];
  issues: unknown[];
  summary: {
    errors: number;
    candidates: { categories: number; series: number; brands: number };
    products: { create: number; update: number; unchanged: number };
    variants: { create: number; update: number; unchanged: number };
  } & Record<string, unknown>;
}

export const DEFAULT_TEST_LIMITS: WorkerLimits = {
  maxProducts: 5_000,
  maxVariants: 10_000,
  maxSpecsPerVariant: 50,
  maxUncompressedBytes: 100 * 1024 * 1024,
  validationTimeoutMs: 60_000,
  commitTimeoutMs: 60_000,
};

export interface WorkerHarness {
  deps: WorkerDependencies;
  /** Every log line the handlers wrote, parsed (level info and up). */
  logs: { msg: string; job_id?: string; level: number }[];
  database: TestDatabase;
  /** Stores `bytes` as an upload named `fileName` and creates its pending job. */
  submit(bytes: Buffer, fileName: string, mode: ImportMode): Promise<ImportJob>;
  /** Submits a fixture file by name. */
  submitFixture(name: string, mode: ImportMode): Promise<ImportJob>;
  /**
   * Runs the report work of job `id` (as the `import-report` queue would; the
   * harness has no queues) and returns the job, its report ready.
   */
  report(id: string): Promise<ImportJob>;
  close(): Promise<void>;
}

export async function createWorkerHarness(
  options: { limits?: Partial<WorkerLimits>; log?: LogConfig } = {},
): Promise<WorkerHarness> {
  const database = await createTestDatabase({ log: options.log });
  const store = await createTestObjectStore();
  const logs: WorkerHarness["logs"] = [];
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const deps: WorkerDependencies = {
    db: database.db,
    store,
    logger: createLogger("worker-test", "info", capture),
    metrics: createMetrics(),
    limits: { ...DEFAULT_TEST_LIMITS, ...options.limits },
  };
  const submit = async (bytes: Buffer, fileName: string, mode: ImportMode) => {
    const id = randomUUID();
    const stored = await putObject(
      store,
      `inputs/${id}/${fileName}`,
      bytes,
      "application/octet-stream",
    );
    return createImportJob(database.db, {
      id,
      mode,
      file_name: fileName,
      file_size: stored.sizeBytes,
      file_hash: stored.sha256,
      input_key: stored.key,
      created_by: "tester@example.com",
    });
  };
  return {
    deps,
    logs,
    database,
    submit,
    submitFixture: async (name, mode) => submit(await readFixture(name), basename(name), mode),
    report: async (id) => {
      await reportImport(id, deps);
      const job = await findImportJob(database.db, id);
      if (job?.report_status !== "ready")
        throw new Error(`report of ${id}: ${job?.status}, report ${job?.report_status}`);
      return job;
    },
    close: async () => {
      store.client.destroy();
      await database.drop();
    },
  };
}

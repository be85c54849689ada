/**
 * Test-only: a real worker process, as operators start it (`node --require tsx/cjs
 * apps/worker/src/main.ts`), against a worker harness's database and bucket and a
 * queue prefix of the test's own; `env` adds to (or overrides) that.
 */
import { type ChildProcess, type StdioOptions, spawn } from "node:child_process";
import { resolve } from "node:path";
import { TS_NODE_FLAGS, testRedisUrl } from "@catalog/testing";
import type { WorkerHarness } from "./worker-harness";

const root = resolve(__dirname, "../../../..");

export function spawnWorkerProcess(
  harness: WorkerHarness,
  queuePrefix: string,
  env: NodeJS.ProcessEnv,
  stdio: StdioOptions = "ignore",
): ChildProcess {
  return spawn(process.execPath, [...TS_NODE_FLAGS, "apps/worker/src/main.ts"], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: harness.database.url,
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: queuePrefix,
      S3_ENDPOINT: process.env.TEST_S3_ENDPOINT,
      S3_BUCKET: harness.deps.store.bucket,
      WORKER_METRICS_PORT: "0",
      ...env,
    },
    stdio,
  });
}

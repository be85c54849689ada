/**
 * `npm start`'s supervisor (scripts/start.ts) keeps the system up when one of
 * its children dies: a worker killed with SIGKILL is logged and restarted with
 * a new pid, while the API goes on answering; Ctrl-C (SIGTERM) still stops
 * everything. Runs against this test file's own database, a Redis key prefix of
 * its own and free ports (the embedded S3 server in a temp folder).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createTestDatabase,
  freePort,
  type ManagedProcess,
  startNodeProcess,
  type TestDatabase,
  testRedisUrl,
  uniqueQueuePrefix,
  waitForHttp,
} from "@catalog/testing";

jest.setTimeout(180_000);

/** The pids of `parent`'s children whose command line mentions `script`. */
function childPids(parent: number, script: string): number[] {
  let out = "";
  try {
    out = execFileSync("ps", ["-o", "pid=", "--ppid", String(parent)], { encoding: "utf8" });
  } catch {
    return []; // ps exits 1 when there is none
  }
  return out
    .split("\n")
    .map((line) => Number(line.trim()))
    .filter((pid) => pid > 0)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(script);
      } catch {
        return false;
      }
    });
}

describe("npm start's supervisor", () => {
  let database: TestDatabase;
  let supervisor: ManagedProcess;
  let apiUrl: string;
  const folder = mkdtempSync(join(tmpdir(), "catalog-start-"));

  beforeAll(async () => {
    database = await createTestDatabase();
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    supervisor = startNodeProcess("start", "scripts/start.ts", {
      logDir: folder,
      env: {
        DATABASE_URL: database.url,
        REDIS_URL: testRedisUrl(),
        QUEUE_PREFIX: uniqueQueuePrefix(),
        PORT: String(port),
        EMBEDDED_S3_PORT: String(await freePort()),
        EMBEDDED_S3_DIR: join(folder, "s3"),
        WEBHOOK_SECRET_FILE: join(folder, "webhook-secret"),
        WORKERS: "1",
        WORKER_METRICS_BASE_PORT: "0",
        S3_ENDPOINT: "",
      },
    });
    await supervisor.waitForOutput(/Press Ctrl-C to stop/, 120_000);
  });
  afterAll(async () => {
    await supervisor?.stop(30_000);
    await database?.drop();
    await rm(folder, { recursive: true, force: true });
  });

  it("restarts a worker that died, and the API keeps answering", async () => {
    const [worker] = childPids(supervisor.pid, "apps/worker/src/main.ts");
    expect(worker).toBeGreaterThan(0);
    await supervisor.waitForOutput(
      new RegExp(`"pid":${worker},[^\n]*"msg":"Worker started"`),
      60_000,
    );
    process.kill(worker as number, "SIGKILL");

    await supervisor.waitForOutput(
      /worker-1 exited unexpectedly \(code null, signal SIGKILL\); restarting it/,
    );
    const [, restartedPid] = await supervisor.waitForOutput(/worker-1 restarted \(pid (\d+)\)/);
    expect(Number(restartedPid)).not.toBe(worker);
    expect(childPids(supervisor.pid, "apps/worker/src/main.ts")).toEqual([Number(restartedPid)]);
    await waitForHttp(`${apiUrl}/healthz`, 10_000);
    expect(supervisor.exitedUnexpectedly()).toBe(false);
    // The restarted worker comes up and consumes again.
    await supervisor.waitForOutput(
      new RegExp(`"pid":${restartedPid},[^\n]*"msg":"Worker started"`),
      60_000,
    );
  });

  it("still stops everything on SIGTERM", async () => {
    const children = childPids(supervisor.pid, "apps/");
    expect(children).toHaveLength(2); // the API and the worker
    const exit = await supervisor.stop(60_000);
    expect(exit).toEqual({ code: 0, signal: null });
    const alive = children.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
  });
});

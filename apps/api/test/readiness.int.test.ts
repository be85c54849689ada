/**
 * Redis going away and coming back, through a TCP proxy in front of the real
 * Redis: /readyz turns 503 and back to 200 on the API's own (fail-fast
 * producer) connection; meanwhile an upload answers 503 quickly and fails its
 * job with QUEUE_UNAVAILABLE, and a commit request answers 503 and is given back.
 */
import { randomUUID } from "node:crypto";
import { startTcpProxy, type TcpProxy, testRedisUrl } from "@catalog/testing";
import {
  csvBytes,
  insertJob,
  readError,
  readJson,
  startTestApi,
  type TestApi,
  upload,
  uploadForm,
} from "./support/test-api";

interface Readiness {
  status: string;
  checks: Record<"postgres" | "redis" | "s3", string>;
}

describe("readiness and Redis outages", () => {
  let proxy: TcpProxy;
  let api: TestApi;

  beforeAll(async () => {
    const redis = new URL(testRedisUrl());
    proxy = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
    const viaProxy = new URL(testRedisUrl());
    viaProxy.port = String(proxy.port);
    api = await startTestApi({ redisUrl: viaProxy.toString() });
  });
  afterAll(async () => {
    await api.close();
    await proxy.close();
  });

  const readyz = async () => {
    const response = await fetch(`${api.url}/readyz`);
    return { status: response.status, body: await readJson<Readiness>(response) };
  };

  /** Polls /readyz until it answers `status`, for at most `ms`. */
  async function waitForReadyz(status: number, ms: number) {
    const deadline = Date.now() + ms;
    let last = await readyz();
    while (last.status !== status && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      last = await readyz();
    }
    return last;
  }

  it("is ready while Redis answers through the proxy", async () => {
    // The API's Redis connection may still be connecting when the test starts.
    expect(await waitForReadyz(200, 5_000)).toEqual({
      status: 200,
      body: { status: "ok", checks: { postgres: "ok", redis: "ok", s3: "ok" } },
    });
  });

  it("turns 503 when Redis is unreachable; uploads and commits answer 503 without hanging", async () => {
    await proxy.close();
    const down = await waitForReadyz(503, 5_000);
    expect(down.status).toBe(503);
    expect(down.body.status).toBe("unavailable");
    expect(down.body.checks).toMatchObject({ postgres: "ok", s3: "ok" });
    expect(down.body.checks.redis).not.toBe("ok");

    const key = `outage-${randomUUID()}`;
    const started = Date.now();
    const response = await upload(api, uploadForm([["file", csvBytes(500), "outage.csv"]]), {
      headers: { "Idempotency-Key": key },
    });
    expect(response.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect((await readError(response)).code).toBe("UNAVAILABLE");
    const failed = await api.db
      .selectFrom("ops_importjob")
      .selectAll()
      .where("file_name", "=", "outage.csv")
      .execute();
    expect(failed).toMatchObject([
      { status: "failed", failure_code: "QUEUE_UNAVAILABLE", idempotency_key: null },
    ]);

    const validated = await insertJob(api.db, { status: "validated", error_count: 0 });
    const commit = await fetch(`${api.url}/api/admin/import-jobs/${validated.id}/commit/`, {
      method: "POST",
      headers: api.auth("importer"),
    });
    expect(commit.status).toBe(503);
    const after = await api.db
      .selectFrom("ops_importjob")
      .select(["commit_requested_at", "commit_attempts", "status"])
      .where("id", "=", validated.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ commit_requested_at: null, commit_attempts: 0, status: "validated" });

    // Back up: ready again, the same Idempotency-Key makes a new job, the commit is accepted.
    await proxy.reopen();
    const up = await waitForReadyz(200, 15_000);
    expect(up.status).toBe(200);
    const retry = await upload(api, uploadForm([["file", csvBytes(500), "outage.csv"]]), {
      headers: { "Idempotency-Key": key },
    });
    expect(retry.status).toBe(202);
    const retried = await fetch(`${api.url}/api/admin/import-jobs/${validated.id}/commit/`, {
      method: "POST",
      headers: api.auth("importer"),
    });
    expect(retried.status).toBe(202);
  });
});

/**
 * commit, revert and revalidate requests: state checks (409), the error gate
 * (422, job unchanged), and that a commit request is taken once — a second or
 * concurrent request gets 409 and the commit queue holds one job.
 */
import { JOB_COLUMNS } from "@catalog/jobs";
import { createWorkerConnection, QUEUE_NAMES, queueJobId } from "@catalog/queue";
import { putObject } from "@catalog/storage";
import { testRedisUrl } from "@catalog/testing";
import { Worker } from "bullmq";
import { sql } from "kysely";
import {
  csvBytes,
  EMAIL,
  insertJob,
  readError,
  readJob,
  startTestApi,
  type TestApi,
} from "./support/test-api";

const BASE = "/api/admin/import-jobs";

describe("job actions", () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api.close();
  });

  const post = (path: string, body?: unknown, caller: "importer" | "admin" = "importer") =>
    fetch(`${api.url}${BASE}${path}`, {
      method: "POST",
      headers: { ...api.auth(caller), "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const readRow = (id: string) =>
    api.db
      .selectFrom("ops_importjob")
      .select(JOB_COLUMNS)
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
  const commitQueueIds = async () =>
    (await api.queues.commit.getJobs(["waiting", "delayed", "active", "completed", "failed"])).map(
      (job) => job.id,
    );

  describe("commit", () => {
    it.each(["pending", "validating", "running", "success", "partial", "reverted"] as const)(
      "answers 409 on a %s job",
      async (status) => {
        const job = await insertJob(api.db, { status, error_count: 0 });
        const response = await post(`/${job.id}/commit/`, {});
        expect(response.status).toBe(409);
        expect((await readError(response)).code).toBe("INVALID_STATE");
        expect(await readRow(job.id)).toEqual(job);
      },
    );

    it("answers 409 on a failed job that is not retryable", async () => {
      const job = await insertJob(api.db, { status: "failed", retryable: false });
      expect((await post(`/${job.id}/commit/`, {})).status).toBe(409);
    });

    it("answers 422 on a validated job with errors and no allow_partial, leaving it unchanged", async () => {
      const job = await insertJob(api.db, { status: "validated", error_count: 3 });
      for (const body of [undefined, {}, { allow_partial: false }]) {
        const response = await post(`/${job.id}/commit/`, body);
        expect(response.status).toBe(422);
        expect(await readError(response)).toMatchObject({
          code: "UNPROCESSABLE",
          details: { error_count: 3 },
        });
      }
      expect(await readRow(job.id)).toEqual(job);
      expect(await commitQueueIds()).not.toContain(queueJobId("commit", job.id, 1));
    });

    it("accepts a commit with errors when allow_partial is true", async () => {
      const job = await insertJob(api.db, { status: "validated", error_count: 3 });
      const response = await post(`/${job.id}/commit/`, { allow_partial: true });
      expect(response.status).toBe(202);
      expect((await readRow(job.id)).allow_partial).toBe(true);
    });

    it("takes a commit once: 202, then 409, one job in the commit queue", async () => {
      const job = await insertJob(api.db, { status: "validated", error_count: 0 });
      const first = await post(`/${job.id}/commit/`);
      expect(first.status).toBe(202);
      expect((await readJob(first)).id).toBe(job.id);
      const second = await post(`/${job.id}/commit/`, { allow_partial: true });
      expect(second.status).toBe(409);

      const stored = await readRow(job.id);
      expect(stored).toMatchObject({
        status: "validated",
        commit_attempts: 1,
        allow_partial: false,
      });
      expect(stored.commit_requested_at).toBeInstanceOf(Date);
      const ids = (await commitQueueIds()).filter((id) => id?.includes(job.id));
      expect(ids).toEqual([queueJobId("commit", job.id, 1)]);
    });

    it("lets exactly one of many concurrent commit requests through", async () => {
      const job = await insertJob(api.db, { status: "validated", error_count: 0 });
      const responses = await Promise.all(
        Array.from({ length: 8 }, () => post(`/${job.id}/commit/`, {})),
      );
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([202, 409, 409, 409, 409, 409, 409, 409]);
      expect((await readRow(job.id)).commit_attempts).toBe(1);
      expect((await commitQueueIds()).filter((id) => id?.includes(job.id))).toHaveLength(1);
    });

    it("retries a retryable failed commit once per failure, each under a new queue job id", async () => {
      const job = await insertJob(api.db, {
        status: "failed",
        retryable: true,
        error_count: 0,
        failure_code: "COMMIT_TIMEOUT",
        commit_attempts: 1,
        commit_requested_at: new Date(Date.now() - 60_000),
      });
      expect((await post(`/${job.id}/commit/`)).status).toBe(202);
      expect((await post(`/${job.id}/commit/`)).status).toBe(409);
      expect((await readRow(job.id)).commit_attempts).toBe(2);

      // The worker took it and it failed again (a transition sets updated_at = now()).
      await api.db
        .updateTable("ops_importjob")
        .set({ updated_at: sql`now() + interval '1 second'` })
        .where("id", "=", job.id)
        .execute();
      expect((await post(`/${job.id}/commit/`)).status).toBe(202);
      const ids = (await commitQueueIds()).filter((id) => id?.includes(job.id)).sort();
      expect(ids).toEqual([queueJobId("commit", job.id, 2), queueJobId("commit", job.id, 3)]);
    });

    it("renews a stranded commit request: its queue work failed before claiming the job (202, new attempt)", async () => {
      const job = await insertJob(api.db, { status: "validated", error_count: 0 });
      expect((await post(`/${job.id}/commit/`)).status).toBe(202);
      // Fresh and its work queued: a second request is refused.
      expect((await post(`/${job.id}/commit/`)).status).toBe(409);

      // Every attempt of the queued work fails before claiming the job (through BullMQ).
      const connection = createWorkerConnection(testRedisUrl());
      const consumer = new Worker(
        QUEUE_NAMES.commit,
        async () => {
          throw new Error("Postgres unreachable");
        },
        { connection, prefix: api.queues.commit.opts.prefix },
      );
      const first = queueJobId("commit", job.id, 1);
      await new Promise<void>((resolve) =>
        consumer.on("failed", (failed) => {
          if (failed?.id === first && failed.attemptsMade >= (failed.opts.attempts ?? 1)) resolve();
        }),
      );
      await consumer.close();
      connection.disconnect();
      expect(await (await api.queues.commit.getJob(first))?.getState()).toBe("failed");
      await api.db
        .updateTable("ops_importjob")
        .set({ commit_requested_at: sql`now() - interval '10 minutes'` })
        .where("id", "=", job.id)
        .execute();

      const renewed = await post(`/${job.id}/commit/`);
      expect(renewed.status).toBe(202);
      expect(await readRow(job.id)).toMatchObject({ status: "validated", commit_attempts: 2 });
      const second = await api.queues.commit.getJob(queueJobId("commit", job.id, 2));
      expect(await second?.getState()).toBe("waiting");
      // Its work is queued again: one request at a time.
      expect((await post(`/${job.id}/commit/`)).status).toBe(409);
    }, 30_000);

    it("answers 404 for an unknown job", async () => {
      const response = await post("/0b9a4b8e-0c1d-4f7e-8a8e-5d1a2f3b4c5d/commit/", {});
      expect(response.status).toBe(404);
    });
  });

  describe("revert", () => {
    it.each(["pending", "validated", "running", "failed", "reverted"] as const)(
      "answers 409 on a %s job",
      async (status) => {
        const job = await insertJob(api.db, { status });
        const response = await post(`/${job.id}/revert/`, undefined, "admin");
        expect(response.status).toBe(409);
      },
    );

    const revertJobsFor = async (importId: string) =>
      (await api.queues.revert.getJobs(["waiting", "active", "completed", "failed"])).filter(
        (job) => job.data.importId === importId,
      );

    it.each(["success", "partial"] as const)(
      "enqueues the revert of a %s job once",
      async (status) => {
        const job = await insertJob(api.db, { status });
        expect((await post(`/${job.id}/revert/`, undefined, "admin")).status).toBe(202);
        expect((await post(`/${job.id}/revert/`, undefined, "admin")).status).toBe(202);
        const queued = await revertJobsFor(job.id);
        expect(queued.map((entry) => entry.id)).toEqual([queueJobId("revert", job.id)]);
      },
    );

    it("enqueues a revert again once the previous attempt has finished (e.g. after a conflict)", async () => {
      const job = await insertJob(api.db, { status: "success" });
      expect((await post(`/${job.id}/revert/`, undefined, "admin")).status).toBe(202);
      // A stand-in consumer finishes the queued revert (as a refused revert would).
      const connection = createWorkerConnection(testRedisUrl());
      const consumer = new Worker(QUEUE_NAMES.revert, async () => "conflict", {
        connection,
        prefix: api.queues.revert.opts.prefix,
      });
      await new Promise<void>((resolve) =>
        consumer.on("completed", (done) => done.data.importId === job.id && resolve()),
      );
      await consumer.close();
      connection.disconnect();
      expect((await revertJobsFor(job.id)).length).toBe(1);
      expect(await (await revertJobsFor(job.id))[0]?.getState()).toBe("completed");

      expect((await post(`/${job.id}/revert/`, undefined, "admin")).status).toBe(202);
      const again = await revertJobsFor(job.id);
      expect(again).toHaveLength(1);
      expect(await again[0]?.getState()).toBe("waiting");
    });
  });

  describe("revalidate", () => {
    it("makes a new job from the same stored input, once", async () => {
      const source = await insertJob(api.db, {
        status: "failed",
        mode: "smart",
        file_name: "Katalog.csv",
        file_size: 10,
        failure_code: "SNAPSHOT_STALE",
      });
      await putObject(api.store, source.input_key, csvBytes(10), "text/csv");

      const response = await fetch(`${api.url}${BASE}/${source.id}/revalidate/`, {
        method: "POST",
        headers: api.auth("admin"),
      });
      expect(response.status).toBe(202);
      const body = await readJob(response);
      expect(body.id).not.toBe(source.id);
      expect(body).toMatchObject({
        status: "pending",
        mode: "smart",
        file_name: "Katalog.csv",
        file_hash: source.file_hash.trim(),
        revalidated_from: source.id,
        created_by: EMAIL.admin,
      });
      expect((await readRow(body.id)).input_key).toBe(source.input_key);
      expect(await api.queues.validate.getJob(queueJobId("validate", body.id))).toBeDefined();

      const again = await post(`/${source.id}/revalidate/`);
      expect(again.status).toBe(200);
      expect((await readJob(again)).id).toBe(body.id);
    });

    it("answers 409 while the job is in progress and when its input is gone", async () => {
      const busy = await insertJob(api.db, { status: "validating" });
      await putObject(api.store, busy.input_key, csvBytes(10), "text/csv");
      expect((await post(`/${busy.id}/revalidate/`)).status).toBe(409);
      const orphan = await insertJob(api.db, { status: "failed" });
      expect((await post(`/${orphan.id}/revalidate/`)).status).toBe(409);
    });
  });
});

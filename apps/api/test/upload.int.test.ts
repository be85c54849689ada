/**
 * The upload route against the real Postgres, Redis and S3 server: the size
 * limit (413) and file sniffing (415) leave nothing behind, fields in either
 * order, and idempotency by file hash and by Idempotency-Key.
 */
import { createHash, randomUUID } from "node:crypto";
import { QUEUE_NAMES, queueJobId } from "@catalog/queue";
import { getObjectBuffer } from "@catalog/storage";
import { sql } from "kysely";
import pg from "pg";
import {
  countJobs,
  csvBytes,
  EMAIL,
  listKeys,
  readError,
  readJob,
  startTestApi,
  type TestApi,
  upload,
  uploadForm,
} from "./support/test-api";

const LIMIT = 64 * 1024;
/** The 8-byte PNG signature, then the start of an IHDR chunk. */
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from("0000000d49484452000000010000000108060000001f15c489", "hex"),
]);

describe("POST /api/admin/import-jobs/validate/", () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi({ maxFileBytes: LIMIT });
  });
  afterAll(async () => {
    await api.close();
  });

  /** Runs `act` and checks it stored no object and made no job. */
  async function expectNothingLeft(act: () => Promise<void>): Promise<void> {
    const keysBefore = await listKeys(api.store);
    const jobsBefore = await countJobs(api.db);
    await act();
    expect(await listKeys(api.store)).toEqual(keysBefore);
    expect(await countJobs(api.db)).toBe(jobsBefore);
  }

  it("accepts a file of exactly MAX_FILE_BYTES: 202, stored as streamed, job and media recorded", async () => {
    const bytes = csvBytes(LIMIT);
    const response = await upload(api, uploadForm([["file", bytes, "catalog.csv"]]));
    expect(response.status).toBe(202);
    const job = await readJob(response);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    expect(job).toMatchObject({
      status: "pending",
      mode: "strict",
      file_name: "catalog.csv",
      file_size: LIMIT,
      file_hash: sha256,
      created_by: EMAIL.importer,
    });
    expect(response.headers.get("location")).toBe(job.links.self);

    const row = await api.db
      .selectFrom("ops_importjob")
      .selectAll()
      .where("id", "=", job.id)
      .executeTakeFirstOrThrow();
    expect(row.input_key).toBe(`inputs/${job.id}/catalog.csv`);
    expect((await getObjectBuffer(api.store, row.input_key)).equals(bytes)).toBe(true);
    const media = await api.db
      .selectFrom("catalog_media")
      .selectAll()
      .where("job_id", "=", job.id)
      .execute();
    expect(media).toMatchObject([
      {
        kind: "input",
        object_key: row.input_key,
        size_bytes: LIMIT,
        sha256,
        content_type: "text/csv",
      },
    ]);
    const queued = await api.queues.validate.getJob(queueJobId("validate", job.id));
    // The job's id and the id of the request that created it (for the worker's logs), nothing else.
    expect(queued?.data).toEqual({ importId: job.id, requestId: row.request_id });
    expect(row.request_id).toBe(response.headers.get("x-request-id"));
    expect(api.queues.validate.name).toBe(QUEUE_NAMES.validate);
  });

  it("refuses a file one byte over the limit with 413, leaving no object and no job", async () => {
    await expectNothingLeft(async () => {
      const response = await upload(api, uploadForm([["file", csvBytes(LIMIT + 1), "big.csv"]]));
      expect(response.status).toBe(413);
      expect(await readError(response)).toMatchObject({ code: "FILE_TOO_LARGE" });
    });
  });

  it("refuses a file far over the limit with 413 while it streams (mode after the file)", async () => {
    await expectNothingLeft(async () => {
      const response = await upload(
        api,
        uploadForm([
          ["file", csvBytes(40 * LIMIT), "huge.csv"],
          ["mode", "smart"],
        ]),
      );
      expect(response.status).toBe(413);
      expect((await readError(response)).code).toBe("FILE_TOO_LARGE");
    });
  });

  it.each(["x.xlsx", "x.png"])(
    "refuses a PNG named %s with 415 and stores nothing",
    async (name) => {
      await expectNothingLeft(async () => {
        const response = await upload(api, uploadForm([["file", PNG, name]]));
        expect(response.status).toBe(415);
        expect((await readError(response)).code).toBe("UNSUPPORTED_MEDIA_TYPE");
      });
    },
  );

  it("takes mode before or after the file", async () => {
    const before = await upload(
      api,
      uploadForm([
        ["mode", "smart"],
        ["file", csvBytes(100), "a.csv"],
      ]),
    );
    const after = await upload(
      api,
      uploadForm([
        ["file", csvBytes(100), "b.csv"],
        ["mode", "smart"],
      ]),
    );
    expect([before.status, after.status]).toEqual([202, 202]);
    expect((await readJob(before)).mode).toBe("smart");
    expect((await readJob(after)).mode).toBe("smart");
  });

  it("refuses a bad mode with 400 whether it comes before or after the file, keeping nothing", async () => {
    await expectNothingLeft(async () => {
      for (const parts of [
        [
          ["mode", "lenient"],
          ["file", csvBytes(100), "a.csv"],
        ],
        [
          ["file", csvBytes(100), "a.csv"],
          ["mode", "lenient"],
        ],
      ] as Parameters<typeof uploadForm>[0][]) {
        const response = await upload(api, uploadForm(parts));
        expect(response.status).toBe(400);
        expect((await readError(response)).code).toBe("BAD_REQUEST");
      }
    });
  });

  it("refuses a body without a file, a non-multipart body and an unexpected field with 400", async () => {
    await expectNothingLeft(async () => {
      const noFile = await upload(api, uploadForm([["mode", "strict"]]));
      const extra = await upload(
        api,
        uploadForm([
          ["file", csvBytes(100), "a.csv"],
          ["color", "blue"],
        ]),
      );
      const notMultipart = await fetch(`${api.url}/api/admin/import-jobs/validate/`, {
        method: "POST",
        headers: { ...api.auth("importer"), "content-type": "text/csv" },
        body: csvBytes(100),
      });
      for (const response of [noFile, extra, notMultipart]) {
        expect(response.status).toBe(400);
        expect((await readError(response)).code).toBe("BAD_REQUEST");
      }
    });
  });

  it("names the object by a safe form of the base name and keeps the client's name on the job", async () => {
    const response = await upload(
      api,
      uploadForm([["file", csvBytes(100), "../../Ürün listesi?.csv"]]),
    );
    expect(response.status).toBe(202);
    const job = await readJob(response);
    expect(job.file_name).toBe("Ürün listesi?.csv");
    expect(await listKeys(api.store, `inputs/${job.id}/`)).toEqual([
      `inputs/${job.id}/_r_n_listesi_.csv`,
    ]);
  });

  it("answers a second upload of the same bytes and mode with the first job (200), keeping one object", async () => {
    const bytes = csvBytes(1000);
    const first = await upload(api, uploadForm([["file", bytes, "same.csv"]]));
    const second = await upload(api, uploadForm([["file", bytes, "same-again.csv"]]));
    expect([first.status, second.status]).toEqual([202, 200]);
    const job = await readJob(first);
    expect((await readJob(second)).id).toBe(job.id);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const jobs = await api.db
      .selectFrom("ops_importjob")
      .select("id")
      .where("file_hash", "=", sha256)
      .execute();
    expect(jobs).toEqual([{ id: job.id }]);
    const inputs = (await listKeys(api.store, "inputs/")).filter((key) => key.includes("same"));
    expect(inputs).toEqual([`inputs/${job.id}/same.csv`]);
  });

  it("makes a new job for the same bytes in another mode", async () => {
    const bytes = csvBytes(1000);
    const strict = await upload(api, uploadForm([["file", bytes, "m.csv"]]));
    const smart = await upload(
      api,
      uploadForm([
        ["mode", "smart"],
        ["file", bytes, "m.csv"],
      ]),
    );
    expect([strict.status, smart.status]).toEqual([202, 202]);
    expect((await readJob(smart)).id).not.toBe((await readJob(strict)).id);
  });

  it("makes one job of identical uploads that race to insert it", async () => {
    // Hold inserts into ops_importjob (SHARE conflicts with an INSERT's ROW EXCLUSIVE,
    // not with SELECTs) until all three uploads have checked for an existing job and
    // are waiting: without the API's own lock each would then insert a job of its own.
    const blocker = new pg.Client({ connectionString: api.databaseUrl });
    await blocker.connect();
    await blocker.query("BEGIN");
    await blocker.query("LOCK TABLE ops_importjob IN SHARE MODE");
    const bytes = csvBytes(5000);
    const pending = [1, 2, 3].map(() => upload(api, uploadForm([["file", bytes, "race.csv"]])));
    // Polled from another connection: pg_stat_activity is a snapshot per transaction.
    const deadline = Date.now() + 10_000;
    for (let waiting = 0; waiting < 3; ) {
      if (Date.now() > deadline) throw new Error("The uploads never reached the insert");
      await new Promise((resolve) => setTimeout(resolve, 20));
      const { rows } = await sql<{ waiting: number }>`
        SELECT count(*)::int AS waiting FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(api.db);
      waiting = rows[0]?.waiting ?? 0;
    }
    await blocker.query("COMMIT");
    await blocker.end();

    const responses = await Promise.all(pending);
    expect(responses.map((response) => response.status).sort()).toEqual([200, 200, 202]);
    const ids = new Set(await Promise.all(responses.map(async (r) => (await readJob(r)).id)));
    expect(ids.size).toBe(1);
    const inputs = (await listKeys(api.store, "inputs/")).filter((key) => key.endsWith("race.csv"));
    expect(inputs).toHaveLength(1);
  });

  describe("Idempotency-Key (IETF draft httpapi-idempotency-key-header)", () => {
    const keyed = (key: string, parts: Parameters<typeof uploadForm>[0], caller?: "admin") =>
      upload(api, uploadForm(parts), { caller, headers: { "Idempotency-Key": key } });

    it("replays the first job for a repeat of the same request, quoted or bare", async () => {
      const key = `replay-${randomUUID()}`;
      const bytes = csvBytes(300);
      const first = await keyed(key, [["file", bytes, "k1.csv"]]);
      const again = await keyed(`"${key}"`, [["file", bytes, "k1.csv"]]);
      expect([first.status, again.status]).toEqual([202, 200]);
      const job = await readJob(first);
      expect((await readJob(again)).id).toBe(job.id);
      // Keys are per caller: the same key from another user is a new upload.
      const other = await keyed(key, [["file", csvBytes(300), "k3.csv"]], "admin");
      expect(other.status).toBe(202);
    });

    type Parts = Parameters<typeof uploadForm>[0];
    it.each([
      ["other bytes", (seed: string): Parts => [["file", csvBytes(300, `${seed}-x`), "k.csv"]]],
      [
        "another mode",
        (seed: string): Parts => [
          ["mode", "smart"],
          ["file", csvBytes(300, seed), "k.csv"],
        ],
      ],
      ["another file name", (seed: string): Parts => [["file", csvBytes(300, seed), "r.csv"]]],
      [
        "a callback_url",
        (seed: string): Parts => [
          ["callback_url", "https://example.com/hook"],
          ["file", csvBytes(300, seed), "k.csv"],
        ],
      ],
    ])("answers 422 to the same key with %s, makes no job and keeps no copy", async (_, parts) => {
      const key = `reuse-${randomUUID()}`;
      const seed = randomUUID();
      const first = await keyed(key, [["file", csvBytes(300, seed), "k.csv"]]);
      expect(first.status).toBe(202);
      const job = await readJob(first);
      await expectNothingLeft(async () => {
        const second = await keyed(key, parts(seed));
        expect(second.status).toBe(422);
        const error = await readError(second);
        expect(error.code).toBe("IDEMPOTENCY_KEY_REUSED");
        expect(error.details).toMatchObject({ idempotency_key: key, job_id: job.id });
      });
    });

    it("remembers a key for IDEMPOTENCY_KEY_TTL_HOURS, then a new request with it makes a new job", async () => {
      const key = `expiry-${randomUUID()}`;
      const first = await keyed(key, [["file", csvBytes(300), "e1.csv"]]);
      const job = await readJob(first);
      const record = await api.db
        .selectFrom("ops_idempotency_key")
        .select(sql<number>`extract(epoch from expires_at - created_at)::float8`.as("ttl_s"))
        .where("key", "=", key)
        .executeTakeFirstOrThrow();
      expect(record.ttl_s).toBeCloseTo(24 * 3600, 3);
      const reused = await keyed(key, [["file", csvBytes(300), "e2.csv"]]);
      expect(reused.status).toBe(422);
      expect((await readError(reused)).details).toMatchObject({ job_id: job.id });
    });
  });

  describe("Idempotency-Key expiry with a short TTL", () => {
    let shortLived: TestApi;
    beforeAll(async () => {
      // 1.5 s: the key really expires while the test waits.
      shortLived = await startTestApi({ idempotencyKeyTtlHours: 1.5 / 3600 });
    });
    afterAll(async () => {
      await shortLived.close();
    });

    it("accepts the key again for another request once it has expired", async () => {
      const key = `short-${randomUUID()}`;
      const send = (bytes: Buffer, name: string) =>
        upload(shortLived, uploadForm([["file", bytes, name]]), {
          headers: { "Idempotency-Key": key },
        });
      const first = await send(csvBytes(300), "s1.csv");
      expect(first.status).toBe(202);
      expect((await send(csvBytes(300), "s2.csv")).status).toBe(422);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const later = await send(csvBytes(300), "s3.csv");
      expect(later.status).toBe(202);
      const [firstJob, laterJob] = [await readJob(first), await readJob(later)];
      expect(laterJob.id).not.toBe(firstJob.id);
      const record = await shortLived.db
        .selectFrom("ops_idempotency_key")
        .select("job_id")
        .where("key", "=", key)
        .executeTakeFirstOrThrow();
      expect(record.job_id).toBe(laterJob.id);
    });
  });

  describe("callback_url", () => {
    it.each([
      ["before the file", "http://10.0.0.5/hook"],
      ["before the file", "http://example.com/hook"],
      ["before the file", "ftp://127.0.0.1/hook"],
      ["before the file", "not a url"],
      ["before the file", "https://user:secret@example.com/hook"],
      ["after the file", "http://169.254.169.254/latest/meta-data"],
    ])(
      "refuses %s %s with 400 INVALID_CALLBACK_URL: no job, nothing stored",
      async (where, url) => {
        await expectNothingLeft(async () => {
          const file: ["file", Buffer, string] = ["file", csvBytes(300), "cb.csv"];
          const field: [string, string] = ["callback_url", url];
          const response = await upload(
            api,
            uploadForm(where === "before the file" ? [field, file] : [file, field]),
          );
          expect(response.status).toBe(400);
          expect((await readError(response)).code).toBe("INVALID_CALLBACK_URL");
        });
      },
    );

    it.each(["https://hooks.example.com/catalog", "http://127.0.0.1:9/hook", "http://localhost/x"])(
      "accepts %s and records it on the job",
      async (url) => {
        const response = await upload(
          api,
          uploadForm([
            ["file", csvBytes(300), "ok.csv"],
            ["callback_url", url],
          ]),
        );
        expect(response.status).toBe(202);
        const stored = await api.db
          .selectFrom("ops_importjob")
          .select("callback_url")
          .where("id", "=", (await readJob(response)).id)
          .executeTakeFirstOrThrow();
        expect(stored.callback_url).toBe(new URL(url).toString());
      },
    );
  });

  it("refuses a malformed Idempotency-Key with 400", async () => {
    const response = await upload(api, uploadForm([["file", csvBytes(300), "k.csv"]]), {
      headers: { "Idempotency-Key": "x".repeat(256) },
    });
    expect(response.status).toBe(400);
  });
});

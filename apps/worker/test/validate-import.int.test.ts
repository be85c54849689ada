import { createHash, randomUUID } from "node:crypto";
import { deflateRawSync } from "node:zlib";
import { decodeSnapshot } from "@catalog/core";
import { findImportJob, findJobReportJson } from "@catalog/jobs";
import {
  createProducerConnection,
  createWorkerConnection,
  QUEUE_NAMES,
  queueJobId,
} from "@catalog/queue";
import { getObjectBuffer } from "@catalog/storage";
import { readFixture, readFixtureJson, testRedisUrl, uniqueQueuePrefix } from "@catalog/testing";
import { Queue } from "bullmq";
import { validateImport } from "../src/handlers/validate-import";
import { startImportWorkers } from "../src/import-workers";
import { expectedView, toExpectedShape } from "./support/expected-view";
import { createWorkerHarness, type WorkerHarness } from "./support/worker-harness";

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** A minimal zip holding one stored-as-deflate entry: `name` with `content`. */
function zipWith(entries: { name: string; content: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, content } of entries) {
    const data = deflateRawSync(content);
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(0, 14); // crc left 0: a bomb need not be valid past its sizes
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(content.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(content.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const centralBytes = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralBytes, end]);
}

describe("validate job", () => {
  let harness: WorkerHarness;
  beforeAll(async () => {
    harness = await createWorkerHarness();
  });
  afterAll(() => harness.close());

  it("reproduces 01_base.expected.json against an empty catalog", async () => {
    const job = await harness.submitFixture("01_base.xlsx", "smart");
    const done = await validateImport(job.id, harness.deps);
    expect(done?.status).toBe("validated");
    const snapshot = decodeSnapshot(
      await getObjectBuffer(harness.deps.store, done?.snapshot_key ?? ""),
    );
    const expected = readFixtureJson<Record<string, unknown>>("01_base.expected.json");
    expect(toExpectedShape(await findJobReportJson(harness.deps.db, job.id), snapshot)).toEqual(
      expectedView(expected),
    );
  });

  it("fails 06_missing_column.csv with MISSING_COLUMN naming model_code", async () => {
    const job = await harness.submitFixture("06_missing_column.csv", "strict");
    const done = await validateImport(job.id, harness.deps);
    expect(done).toMatchObject({
      status: "failed",
      failure_code: "MISSING_COLUMN",
      snapshot_key: null,
    });
    expect(done?.failure_details).toMatchObject({ missing: ["model_code"] });
  });

  it("records the stored snapshot's SHA-256, and the plan is byte-identical across two validations", async () => {
    const first = await validateImport(
      (await harness.submitFixture("01_base.xlsx", "smart")).id,
      harness.deps,
    );
    const second = await validateImport(
      (await harness.submitFixture("01_base.xlsx", "smart")).id,
      harness.deps,
    );
    const bytes = await Promise.all(
      [first, second].map((job) => getObjectBuffer(harness.deps.store, job?.snapshot_key ?? "")),
    );
    expect(first?.snapshot_hash).toBe(sha256(bytes[0] as Buffer));
    expect(second?.snapshot_hash).toBe(sha256(bytes[1] as Buffer));
    const media = await harness.deps.db
      .selectFrom("catalog_media")
      .selectAll()
      .where("object_key", "=", first?.snapshot_key ?? "")
      .executeTakeFirstOrThrow();
    expect(media).toMatchObject({
      filename: `import_snapshot_${first?.id}.json`,
      kind: "snapshot",
      size_bytes: (bytes[0] as Buffer).length,
      sha256: first?.snapshot_hash,
    });
    const plans = bytes.map((b) => JSON.stringify(decodeSnapshot(b).plan));
    expect(plans[0]).toBe(plans[1]);
  });

  it("fails a validation that runs past VALIDATION_TIMEOUT_S with VALIDATION_TIMEOUT, logging the runbook line", async () => {
    const job = await harness.submitFixture("01_base.xlsx", "smart");
    const slow = { ...harness.deps, limits: { ...harness.deps.limits, validationTimeoutMs: 1 } };
    const done = await validateImport(job.id, slow);
    expect(done).toMatchObject({
      status: "failed",
      failure_code: "VALIDATION_TIMEOUT",
      snapshot_key: null,
    });
    expect(
      harness.logs.some(
        (l) => l.msg === "[VALIDATE] Fatal error during validation" && l.job_id === job.id,
      ),
    ).toBe(true);
  });

  it("does nothing when the same job is delivered again after it was validated", async () => {
    const job = await harness.submitFixture("02_update.csv", "strict");
    const done = await validateImport(job.id, harness.deps);
    expect(done?.status).toBe("validated");
    expect(await validateImport(job.id, harness.deps)).toBeUndefined();
    expect((await findImportJob(harness.deps.db, job.id))?.validated_at).toEqual(
      done?.validated_at,
    );
  });
});

describe("validate job on bad files, through a real queue worker", () => {
  let harness: WorkerHarness;
  const prefix = uniqueQueuePrefix();
  const producer = createProducerConnection(testRedisUrl());
  const consumer = createWorkerConnection(testRedisUrl());
  const queue = new Queue(QUEUE_NAMES.validate, { connection: producer, prefix });

  beforeAll(async () => {
    harness = await createWorkerHarness({ limits: { maxUncompressedBytes: 20 * 1024 * 1024 } });
  });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    producer.disconnect();
    consumer.disconnect();
    await harness.close();
  });

  async function waitForFinalStatus(id: string) {
    for (let i = 0; i < 200; i++) {
      const job = await findImportJob(harness.deps.db, id);
      if (job && !["pending", "validating"].includes(job.status)) return job;
      await new Promise((done) => setTimeout(done, 100));
    }
    throw new Error(`job ${id} did not finish`);
  }

  it("fails each with its code, and the worker keeps serving the next job", async () => {
    const base = await readFixture("01_base.xlsx");
    const png = Buffer.concat([
      Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"),
      Buffer.alloc(64),
    ]);
    const cases: { name: string; bytes: Buffer; code: string | null }[] = [
      {
        name: "proto.csv",
        bytes: Buffer.from("__proto__,category,title_en,model_code\nx,Ocaklar,Gas Range,GKO-1\n"),
        code: null,
      },
      {
        name: "bomb.xlsx",
        bytes: zipWith([
          { name: "[Content_Types].xml", content: Buffer.from("<Types/>") },
          { name: "xl/worksheets/sheet1.xml", content: Buffer.alloc(200 * 1024 * 1024) },
        ]),
        code: "UNCOMPRESSED_SIZE_EXCEEDED",
      },
      {
        name: "truncated.xlsx",
        bytes: base.subarray(0, Math.floor(base.length / 2)),
        code: "UNSUPPORTED_FILE",
      },
      { name: "picture.xlsx", bytes: png, code: "UNSUPPORTED_FILE" },
      { name: "empty.csv", bytes: Buffer.alloc(0), code: "UNSUPPORTED_FILE" },
      { name: "next.csv", bytes: await readFixture("02_update.csv"), code: null },
    ];
    const jobs = [];
    for (const c of cases) jobs.push(await harness.submit(c.bytes, c.name, "smart"));

    const workers = startImportWorkers({ validate: validateImport }, harness.deps, {
      connection: consumer,
      prefix,
      concurrency: { validate: 1 },
    });
    try {
      for (const job of jobs)
        await queue.add(
          "validate",
          { importId: job.id },
          { jobId: queueJobId("validate", job.id) },
        );
      const results = [];
      for (const job of jobs) results.push(await waitForFinalStatus(job.id));
      expect(results.map((r) => [r.file_name, r.status, r.failure_code])).toEqual(
        cases.map((c) => [c.name, c.code ? "failed" : "validated", c.code]),
      );
      // The __proto__ header is only an unknown column.
      const proto = (await findJobReportJson(harness.deps.db, results[0]?.id ?? "")) as {
        issues: { code: string; column: string }[];
      };
      expect(proto.issues).toContainEqual(
        expect.objectContaining({ code: "UNKNOWN_COLUMN", column: "__proto__" }),
      );
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
  });

  it("ignores an unknown job id without failing the queue job", async () => {
    await expect(validateImport(randomUUID(), harness.deps)).resolves.toBeUndefined();
  });
});

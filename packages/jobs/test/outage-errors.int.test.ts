/**
 * The retry policy rests on telling outages apart from answers. These are the
 * real errors of real outages, each classified: Postgres ending sessions, S3
 * refusing connections or accepting them and never answering (the client's
 * socket timeout), Redis unreachable; and real answers and bugs, which are not
 * outages.
 */
import { createServer, type Server, type Socket } from "node:net";
import { SnapshotFormatError } from "@catalog/core";
import { createDb } from "@catalog/db";
import { classifyError, UnrecoverableJobError } from "@catalog/jobs";
import { createProducerConnection } from "@catalog/queue";
import {
  createS3Client,
  getObjectBuffer,
  ObjectNotFoundError,
  type ObjectStore,
  putObject,
  StorageUnavailableError,
} from "@catalog/storage";
import {
  createTestDatabase,
  freePort,
  createTestObjectStore,
  type TestDatabase,
  terminateBackends,
} from "@catalog/testing";
import { sql } from "kysely";

/** A TCP server that accepts connections and never answers (a frozen process). */
async function startBlackHole(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  return {
    port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => server.close(done));
    },
  };
}

const storeAt = (endpoint: string, bucket: string): ObjectStore => ({
  client: createS3Client({
    endpoint,
    region: "us-east-1",
    bucket,
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    connectTimeoutMs: 500,
    socketTimeoutMs: 500,
    requestTimeoutMs: 2_000,
    maxAttempts: 1,
  }),
  bucket,
});

async function caught(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error("expected the work to fail");
}

describe("classifying the errors of real outages", () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it("a Postgres session ended by the server (57P01, then 'Connection terminated') is DATABASE_UNAVAILABLE", async () => {
    const db = createDb({
      url: database.url,
      poolSize: 1,
      applicationName: "classify-test",
      onConnectionError: () => undefined,
    });
    try {
      const during = await caught(() =>
        Promise.all([
          sql`SELECT pg_sleep(5)`.execute(db),
          new Promise((r) => setTimeout(r, 300)).then(() =>
            terminateBackends(database.name, { applicationName: "classify-test" }),
          ),
        ]),
      );
      expect((during as { code?: string }).code).toBe("57P01");
      expect(classifyError(during)).toEqual({ kind: "transient", code: "DATABASE_UNAVAILABLE" });

      const inTransaction = await caught(() =>
        db.transaction().execute(async (trx) => {
          await sql`SELECT 1`.execute(trx);
          await terminateBackends(database.name, { applicationName: "classify-test" });
          await new Promise((r) => setTimeout(r, 200));
          await sql`SELECT 1`.execute(trx);
        }),
      );
      expect(classifyError(inTransaction)).toEqual({
        kind: "transient",
        code: "DATABASE_UNAVAILABLE",
      });
    } finally {
      await db.destroy();
    }
  });

  it("a Postgres that refuses connections is DATABASE_UNAVAILABLE; a SQL error is not an outage", async () => {
    const url = new URL(database.url);
    url.port = String(await freePort());
    const db = createDb({ url: url.toString(), poolSize: 1 });
    try {
      const refused = await caught(() => sql`SELECT 1`.execute(db));
      expect(classifyError(refused)).toEqual({ kind: "transient", code: "DATABASE_UNAVAILABLE" });
    } finally {
      await db.destroy();
    }
    const syntax = await caught(() => sql`SELEC 1`.execute(database.db));
    expect(classifyError(syntax)).toEqual({ kind: "unexpected" });
  });

  it("S3 refusing connections, or accepting them and never answering, is STORAGE_UNAVAILABLE within its timeouts", async () => {
    const refused = storeAt(`http://127.0.0.1:${await freePort()}`, "any-bucket");
    const refusal = await caught(() => putObject(refused, "k", Buffer.from("x"), "text/plain"));
    expect(refusal).toBeInstanceOf(StorageUnavailableError);
    expect(classifyError(refusal)).toEqual({ kind: "transient", code: "STORAGE_UNAVAILABLE" });
    refused.client.destroy();

    const hole = await startBlackHole();
    const hung = storeAt(`http://127.0.0.1:${hole.port}`, "any-bucket");
    try {
      const started = Date.now();
      const put = await caught(() => putObject(hung, "k", Buffer.from("x"), "text/plain"));
      const get = await caught(() => getObjectBuffer(hung, "k"));
      // Two requests, each ended by the 500 ms socket timeout, not by a hang.
      expect(Date.now() - started).toBeLessThan(10_000);
      for (const error of [put, get]) {
        expect(error).toBeInstanceOf(StorageUnavailableError);
        expect(classifyError(error)).toEqual({ kind: "transient", code: "STORAGE_UNAVAILABLE" });
      }
    } finally {
      hung.client.destroy();
      await hole.close();
    }
  });

  it("an S3 answer (no such key) is not an outage", async () => {
    const store = await createTestObjectStore();
    try {
      const missing = await caught(() => getObjectBuffer(store, "no/such/key"));
      expect(missing).toBeInstanceOf(ObjectNotFoundError);
      expect(classifyError(missing)).toEqual({ kind: "unexpected" });
    } finally {
      store.client.destroy();
    }
  });

  it("Redis unreachable is QUEUE_UNAVAILABLE", async () => {
    const redis = createProducerConnection(`redis://127.0.0.1:${await freePort()}`, {
      onError: () => undefined,
    });
    try {
      const error = await caught(() => redis.ping());
      expect(classifyError(error)).toEqual({ kind: "transient", code: "QUEUE_UNAVAILABLE" });
    } finally {
      redis.disconnect();
    }
  });

  it("work that can never succeed is unrecoverable with its code; a plain bug is unexpected", () => {
    const malformed = new UnrecoverableJobError("SNAPSHOT_INVALID", "not a snapshot", { at: "x" });
    expect(classifyError(malformed)).toEqual({
      kind: "unrecoverable",
      code: "SNAPSHOT_INVALID",
      details: { at: "x" },
    });
    expect(classifyError(new SnapshotFormatError("bad"))).toEqual({ kind: "unexpected" });
    expect(classifyError(new TypeError("x is undefined"))).toEqual({ kind: "unexpected" });
  });
});

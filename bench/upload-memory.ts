/**
 * Upload memory benchmark: the API must stream uploads to S3, never hold a
 * whole file. Starts the real API process (`node --require tsx/cjs apps/api/src/main.ts`)
 * against an embedded S3 server and a throwaway database it creates, migrates
 * and drops, uploads a generated 10 MB CSV over HTTP with a streaming body, and
 * samples the API process's RSS (VmRSS in /proc/<pid>/status) before and during
 * the upload. Budget: the peak is less than 30 MB above the baseline.
 *
 * Run: `npx tsx bench/upload-memory.ts` (needs the local Postgres and Redis).
 * Env: DATABASE_URL (server to create the throwaway database on), REDIS_URL,
 * UPLOAD_MB (default 10).
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApiToken } from "@catalog/auth";
import { createDb, ensureDatabase, migrateToLatest } from "@catalog/db";
import { TS_NODE_FLAGS } from "@catalog/testing";
import { closeImportQueues, createImportQueues } from "@catalog/jobs";
import { createProducerConnection } from "@catalog/queue";
import { startEmbeddedS3Server } from "@catalog/storage";
import pg from "pg";

const UPLOAD_BYTES = Number(process.env.UPLOAD_MB ?? 10) * 1024 * 1024;
/** The budget is for the default 10 MB upload; other sizes only print their figures. */
const BUDGET_BYTES = 30 * 1024 * 1024;
const CHECK_BUDGET = UPLOAD_BYTES === 10 * 1024 * 1024;
const SERVER_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const ROOT = join(__dirname, "..");

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The process's resident set size in bytes. */
function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (!kb) throw new Error(`No VmRSS for ${pid}`);
  return Number(kb) * 1024;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A CSV of `size` bytes, produced in 64 KiB chunks as the request asks for them. */
function* csvChunks(size: number): Generator<Buffer> {
  const line = Buffer.from("VAR-000001,product-slug-000001,Kategori,Seri,Marka,1999.90,120x60\n");
  const chunk = Buffer.alloc(64 * 1024, line);
  chunk.write("model_code,product_slug,category,series,brand,price,dimensions\n", 0);
  let sent = 0;
  while (sent < size) {
    const piece = chunk.subarray(0, Math.min(chunk.length, size - sent));
    sent += piece.length;
    yield piece;
  }
}

/** POSTs a multipart upload whose file part is written chunk by chunk (never built in memory). */
function streamingUpload(
  url: string,
  token: string,
  size: number,
): Promise<{ status: number; body: string }> {
  const boundary = `bench${randomBytes(8).toString("hex")}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="mode"\r\n\r\nstrict\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.csv"\r\n` +
      "Content-Type: text/csv\r\n\r\n",
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/api/admin/import-jobs/validate/`,
      {
        method: "POST",
        headers: {
          Authorization: `Bearer ${token}`,
          "Content-Type": `multipart/form-data; boundary=${boundary}`,
          "Content-Length": head.length + size + tail.length,
        },
      },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (text) => {
          body += text;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    const chunks = csvChunks(size);
    const writeMore = () => {
      for (;;) {
        const next = chunks.next();
        if (next.done) {
          req.end(tail);
          return;
        }
        if (!req.write(next.value)) {
          req.once("drain", writeMore);
          return;
        }
      }
    };
    req.write(head);
    writeMore();
  });
}

async function main(): Promise<void> {
  const runId = randomBytes(4).toString("hex");
  const database = `bench_upload_${runId}`;
  const databaseUrl = new URL(SERVER_URL);
  databaseUrl.pathname = `/${database}`;
  const bucket = "bench-uploads";
  const queuePrefix = `{bench-${runId}}`;
  const s3Directory = mkdtempSync(join(tmpdir(), "bench-s3-"));

  const s3 = await startEmbeddedS3Server({ port: 0, directory: s3Directory, buckets: [bucket] });
  await ensureDatabase(databaseUrl.toString());
  const db = createDb({ url: databaseUrl.toString(), poolSize: 2 });
  await migrateToLatest(db);
  const { token } = await createApiToken(db, "bench@example.com", "importer");

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const api = spawn(process.execPath, [...TS_NODE_FLAGS, "apps/api/src/main.ts"], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl.toString(),
      REDIS_URL,
      QUEUE_PREFIX: queuePrefix,
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: bucket,
      PORT: String(port),
      HOST: "127.0.0.1",
      MAX_FILE_BYTES: String(UPLOAD_BYTES + 1024 * 1024),
      LOG_LEVEL: "warn",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
  });
  const pid = api.pid;
  if (!pid) throw new Error("API process did not start");

  try {
    for (let tries = 0; ; tries++) {
      const ok = await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (tries > 150) throw new Error("API did not become healthy");
      await sleep(100);
    }
    // Warm-up: load every module on the upload path (busboy, the S3 SDK) before measuring.
    const warm = await streamingUpload(url, token, 200_000);
    if (warm.status !== 202)
      throw new Error(`Warm-up upload answered ${warm.status}: ${warm.body}`);
    await sleep(1_000);

    let baseline = 0;
    for (let i = 0; i < 20; i++) {
      baseline = Math.max(baseline, rssOf(pid));
      await sleep(25);
    }
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssOf(pid));
    }, 5);
    const started = Date.now();
    const result = await streamingUpload(url, token, UPLOAD_BYTES);
    const seconds = (Date.now() - started) / 1000;
    await sleep(200);
    clearInterval(sampler);
    peak = Math.max(peak, rssOf(pid));

    const job = JSON.parse(result.body) as { id?: string; file_size?: number };
    const growth = peak - baseline;
    console.log(
      `upload: ${mb(UPLOAD_BYTES)} in ${seconds.toFixed(2)} s -> HTTP ${result.status}, job ${job.id}, file_size ${job.file_size}`,
    );
    console.log(`API RSS baseline: ${mb(baseline)}`);
    console.log(`API RSS peak:     ${mb(peak)}`);
    const verdict = growth < BUDGET_BYTES ? "PASS" : "FAIL";
    console.log(
      `API RSS growth:   ${mb(growth)}` +
        (CHECK_BUDGET ? ` (budget < ${mb(BUDGET_BYTES)}) ${verdict}` : ""),
    );
    const overBudget = CHECK_BUDGET && growth >= BUDGET_BYTES;
    if (result.status !== 202 || job.file_size !== UPLOAD_BYTES || overBudget) {
      process.exitCode = 1;
    }
  } finally {
    api.kill("SIGTERM");
    await new Promise((resolve) => api.once("exit", resolve));
    const redis = createProducerConnection(REDIS_URL);
    const queues = createImportQueues(redis, queuePrefix);
    await Promise.all(Object.values(queues).map((queue) => queue.obliterate({ force: true })));
    await closeImportQueues(queues);
    redis.disconnect();
    await db.destroy();
    const admin = new pg.Client({ connectionString: SERVER_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`);
    await admin.end();
    await s3.close();
    rmSync(s3Directory, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

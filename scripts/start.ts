/**
 * The local supervisor behind `npm start`: checks Postgres and Redis, migrates,
 * runs the embedded S3 server when S3_ENDPOINT is unset, starts the API and
 * WORKERS worker processes, prints where everything is, and on Ctrl-C (or
 * SIGTERM) stops the children gracefully, then itself.
 *
 * One child dying does not stop the system: it is logged and restarted after a
 * backoff (1 s, doubling up to 30 s; back to 1 s once a child has run for a
 * minute), while the others carry on.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { databaseEnv, parseEnvOrExit, port, redisEnv, s3Env } from "@catalog/config";
import { createDb, ensureDatabase, migrateToLatest } from "@catalog/db";
import { type EmbeddedS3Server, startEmbeddedS3Server } from "@catalog/storage";
import { createRedisConnection } from "@catalog/queue";
import { z } from "zod";

const env = parseEnvOrExit({
  ...databaseEnv,
  ...redisEnv,
  ...s3Env,
  /** API port. */
  PORT: port(3000),
  /** Port of the embedded S3 server (only when S3_ENDPOINT is unset). */
  EMBEDDED_S3_PORT: port(4569),
  /** Folder of the embedded S3 server's objects (git-ignored). */
  EMBEDDED_S3_DIR: z.string().default(".data/s3"),
  /** How many worker processes to start. */
  WORKERS: z.coerce.number().pipe(z.number().int().min(1).max(16)).default(2),
  /** Worker N serves /metrics on this port + N; 0: each worker picks a free port. */
  WORKER_METRICS_BASE_PORT: port(9100),
  /** The webhook signing secret; unset: one generated once and kept in WEBHOOK_SECRET_FILE. */
  WEBHOOK_SECRET: z.string().optional(),
  /** Where the generated local webhook secret is kept (git-ignored). */
  WEBHOOK_SECRET_FILE: z.string().default(".data/webhook-secret"),
});

/**
 * The webhook secret for local runs: WEBHOOK_SECRET when set, else the one
 * generated on a first run and kept (mode 0600) in WEBHOOK_SECRET_FILE, so
 * receivers keep verifying across restarts.
 */
function localWebhookSecret(): { secret: string; from: string } {
  if (env.WEBHOOK_SECRET) return { secret: env.WEBHOOK_SECRET, from: "WEBHOOK_SECRET" };
  const file = resolve(env.WEBHOOK_SECRET_FILE);
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    const secret = `whsec_${randomBytes(32).toString("base64")}`;
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    console.log(`Generated a webhook signing secret in ${env.WEBHOOK_SECRET_FILE}`);
  }
  return { secret: readFileSync(file, "utf8").trim(), from: env.WEBHOOK_SECRET_FILE };
}

/** A supervised child: its current process, and how soon to restart it when it dies. */
interface Child {
  name: string;
  process: ChildProcess;
  restartDelayMs: number;
  restartTimer?: NodeJS.Timeout;
}

const children: Child[] = [];
const RESTART_FIRST_MS = 1_000;
const RESTART_MAX_MS = 30_000;
/** A child that ran this long before dying is restarted after the first delay again. */
const HEALTHY_RUN_MS = 60_000;
let embeddedS3: EmbeddedS3Server | undefined;
let stopping = false;

function fail(message: string): never {
  console.error(`\n${message}\n`);
  process.exit(1);
}

async function checkRedis(): Promise<void> {
  // The failure is reported below, from connect(); the event would only repeat it.
  const redis = createRedisConnection(env.REDIS_URL, "probe", { onError: () => undefined });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    fail(
      `Redis is not reachable at ${env.REDIS_URL} (${(error as Error).message}). Start Redis or set REDIS_URL.`,
    );
  } finally {
    redis.disconnect();
  }
}

async function migrate(): Promise<void> {
  try {
    if (await ensureDatabase(env.DATABASE_URL)) console.log(`Created database ${env.DATABASE_URL}`);
  } catch (error) {
    fail(
      `Postgres is not reachable at ${env.DATABASE_URL} (${(error as Error).message}). Start Postgres or set DATABASE_URL.`,
    );
  }
  const db = createDb({ url: env.DATABASE_URL, poolSize: 1, applicationName: "start" });
  try {
    const applied = await migrateToLatest(db);
    console.log(applied.length ? `Migrations: ${applied.join(", ")}` : "Database is up to date.");
  } finally {
    await db.destroy();
  }
}

function spawnChild(script: string, extraEnv: NodeJS.ProcessEnv): ChildProcess {
  // tsx's CommonJS hook only: no ES module loader thread (about 35 MiB per process).
  return spawn(process.execPath, ["--require", "tsx/cjs", resolve(script)], {
    env: { ...process.env, ...extraEnv },
    stdio: ["ignore", "inherit", "inherit"],
  });
}

/** Starts `script` as child `name`, and restarts it with backoff whenever it dies. */
function startChild(name: string, script: string, extraEnv: NodeJS.ProcessEnv): void {
  const child: Child = {
    name,
    process: spawnChild(script, extraEnv),
    restartDelayMs: RESTART_FIRST_MS,
  };
  children.push(child);
  const watch = () => {
    const startedAt = Date.now();
    child.process.once("exit", (code, signal) => {
      if (stopping) return;
      if (Date.now() - startedAt >= HEALTHY_RUN_MS) child.restartDelayMs = RESTART_FIRST_MS;
      const delay = child.restartDelayMs;
      console.error(
        `${name} exited unexpectedly (code ${code}, signal ${signal}); restarting it in ${delay / 1000} s.`,
      );
      child.restartDelayMs = Math.min(delay * 2, RESTART_MAX_MS);
      child.restartTimer = setTimeout(() => {
        child.restartTimer = undefined;
        if (stopping) return;
        child.process = spawnChild(script, extraEnv);
        console.error(`${name} restarted (pid ${child.process.pid}).`);
        watch();
      }, delay);
    });
  };
  watch();
}

async function waitForApi(url: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  console.error("The API did not answer /healthz within 20 s; stopping everything.");
  await stop(1);
}

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log("\nStopping: API and workers finish what they are doing...");
  for (const child of children) clearTimeout(child.restartTimer);
  const exits = children
    .filter(({ process: child }) => child.exitCode === null && child.signalCode === null)
    .map(
      ({ process: child }) =>
        new Promise<void>((done) => {
          const force = setTimeout(() => child.kill("SIGKILL"), 70_000);
          child.once("exit", () => {
            clearTimeout(force);
            done();
          });
          child.kill("SIGTERM");
        }),
    );
  await Promise.all(exits);
  await embeddedS3?.close();
  console.log("Stopped.");
  process.exit(code);
}

async function main(): Promise<void> {
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));

  await checkRedis();
  await migrate();

  let s3Endpoint = env.S3_ENDPOINT;
  if (!s3Endpoint) {
    embeddedS3 = await startEmbeddedS3Server({
      port: env.EMBEDDED_S3_PORT,
      directory: resolve(env.EMBEDDED_S3_DIR),
      buckets: [env.S3_BUCKET],
    }).catch((error: Error) =>
      fail(
        `Could not start the embedded S3 server on port ${env.EMBEDDED_S3_PORT}: ${error.message}`,
      ),
    );
    s3Endpoint = embeddedS3.endpoint;
    console.log(
      `Embedded S3 server: ${s3Endpoint} (bucket ${env.S3_BUCKET}, data in ${env.EMBEDDED_S3_DIR})`,
    );
  }

  const webhookSecret = localWebhookSecret();
  const shared = { S3_ENDPOINT: s3Endpoint, WEBHOOK_SECRET: webhookSecret.secret };
  startChild("api", "apps/api/src/main.ts", shared);
  for (let index = 1; index <= env.WORKERS; index++) {
    startChild(`worker-${index}`, "apps/worker/src/main.ts", {
      ...shared,
      // The workers' concurrency defaults share this machine among them.
      WORKER_PROCESSES_PER_HOST: process.env.WORKER_PROCESSES_PER_HOST ?? String(env.WORKERS),
      WORKER_METRICS_PORT: String(
        env.WORKER_METRICS_BASE_PORT ? env.WORKER_METRICS_BASE_PORT + index : 0,
      ),
    });
  }

  const apiUrl = `http://127.0.0.1:${env.PORT}`;
  await waitForApi(apiUrl);
  if (stopping) return;
  console.log(
    [
      "",
      `Catalog import API: ${apiUrl}   (workers: ${env.WORKERS}${
        env.WORKER_METRICS_BASE_PORT
          ? `, metrics on :${env.WORKER_METRICS_BASE_PORT + 1}..:${env.WORKER_METRICS_BASE_PORT + env.WORKERS}`
          : ""
      })`,
      "",
      "Get an admin token (in another terminal, from this folder):",
      "  npx importctl tokens create --email you@example.com --role admin",
      "",
      `Operator console: ${apiUrl}/   (sign in with the token)`,
      "",
      "Or validate a file and commit it with curl:",
      `  curl -H "Authorization: Bearer $TOKEN" -F mode=smart -F file=@catalog.xlsx ${apiUrl}/api/admin/import-jobs/validate/`,
      `  curl -H "Authorization: Bearer $TOKEN" ${apiUrl}/api/admin/import-jobs/<id>/`,
      `  curl -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"allow_partial":false}' ${apiUrl}/api/admin/import-jobs/<id>/commit/`,
      `API description: ${apiUrl}/api/openapi.json`,
      `Webhooks (callback_url on upload) are signed with the secret in ${webhookSecret.from};`,
      "  verify them with the standardwebhooks library (npm i standardwebhooks).",
      "",
      "Press Ctrl-C to stop.",
    ].join("\n"),
  );
}

void main();

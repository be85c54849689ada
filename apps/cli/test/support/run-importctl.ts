/**
 * Runs importctl as operators do (`node --import tsx apps/cli/src/main.ts …`)
 * against a test database and bucket. Asynchronously: a single test file runs
 * inside jest's main process, which also serves the S3 server.
 */
import { execFile } from "node:child_process";
import { resolve } from "node:path";

const root = resolve(__dirname, "../../../..");

/** What one importctl run printed and how it exited. */
export interface ImportctlRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Where importctl's database and bucket are, plus any other variables. */
export interface ImportctlTarget {
  databaseUrl: string;
  bucket: string;
  env?: Record<string, string>;
}

/** A function that runs importctl with `args` against `target`. */
export function importctlRunner(target: () => ImportctlTarget) {
  return (...args: string[]): Promise<ImportctlRun> =>
    new Promise((done) => {
      const { databaseUrl, bucket, env } = target();
      execFile(
        process.execPath,
        ["--import", "tsx", "apps/cli/src/main.ts", ...args],
        {
          cwd: root,
          env: {
            ...process.env,
            DATABASE_URL: databaseUrl,
            S3_ENDPOINT: process.env.TEST_S3_ENDPOINT,
            S3_BUCKET: bucket,
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
            ...env,
          },
          timeout: 30_000,
        },
        (error, stdout, stderr) => {
          const status = error ? (typeof error.code === "number" ? error.code : null) : 0;
          done({ status, stdout, stderr });
        },
      );
    });
}

/** Parses a `--json` run's output, failing the test with its stderr when it did not exit 0. */
export function jsonOf<T>(run: ImportctlRun): T {
  if (run.status !== 0) throw new Error(`importctl exited ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

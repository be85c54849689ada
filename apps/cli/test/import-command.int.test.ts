/**
 * `importctl import` as an API client runs it: the CLI process talks through
 * `@catalog/client` to a real API process with a real worker process (the
 * process harness), and its exit code says how the job ended: 0 success,
 * 1 failed, 3 with errors (validated or partial).
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  createTestDatabase,
  fixturePath,
  REPOSITORY_ROOT,
  type RunningSystem,
  startSystem,
  type TestDatabase,
} from "@catalog/testing";

jest.setTimeout(240_000);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe("importctl import", () => {
  let database: TestDatabase;
  let system: RunningSystem;
  let token: string;
  let dir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    system = await startSystem({ databaseUrl: database.url, db: database.db, workers: 1 });
    token = await system.token("importer");
    dir = await mkdtemp(path.join(tmpdir(), "importctl-import-"));
  });
  afterAll(async () => {
    await system?.stop();
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs `importctl import ...args` against the system's API. */
  function importctl(...args: string[]): Promise<Run> {
    return new Promise((done) => {
      execFile(
        path.join(REPOSITORY_ROOT, "apps/cli/bin/importctl"),
        ["import", ...args],
        {
          cwd: REPOSITORY_ROOT,
          env: {
            ...process.env,
            IMPORT_API_URL: system.apiUrl,
            IMPORT_API_TOKEN: token,
            DATABASE_URL: database.url,
          },
          timeout: 120_000,
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
          done({ code, stdout, stderr });
        },
      );
    });
  }

  it("uploads 01_base.xlsx, waits, commits: exit 0, the summary table, the report saved", async () => {
    const report = path.join(dir, "report.xlsx");
    const run = await importctl(
      fixturePath("01_base.xlsx"),
      "--mode",
      "smart",
      "--wait",
      "--commit",
      "--report",
      report,
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Job [0-9a-f-]{36}: success$/m);
    expect(run.stdout).toMatch(/^products\s+14\s+0\s+0\s+14\/0$/m);
    expect(run.stdout).toMatch(/^variants\s+27\s+0\s+0\s+27\/0$/m);
    expect(run.stdout).toContain("Errors: 0  Warnings: 0");
    // An XLSX file is a zip: it starts with PK.
    expect((await readFile(report)).subarray(0, 2).toString()).toBe("PK");
    const variants = await database.db
      .selectFrom("catalog_variant")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(variants.n)).toBe(27);
  });

  it("ends 3 with the issue counts when the validation has row errors (--json)", async () => {
    const run = await importctl(
      fixturePath("05_errors.xlsx"),
      "--mode",
      "smart",
      "--wait",
      "--json",
    );
    expect(run.code).toBe(3);
    const output = JSON.parse(run.stdout) as {
      job: { status: string; summary: { errors: number } };
      issues_by_code: { severity: string; code: string; count: number }[];
      exit_code: number;
    };
    expect(output.exit_code).toBe(3);
    expect(output.job.status).toBe("validated");
    const errors = output.issues_by_code.filter((entry) => entry.severity === "error");
    expect(errors.reduce((sum, entry) => sum + entry.count, 0)).toBe(output.job.summary.errors);
    expect(errors.map((entry) => entry.code)).toContain("PRICE_OUT_OF_RANGE");
  });

  it("does not commit a file with errors without --allow-partial (exit 3), and ends partial with it (exit 3)", async () => {
    const refused = await importctl(fixturePath("02_update.csv"), "--wait", "--commit");
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("Not committed");
    expect(refused.stdout).toMatch(/: validated$/m);
    const partial = await importctl(fixturePath("02_update.csv"), "--commit", "--allow-partial");
    expect(partial.code).toBe(3);
    expect(partial.stdout).toMatch(/: partial$/m);
  });

  it("ends 1 when the job fails (a missing column)", async () => {
    const run = await importctl(fixturePath("06_missing_column.csv"), "--wait");
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("failed (MISSING_COLUMN");
  });

  it("ends 1 with the API's error when the API refuses the upload", async () => {
    const run = await importctl(fixturePath("01_base.xlsx"), "--callback-url", "http://10.1.2.3/x");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("400 INVALID_CALLBACK_URL");
  });

  it("documents the exit codes in --help", async () => {
    const run = await importctl("--help");
    expect(run.code).toBe(0);
    for (const line of [/0\s+success/, /1\s+failed/, /3\s+with errors/, /4\s+refused/]) {
      expect(run.stdout).toMatch(line);
    }
  });
});

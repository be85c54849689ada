/**
 * `importctl import` as an API client runs it: the CLI process talks through
 * `@catalog/client` to a real API process with a real worker process (the
 * process harness), and its exit code says how the job ended: 0 success,
 * 1 failed, 3 with errors (validated or partial), 4 refused.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
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
import { sql } from "kysely";

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
    // The report of the result is built after `success`: importctl may wait for it, and says so.
    expect(run.stderr).toMatch(
      /^(The report of job [0-9a-f-]{36} is not ready yet \(being built\); waiting \(asking again every 5 s\)\n)?$/,
    );
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

  it("ends 4 when the commit is refused because the catalog changed after validation", async () => {
    // One row that changes the price of a variant 01_base.xlsx created (committed above).
    const file = path.join(dir, "drift.csv");
    await writeFile(
      file,
      [
        "category,series,brand,title_tr,title_en,model_code,dimensions,price",
        "Pişirme Ekipmanları,600 Serisi,Kuzina,Gazlı Ocak 4 Gözlü Model 0,Gas Range 4 Burner Model 0,GKO-6000,600x700x850 mm,99.99",
        "",
      ].join("\n"),
    );
    // The drift: when the commit claims the job, someone else touches that variant
    // (its version moves on), between the validation and the commit's transaction.
    await sql`
      CREATE FUNCTION test_touch_variant() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE catalog_variant SET price = price WHERE model_code = 'GKO-6000';
        RETURN NEW;
      END $$`.execute(database.db);
    await sql`
      CREATE TRIGGER test_touch_variant BEFORE UPDATE ON ops_importjob FOR EACH ROW
      WHEN (OLD.status <> 'running' AND NEW.status = 'running')
      EXECUTE FUNCTION test_touch_variant()`.execute(database.db);
    try {
      const run = await importctl(file, "--wait", "--commit", "--json");
      expect(run.code).toBe(4);
      const output = JSON.parse(run.stdout) as {
        job: {
          status: string;
          summary: { variants: { update: number } };
          failure: { code: string };
        };
        exit_code: number;
      };
      expect(output.exit_code).toBe(4);
      expect(output.job.summary.variants.update).toBe(1);
      expect(output.job.status).toBe("failed");
      expect(output.job.failure.code).toBe("SNAPSHOT_STALE");
      const variant = await database.db
        .selectFrom("catalog_variant")
        .select("price")
        .where("model_code", "=", "GKO-6000")
        .executeTakeFirstOrThrow();
      expect(Number(variant.price)).not.toBe(99.99);
    } finally {
      await sql`DROP TRIGGER test_touch_variant ON ops_importjob`.execute(database.db);
      await sql`DROP FUNCTION test_touch_variant()`.execute(database.db);
    }
  });

  it("documents the exit codes in --help", async () => {
    const run = await importctl("--help");
    expect(run.code).toBe(0);
    for (const line of [/0\s+success/, /1\s+failed/, /3\s+with errors/, /4\s+refused/]) {
      expect(run.stdout).toMatch(line);
    }
  });
});

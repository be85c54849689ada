import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { findActiveToken } from "@catalog/auth";
import { createImportJob, findImportJob } from "@catalog/jobs";
import { createTestDatabase, type TestDatabase } from "@catalog/testing";
import { sql } from "kysely";

const root = resolve(__dirname, "../../..");

describe("importctl", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  function importctl(...args: string[]) {
    const result = spawnSync(
      process.execPath,
      ["--import", "tsx", "apps/cli/src/main.ts", ...args],
      {
        cwd: root,
        env: { ...process.env, DATABASE_URL: database.url, STUCK_AFTER_S: "60" },
        encoding: "utf8",
        timeout: 30_000,
      },
    );
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  const newJob = (overrides: Partial<Parameters<typeof createImportJob>[1]> = {}) =>
    createImportJob(database.db, {
      id: randomUUID(),
      mode: "strict",
      file_name: "f.csv",
      file_size: 10,
      file_hash: "a".repeat(64),
      input_key: "inputs/x/f.csv",
      created_by: "ops@example.com",
      ...overrides,
    });

  it("tokens create prints the token once (JSON), stores only its hash; list and revoke work", async () => {
    const created = importctl(
      "tokens",
      "create",
      "--email",
      "admin@example.com",
      "--role",
      "admin",
      "--json",
    );
    expect(created.status).toBe(0);
    const { token } = JSON.parse(created.stdout) as { token: string };
    expect(token).toMatch(/^cit_[A-Za-z0-9_-]{43}$/);
    const record = await findActiveToken(database.db, token);
    expect(record).toMatchObject({ email: "admin@example.com", role: "admin" });
    const stored = await database.db.selectFrom("ops_api_token").select("token_hash").execute();
    expect(JSON.stringify(stored)).not.toContain(token);

    const listed = JSON.parse(importctl("tokens", "list", "--json").stdout) as { id: string }[];
    expect(listed.map((t) => t.id)).toEqual([record?.id]);
    expect(importctl("tokens", "revoke", record?.id ?? "").status).toBe(0);
    expect(await findActiveToken(database.db, token)).toBeUndefined();
    expect(importctl("tokens", "revoke", record?.id ?? "").status).toBe(1);
  });

  it("refuses a bad role with a clear message", () => {
    const result = importctl("tokens", "create", "--email", "a@b.c", "--role", "root");
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("root");
  });

  it("stuck list and reap find jobs without progress past STUCK_AFTER_S; reap needs --yes", async () => {
    const stuck = await newJob();
    await sql`UPDATE ops_importjob SET status = 'running', heartbeat_at = now() - interval '2 minutes',
      updated_at = now() - interval '2 minutes' WHERE id = ${stuck.id}`.execute(database.db);
    const fresh = await newJob();

    const listed = JSON.parse(importctl("stuck", "list", "--json").stdout) as { id: string }[];
    expect(listed.map((job) => job.id)).toEqual([stuck.id]);
    expect(importctl("stuck", "reap").stdout).toContain("Dry run: 1 job(s)");
    expect((await findImportJob(database.db, stuck.id))?.status).toBe("running");

    expect(importctl("stuck", "reap", "--yes").status).toBe(0);
    expect(await findImportJob(database.db, stuck.id)).toMatchObject({
      status: "failed",
      failure_code: "STUCK_JOB_REAPED",
      retryable: true,
    });
    expect((await findImportJob(database.db, fresh.id))?.status).toBe("pending");
  });

  it("fail marks a job MANUALLY_FAILED; jobs show and health report it", async () => {
    const job = await newJob();
    expect(importctl("fail", job.id, "--reason", "bad supplier file").status).toBe(0);
    const shown = JSON.parse(importctl("jobs", "show", job.id, "--json").stdout);
    expect(shown).toMatchObject({
      id: job.id,
      status: "failed",
      failure: { code: "MANUALLY_FAILED", message: "bad supplier file" },
    });
    expect(importctl("fail", job.id).status).toBe(1);
    const health = JSON.parse(importctl("health", "--json").stdout);
    expect(health.failures_by_code.MANUALLY_FAILED).toBe(1);
    expect(importctl("jobs", "show", randomUUID()).status).toBe(1);
  });
});

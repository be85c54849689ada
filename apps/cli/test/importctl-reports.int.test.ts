/**
 * importctl's read-only reports (`errors top`, `errors patterns`, `candidates
 * top`), `jobs list` filters and paging, `--version` and usage errors, against
 * a real database whose jobs were validated by the real validate handler (so
 * the reports are stored exactly as production stores them).
 */
import type { ImportJob } from "@catalog/db";
import { readFixtureJson } from "@catalog/testing";
import { sql } from "kysely";
import { validateImport } from "../../worker/src/handlers/validate-import";
import { createWorkerHarness, type WorkerHarness } from "../../worker/test/support/worker-harness";
import { importctlRunner, jsonOf } from "./support/run-importctl";

/** An issue as the validate handler stored it in report_json. */
interface StoredIssue {
  row: number;
  column: string;
  code: string;
  severity: "error" | "warning";
  value: string | null;
}

interface ExpectedCandidate {
  slug: string;
  name: string;
}

const baseFixture = readFixtureJson<{
  candidates: Record<"categories" | "series" | "brands", ExpectedCandidate[]>;
}>("01_base.expected.json");

/** Counts per key of `items`. */
function tally<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

describe("importctl reports and job listing", () => {
  let harness: WorkerHarness;
  const jobs: Record<"errorsA" | "errorsB" | "base" | "missingColumn", ImportJob> = {} as never;
  /** The issues of one 05_errors job, as stored: the tallies below are made from them in JS. */
  let errorsIssues: StoredIssue[];

  const importctl = importctlRunner(() => ({
    databaseUrl: harness.database.url,
    bucket: harness.deps.store.bucket,
  }));

  const validated = async (fixture: string, mode: "strict" | "smart") => {
    const job = await harness.submitFixture(fixture, mode);
    const ended = await validateImport(job.id, harness.deps);
    if (!ended) throw new Error(`validation of ${fixture} did nothing`);
    return ended;
  };

  beforeAll(async () => {
    harness = await createWorkerHarness();
    jobs.errorsA = await validated("05_errors.xlsx", "strict");
    jobs.errorsB = await validated("05_errors.xlsx", "strict");
    jobs.base = await validated("01_base.xlsx", "smart");
    jobs.missingColumn = await validated("06_missing_column.csv", "strict");
    expect(jobs.errorsA.status).toBe("validated");
    expect(jobs.base.status).toBe("validated");
    expect(jobs.missingColumn).toMatchObject({ status: "failed", failure_code: "MISSING_COLUMN" });
    const stored = await harness.database.db
      .selectFrom("ops_importjob")
      .select("report_json")
      .where("id", "=", jobs.errorsA.id)
      .executeTakeFirstOrThrow();
    errorsIssues = (stored.report_json as { issues: StoredIssue[] }).issues;
    // 05_errors in an empty catalog: its own errors plus the missing entities of strict mode.
    expect(new Set(errorsIssues.map((issue) => issue.code)).size).toBeGreaterThan(5);
  });
  afterAll(async () => {
    await harness?.close();
  });

  describe("errors top", () => {
    interface TopJson {
      window: { since: string | null; until: string | null; job_id: string | null };
      jobs_with_report: number;
      issues: { code: string; severity: string; issues: number; rows: number; jobs: number }[];
      failures: { failure_code: string; jobs: number; last_seen: string }[];
    }

    it("ranks issue codes over every job of the window and lists failure codes (--json)", async () => {
      const top = jsonOf<TopJson>(await importctl("errors", "top", "--json"));
      expect(top.jobs_with_report).toBe(3);
      // Two jobs of 05_errors: every code twice what one report holds, on two jobs.
      const perFile = tally(errorsIssues, (issue) => `${issue.code}/${issue.severity}`);
      expect(top.issues).toHaveLength(perFile.size);
      for (const stat of top.issues) {
        expect(stat.issues).toBe(2 * (perFile.get(`${stat.code}/${stat.severity}`) ?? 0));
        expect(stat.jobs).toBe(2);
      }
      const rowsWithCode = (code: string) =>
        new Set(errorsIssues.filter((i) => i.code === code).map((i) => i.row)).size;
      expect(top.issues.find((s) => s.code === "REQUIRED_VALUE_MISSING")).toMatchObject({
        issues: 4,
        rows: 2 * rowsWithCode("REQUIRED_VALUE_MISSING"),
      });
      // Most frequent first.
      const counts = top.issues.map((s) => s.issues);
      expect(counts).toEqual([...counts].sort((a, b) => b - a));
      expect(top.failures).toEqual([
        { failure_code: "MISSING_COLUMN", jobs: 1, last_seen: expect.any(String) },
      ]);
      expect(top.window).toMatchObject({ until: null, job_id: null, since: expect.any(String) });
    });

    it("filters by severity and by job, and is empty for a window with no jobs", async () => {
      const warnings = jsonOf<TopJson>(
        await importctl("errors", "top", "--severity", "warning", "--json"),
      );
      // 05_errors has warnings too (UNKNOWN_COLUMN, TITLE_TOO_LONG): the filter keeps only them.
      expect(warnings.issues.length).toBeGreaterThan(0);
      expect(warnings.issues.every((s) => s.severity === "warning")).toBe(true);
      expect(warnings.issues.map((s) => s.code).sort()).toEqual(
        [
          ...new Set(errorsIssues.filter((i) => i.severity === "warning").map((i) => i.code)),
        ].sort(),
      );
      const one = jsonOf<TopJson>(
        await importctl("errors", "top", "--job", jobs.errorsA.id, "--json"),
      );
      expect(one.jobs_with_report).toBe(1);
      expect(one.window.job_id).toBe(jobs.errorsA.id);
      expect(one.issues.every((s) => s.jobs === 1)).toBe(true);
      expect(one.issues.reduce((sum, s) => sum + s.issues, 0)).toBe(errorsIssues.length);

      const future = jsonOf<TopJson>(
        await importctl("errors", "top", "--since", "2999-01-01", "--json"),
      );
      expect(future).toMatchObject({ jobs_with_report: 0, issues: [], failures: [] });
    });

    it("prints tables for people", async () => {
      const run = await importctl("errors", "top", "--limit", "2");
      expect(run.status).toBe(0);
      expect(run.stdout).toContain("Issues in 3 validated job(s)");
      expect(run.stdout).toMatch(/code\s+severity\s+issues\s+rows\s+jobs\s+last_seen/);
      expect(run.stdout).toMatch(/MISSING_COLUMN\s+1/);
    });
  });

  describe("errors patterns", () => {
    interface PatternsJson {
      patterns: {
        code: string;
        column: string | null;
        severity: string;
        issues: number;
        rows: number;
        jobs: number;
        examples: string[];
        message: string;
      }[];
    }

    it("groups issues by code and column with example values (--json)", async () => {
      const { patterns } = jsonOf<PatternsJson>(await importctl("errors", "patterns", "--json"));
      const perFile = tally(errorsIssues, (issue) => `${issue.code}/${issue.column}`);
      expect(patterns.map((p) => `${p.code}/${p.column}`).sort()).toEqual(
        [...perFile.keys()].sort(),
      );
      for (const pattern of patterns) {
        expect(pattern.issues).toBe(2 * (perFile.get(`${pattern.code}/${pattern.column}`) ?? 0));
        expect(pattern.jobs).toBe(2);
        expect(pattern.message.length).toBeGreaterThan(0);
      }
      // The value the supplier wrote is shown, as stored in the report.
      const stored = (
        await sql<{ value: string }>`
          SELECT i ->> 'value' AS value
          FROM ops_importjob, jsonb_array_elements(report_json -> 'issues') AS i
          WHERE id = ${jobs.errorsA.id} AND i ->> 'code' = 'PRICE_OUT_OF_RANGE'`.execute(
          harness.database.db,
        )
      ).rows.map((row) => row.value);
      expect(stored).toHaveLength(1);
      expect(patterns.find((p) => p.code === "PRICE_OUT_OF_RANGE")?.examples).toEqual(stored);
    });

    it("filters by code", async () => {
      const { patterns } = jsonOf<PatternsJson>(
        await importctl("errors", "patterns", "--code", "REQUIRED_VALUE_MISSING", "--json"),
      );
      expect(patterns.map((p) => p.column).sort()).toEqual(["category", "title_tr"]);
      const human = await importctl("errors", "patterns", "--code", "NO_SUCH_CODE");
      expect(human.stdout).toContain("No issues");
    });
  });

  describe("candidates top", () => {
    interface CandidatesJson {
      candidates: {
        type: string;
        slug: string;
        name: string;
        jobs: number;
        rows: number;
        in_catalog: boolean;
      }[];
    }

    it("lists what smart imports proposed, with the rows needing it and whether it exists now", async () => {
      const expected = [
        ...baseFixture.candidates.categories.map((c) => ({ type: "category", ...c })),
        ...baseFixture.candidates.series.map((c) => ({
          type: "series",
          slug: c.slug,
          name: c.name,
        })),
        ...baseFixture.candidates.brands.map((c) => ({ type: "brand", ...c })),
      ];
      const before = jsonOf<CandidatesJson>(await importctl("candidates", "top", "--json"));
      expect(before.candidates.map(({ type, slug, name }) => ({ type, slug, name }))).toEqual(
        expect.arrayContaining(expected),
      );
      expect(before.candidates).toHaveLength(expected.length);
      expect(before.candidates.every((c) => c.jobs === 1 && !c.in_catalog)).toBe(true);
      // Every data row names one category: the categories' rows add up to the file's rows.
      expect(
        before.candidates.filter((c) => c.type === "category").reduce((n, c) => n + c.rows, 0),
      ).toBe(27);

      const [first] = baseFixture.candidates.categories;
      if (!first) throw new Error("01_base has no category candidate");
      await sql`INSERT INTO catalog_category (slug, name) VALUES (${first.slug}, ${first.name})`.execute(
        harness.database.db,
      );
      const categories = jsonOf<CandidatesJson>(
        await importctl("candidates", "top", "--type", "category", "--json"),
      );
      expect(categories.candidates.map((c) => c.type)).toEqual([
        "category",
        "category",
        "category",
      ]);
      expect(categories.candidates.find((c) => c.slug === first.slug)?.in_catalog).toBe(true);

      const human = await importctl("candidates", "top", "--limit", "1");
      expect(human.stdout).toMatch(/type\s+slug\s+name\s+jobs\s+rows\s+in_catalog/);
      expect(human.stdout.trim().split("\n")).toHaveLength(3);
    });
  });

  describe("jobs list", () => {
    interface PageJson {
      items: { id: string; status: string; created_by: string }[];
      total: number;
      limit: number;
      offset: number;
    }

    it("filters by status (one or several), user and creation date, and pages", async () => {
      const failed = jsonOf<PageJson>(
        await importctl("jobs", "list", "--status", "failed", "--json"),
      );
      expect(failed.items.map((j) => j.id)).toEqual([jobs.missingColumn.id]);
      expect(failed).toMatchObject({ total: 1, limit: 20, offset: 0 });

      const several = jsonOf<PageJson>(
        await importctl("jobs", "list", "--status", "failed,validated", "--json"),
      );
      expect(several.total).toBe(4);

      await sql`UPDATE ops_importjob SET created_by = 'night-shift@example.com',
        created_at = now() - interval '3 days' WHERE id = ${jobs.base.id}`.execute(
        harness.database.db,
      );
      const byUser = jsonOf<PageJson>(
        await importctl("jobs", "list", "--user", "night-shift@example.com", "--json"),
      );
      expect(byUser.items.map((j) => j.id)).toEqual([jobs.base.id]);
      const recent = jsonOf<PageJson>(await importctl("jobs", "list", "--since", "1d", "--json"));
      expect(recent.items.map((j) => j.id).sort()).toEqual(
        [jobs.errorsA.id, jobs.errorsB.id, jobs.missingColumn.id].sort(),
      );
      const older = jsonOf<PageJson>(await importctl("jobs", "list", "--until", "2d", "--json"));
      expect(older.items.map((j) => j.id)).toEqual([jobs.base.id]);

      const firstPage = jsonOf<PageJson>(await importctl("jobs", "list", "--limit", "3", "--json"));
      const secondPage = jsonOf<PageJson>(
        await importctl("jobs", "list", "--limit", "3", "--offset", "3", "--json"),
      );
      expect(firstPage).toMatchObject({ total: 4, limit: 3, offset: 0 });
      expect(firstPage.items).toHaveLength(3);
      expect(secondPage.items).toHaveLength(1);
      const all = [...firstPage.items, ...secondPage.items].map((j) => j.id);
      expect(new Set(all).size).toBe(4);

      const human = await importctl("jobs", "list", "--limit", "3");
      expect(human.stdout).toContain("Jobs 1-3 of 4. Next page: --offset 3");
    });
  });

  describe("the command line itself", () => {
    it("--version prints the package version and exits 0", async () => {
      const run = await importctl("--version");
      expect(run.status).toBe(0);
      expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    });

    it.each([
      [["no-such-command"]],
      [[]],
      [["jobs", "list", "--status", "bogus"]],
      [["jobs", "list", "--limit", "0"]],
      [["jobs", "list", "--limit", "501"]],
      [["errors", "top", "--since", "yesterday"]],
      [["errors", "top", "--job", "not-a-uuid"]],
      [["candidates", "top", "--type", "product"]],
      [["snapshot", "verify"]],
      [["jobs", "show"]],
      [["jobs", "show", "not-a-uuid"]],
      [["retry", "42"]],
      [["revert", "--wait"]],
      [["snapshots", "cleanup", "--grace", "soon"]],
    ])("usage error %j exits 2 with a message", async (args) => {
      const run = await importctl(...args);
      expect(run.status).toBe(2);
      expect(run.stderr.length).toBeGreaterThan(0);
    });
  });
});

/**
 * Commits in two worker processes at once, through the API and BullMQ (issue 12):
 *
 * - two imports whose rows do not overlap (each creates a product of its own; both
 *   rely on the same category) have their commit transactions open at the same
 *   time, one in each process: pg_stat_activity shows both
 *   `catalog-import-commit:<job id>` sessions together;
 * - two imports whose rows overlap (both update the same variants) do not: the
 *   second waits on the first one's row locks, and they end consistent, without a
 *   deadlock: the first `success`, the second SNAPSHOT_STALE (the rows it planned
 *   against moved on), the catalog as the first one left it.
 *
 * The transactions are held open without touching the handler: a trigger the test
 * adds makes an insert of a product whose slug starts with `gate-` wait for an
 * advisory lock (the gate) that the test holds until it has seen what it checks.
 */
import {
  createTestDatabase,
  dumpCatalog,
  type RunningSystem,
  startSystem,
  type TestDatabase,
} from "@catalog/testing";
import { sql } from "kysely";
import pg from "pg";
import { commitApplicationName } from "../src/handlers/run-in-commit-transaction";

jest.setTimeout(180_000);

const GATE = 0x6761_7465; // "gate"
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const HEADER = "category,title_en,model_code,price";

describe("commits in two worker processes", () => {
  let database: TestDatabase;
  let system: RunningSystem;
  let token: string;
  /** A session of the test's own that holds the gate. */
  let holder: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    system = await startSystem({
      databaseUrl: database.url,
      db: database.db,
      workers: 2,
      // One commit at a time per worker: a second commit goes to the other process.
      workerEnv: { COMMIT_CONCURRENCY: "1" },
    });
    token = await system.token("importer");
    holder = new pg.Client({ connectionString: database.url });
    holder.on("error", () => undefined);
    await holder.connect();
    await sql`CREATE FUNCTION test_gate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.slug LIKE 'gate-%' THEN PERFORM pg_advisory_xact_lock_shared(${sql.lit(GATE)}); END IF;
        RETURN NEW;
      END $$`.execute(database.db);
    await sql`CREATE TRIGGER test_gate BEFORE INSERT ON catalog_product
      FOR EACH ROW EXECUTE FUNCTION test_gate()`.execute(database.db);
  });
  afterAll(async () => {
    await holder?.end();
    await system?.stop();
    await database?.drop();
  });

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${system.apiUrl}/api/admin/import-jobs${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...init.headers },
    });

  async function waitFor<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      await sleep(50);
    }
  }

  const jobOf = (id: string) =>
    database.db
      .selectFrom("ops_importjob")
      .select(["status", "failure_code"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();

  async function validated(lines: string[], name: string): Promise<string> {
    const form = new FormData();
    form.set("mode", "smart");
    form.set("file", new Blob([`${[HEADER, ...lines].join("\n")}\n`]), name);
    const response = await api("/validate/", { method: "POST", body: form });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    await waitFor(`${name} validated`, async () =>
      (await jobOf(id)).status === "validated" ? true : undefined,
    );
    return id;
  }

  async function requestCommit(id: string): Promise<void> {
    const response = await api(`/${id}/commit/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ allow_partial: false }),
    });
    expect(response.status).toBe(202);
  }

  const ended = (id: string) =>
    waitFor(`${id} to end its commit`, async () => {
      const job = await jobOf(id);
      return job.status === "success" || job.status === "failed" ? job : undefined;
    });

  /** The open commit transactions, by job: their wait (if any) and backend. */
  async function commitSessions(): Promise<Map<string, { wait: string | null; pid: number }>> {
    const { rows } = await holder.query<{
      application_name: string;
      wait_event_type: string | null;
      wait_event: string | null;
      pid: number;
    }>(
      `SELECT application_name, wait_event_type, wait_event, pid FROM pg_stat_activity
        WHERE datname = current_database() AND application_name LIKE 'catalog-import-commit:%'`,
    );
    return new Map(
      rows.map((row) => [
        row.application_name,
        {
          wait: row.wait_event_type && `${row.wait_event_type}:${row.wait_event}`,
          pid: row.pid,
        },
      ]),
    );
  }

  /** Which worker processes logged "Commit transaction open" for job `id`. */
  const openedBy = (id: string) =>
    system.workers
      .map((worker, index) => ({ worker, index }))
      .filter(({ worker }) =>
        worker
          .logLines()
          .some((line) => line.msg === "Commit transaction open" && line.job_id === id),
      )
      .map(({ index }) => index);

  it("run two commits of disjoint rows at the same time, and two overlapping ones one after the other, consistent", async () => {
    const base = await validated(
      Array.from({ length: 10 }, (_, i) => `Ocaklar,Product ${i},TWO-${i},10.00`),
      "base.csv",
    );
    await requestCommit(base);
    expect(await ended(base)).toEqual({ status: "success", failure_code: null });

    // Disjoint: each creates a product of its own (held at the gate), both rely on Ocaklar.
    const a = await validated(["Ocaklar,Gate A,GATE-A,1.00"], "a.csv");
    const b = await validated(["Ocaklar,Gate B,GATE-B,2.00"], "b.csv");
    await holder.query("SELECT pg_advisory_lock($1)", [GATE]);
    let together: Map<string, { wait: string | null; pid: number }>;
    try {
      await requestCommit(a);
      await requestCommit(b);
      // Both open at once, each at the gate (the gate is the only advisory lock a
      // commit can wait on here: commits take the catalog write lock shared).
      together = await waitFor("both commit transactions open at once, at the gate", async () => {
        const sessions = await commitSessions();
        return [a, b].every(
          (id) => sessions.get(commitApplicationName(id))?.wait === "Lock:advisory",
        )
          ? sessions
          : undefined;
      });
    } finally {
      await holder.query("SELECT pg_advisory_unlock($1)", [GATE]);
    }
    expect(together.get(commitApplicationName(a))?.pid).not.toBe(
      together.get(commitApplicationName(b))?.pid,
    );
    expect(await ended(a)).toEqual({ status: "success", failure_code: null });
    expect(await ended(b)).toEqual({ status: "success", failure_code: null });
    // One in each process.
    expect([...openedBy(a), ...openedBy(b)].sort()).toEqual([0, 1]);

    // Overlapping: both update TWO-0..TWO-4 (and create a product of their own).
    const update = (price: string, gate: string) => [
      ...Array.from({ length: 5 }, (_, i) => `Ocaklar,Product ${i},TWO-${i},${price}`),
      `Ocaklar,Gate ${gate},GATE-${gate},3.00`,
    ];
    const x = await validated(update("30.00", "X"), "x.csv");
    const y = await validated(update("40.00", "Y"), "y.csv");
    await holder.query("SELECT pg_advisory_lock($1)", [GATE]);
    let overlapping: Map<string, { wait: string | null; pid: number }>;
    try {
      await requestCommit(x);
      await waitFor("x at the gate", async () =>
        (await commitSessions()).get(commitApplicationName(x))?.wait === "Lock:advisory"
          ? true
          : undefined,
      );
      await requestCommit(y);
      overlapping = await waitFor("y waiting for x's rows", async () => {
        const sessions = await commitSessions();
        const wait = sessions.get(commitApplicationName(y))?.wait;
        return wait?.startsWith("Lock:") && wait !== "Lock:advisory" ? sessions : undefined;
      });
    } finally {
      await holder.query("SELECT pg_advisory_unlock($1)", [GATE]);
    }
    expect(overlapping.get(commitApplicationName(x))?.wait).toBe("Lock:advisory");
    expect(await ended(x)).toEqual({ status: "success", failure_code: null });
    expect(await ended(y)).toEqual({ status: "failed", failure_code: "SNAPSHOT_STALE" });
    expect([...openedBy(x), ...openedBy(y)].sort()).toEqual([0, 1]);

    const catalog = await dumpCatalog(database.db);
    for (let i = 0; i < 10; i++)
      expect(catalog.variants[`TWO-${i}`]?.price).toBe(i < 5 ? "30.00" : "10.00");
    expect(Object.keys(catalog.products).filter((slug) => slug.startsWith("gate-"))).toEqual([
      "gate-a",
      "gate-b",
      "gate-x",
    ]);
    // No deadlock anywhere: no worker logged one.
    const deadlocks = system.workers
      .flatMap((worker) => worker.logLines())
      .filter((line) => JSON.stringify(line).includes("deadlock"));
    expect(deadlocks).toEqual([]);
  });
});

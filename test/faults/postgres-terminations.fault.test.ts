/**
 * Fault (a): Postgres ends every session of the service's database
 * (pg_terminate_backend on all of them, as a restart, a failover or a proxy's
 * idle timeout would), during a validation, during a commit and while idle,
 * REPEATS times each, against the API and two worker processes.
 * Expected: no process exits, no commit half-applied, every job ends as it
 * would have without the fault (validated; committed in full).
 */
import {
  createTestDatabase,
  type RunningSystem,
  startSystem,
  type TestDatabase,
  terminateBackends,
} from "@catalog/testing";
import {
  type ApiClient,
  apiClient,
  commitsWaitingOnLock,
  FAULT_ENV,
  halfApplied,
  holdCommitLock,
  isFinal,
  REPEATS,
  recordFigures,
  type TrackedJob,
  uploadTracked,
  sleep,
  statusOf,
  waitForJob,
  waitForStatus,
  workerLogs,
} from "./support/fault-kit";

jest.setTimeout(30 * 60_000);

/** Rows per file: enough for a validation to last a moment. */
const ROWS = 2_000;

describe("fault (a): every Postgres backend terminated", () => {
  let database: TestDatabase;
  let system: RunningSystem;
  let api: ApiClient;
  const jobs: TrackedJob[] = [];
  const figures = {
    validate: { trials: 0, landedWhileValidating: 0, sessionsTerminated: 0, endedValidated: 0 },
    commit: { trials: 0, landedInsideTransaction: 0, sessionsTerminated: 0, endedCommitted: 0 },
    idle: { trials: 0, sessionsTerminated: 0, nextJobCommitted: 0 },
    attemptsRetried: 0,
    processExits: 0,
    halfAppliedCommits: 0,
    jobs: 0,
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    system = await startSystem({ databaseUrl: database.url, db: database.db, env: FAULT_ENV });
    api = await apiClient(system);
  });
  afterAll(async () => {
    figures.attemptsRetried = workerLogs(system, /attempt failed: retry scheduled/).length;
    figures.processExits = system.unexpectedExits().length;
    figures.jobs = jobs.length;
    recordFigures("postgres-terminations", figures);
    await system?.stop({ keepLogs: figures.processExits > 0 });
    await database?.drop();
  });

  const upload = (tag: string, rows = ROWS) => uploadTracked(api, jobs, tag, rows);

  it(`terminates them during a validation, ${REPEATS} times: every job ends validated`, async () => {
    for (let trial = 1; trial <= REPEATS; trial++) {
      const id = await upload(`PGV${trial}`);
      const before = await waitForStatus(database.db, id, ["validating", "validated", "failed"]);
      const terminated = await terminateBackends(database.name);
      // The fault was injected: sessions of the service's database were ended.
      expect(terminated).toBeGreaterThan(0);
      figures.validate.trials += 1;
      figures.validate.sessionsTerminated += terminated;
      if (before === "validating") figures.validate.landedWhileValidating += 1;

      const done = await waitForJob(api, id, isFinal);
      expect(done).toMatchObject({ status: "validated", failure: null });
      expect(done.summary).toMatchObject({ errors: 0, variants: { create: ROWS } });
      figures.validate.endedValidated += 1;
    }
    expect(figures.validate.landedWhileValidating).toBe(REPEATS);
  });

  it(`terminates them during a commit (inside its transaction), ${REPEATS} times: every commit applies in full`, async () => {
    for (let trial = 1; trial <= REPEATS; trial++) {
      const id = await upload(`PGC${trial}`);
      await waitForJob(api, id, isFinal);
      // The commit waits for the catalog lock inside its transaction: the fault lands there.
      const lock = await holdCommitLock(database.url);
      expect(await api.commit(id)).toBe(202);
      for (let i = 0; i < 300 && (await commitsWaitingOnLock(database.db)) === 0; i++)
        await sleep(20);
      const inside = (await commitsWaitingOnLock(database.db)) > 0;
      const terminated = await terminateBackends(database.name);
      await lock.release();
      expect(terminated).toBeGreaterThan(0);
      figures.commit.trials += 1;
      figures.commit.sessionsTerminated += terminated;
      if (inside) figures.commit.landedInsideTransaction += 1;

      const done = await waitForJob(api, id, (job) =>
        ["success", "partial", "failed"].includes(job.status),
      );
      expect(done).toMatchObject({ status: "success", failure: null });
      expect(done.result).toMatchObject({ variants: { create: ROWS } });
      figures.commit.endedCommitted += 1;
    }
    expect(figures.commit.landedInsideTransaction).toBe(REPEATS);
  });

  it(`terminates them while idle, ${REPEATS} times: the next job validates and commits`, async () => {
    for (let trial = 1; trial <= REPEATS; trial++) {
      await sleep(500);
      const terminated = await terminateBackends(database.name);
      expect(terminated).toBeGreaterThan(0);
      figures.idle.trials += 1;
      figures.idle.sessionsTerminated += terminated;

      const id = await upload(`PGI${trial}`);
      await waitForJob(api, id, isFinal);
      expect(await statusOf(database.db, id)).toBe("validated");
      expect(await api.commit(id)).toBe(202);
      const done = await waitForJob(api, id, (job) =>
        ["success", "partial", "failed"].includes(job.status),
      );
      expect(done.status).toBe("success");
      figures.idle.nextJobCommitted += 1;
    }
  });

  it("leaves no process exited and no commit half-applied", async () => {
    figures.halfAppliedCommits = (await halfApplied(database.db, jobs)).length;
    expect(await halfApplied(database.db, jobs)).toEqual([]);
    expect(system.unexpectedExits().map((p) => p.name)).toEqual([]);
    expect(jobs).toHaveLength(3 * REPEATS);
  });
});

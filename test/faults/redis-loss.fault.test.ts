/**
 * Fault (b): Redis loses every queue, by FLUSHALL and by a restart without
 * persistence (the suite's own redis-server; the shared one is never touched),
 * while jobs are validating, waiting to be validated (pending) and waiting to
 * be committed (validated, commit requested). No process is restarted.
 * Expected: every job ends where it would have without the fault (validated;
 * committed), within the lost-work bound (LOST_WORK_AFTER_S + REAPER_INTERVAL_S
 * + MAINTENANCE_TICK_S) plus the work itself; no process exits.
 */
import {
  createTestDatabase,
  type RunningSystem,
  startSystem,
  type TestDatabase,
} from "@catalog/testing";
import { Redis } from "ioredis";
import {
  type ApiClient,
  apiClient,
  FAULT_ENV,
  halfApplied,
  holdCommitLock,
  isFinal,
  LOST_WORK_BOUND_S,
  recordFigures,
  type TrackedJob,
  uploadTracked,
  sleep,
  waitForJob,
  workerLogs,
} from "./support/fault-kit";

jest.setTimeout(30 * 60_000);

/** Validations to have in flight: two workers validate one at a time, the rest wait. */
const VALIDATIONS = 6;
const VALIDATE_ROWS = 10_000;
/** Commits to request while the catalog lock is held: two run (blocked), the rest wait. */
const COMMITS = 3;
const COMMIT_ROWS = 200;

interface Trial {
  fault: "flush" | "restart";
  /** Job statuses in Postgres at the moment of the fault. */
  atFault: { validating: number; pending: number; commitWaiting: number; commitRunning: number };
  jobs: number;
  ended: number;
  requeuedByReaper: number;
  /** Seconds from the fault until every job ended as expected. */
  recoverySeconds: number;
}

describe("fault (b): Redis loses its queues", () => {
  let database: TestDatabase;
  let system: RunningSystem;
  let api: ApiClient;
  const all: TrackedJob[] = [];
  const trials: Trial[] = [];
  const pids: number[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    system = await startSystem({
      databaseUrl: database.url,
      db: database.db,
      env: FAULT_ENV,
      workerEnv: { VALIDATE_CONCURRENCY: "1", COMMIT_CONCURRENCY: "1" },
    });
    api = await apiClient(system);
    pids.push(...[system.api, ...system.workers].map((p) => p?.pid ?? 0));
  });
  afterAll(async () => {
    recordFigures("redis-loss", {
      lostWorkBoundSeconds: LOST_WORK_BOUND_S,
      trials,
      processExits: system.unexpectedExits().length,
      processesRestarted: [system.api, ...system.workers].filter((p, i) => p?.pid !== pids[i])
        .length,
      halfAppliedCommits: (await halfApplied(database.db, all)).length,
    });
    await system?.stop({ keepLogs: system.unexpectedExits().length > 0 });
    await database?.drop();
  });

  const upload = (tag: string, rows: number) => uploadTracked(api, all, tag, rows);

  async function countAtFault(commitIds: string[]): Promise<Trial["atFault"]> {
    const rows = await database.db
      .selectFrom("ops_importjob")
      .select(["id", "status", "commit_requested_at"])
      .where(
        "id",
        "in",
        all.map((job) => job.id),
      )
      .execute();
    const of = (status: string, commit: boolean) =>
      rows.filter((r) => r.status === status && commitIds.includes(r.id) === commit).length;
    return {
      validating: of("validating", false),
      pending: of("pending", false),
      commitWaiting: of("validated", true),
      commitRunning: of("running", true),
    };
  }

  async function trial(fault: Trial["fault"], index: number): Promise<void> {
    // Validated jobs whose commits wait: two inside their transaction (the lock), one queued.
    const commitIds: string[] = [];
    for (let i = 1; i <= COMMITS; i++) commitIds.push(await upload(`RC${index}${i}`, COMMIT_ROWS));
    for (const id of commitIds) await waitForJob(api, id, isFinal);
    const lock = await holdCommitLock(database.url);
    for (const id of commitIds) expect(await api.commit(id)).toBe(202);
    // Validations: two in progress, the rest pending.
    const validateIds: string[] = [];
    for (let i = 1; i <= VALIDATIONS; i++)
      validateIds.push(await upload(`RV${index}${i}`, VALIDATE_ROWS));
    for (let i = 0; i < 200; i++) {
      const now = await countAtFault(commitIds);
      if (now.validating >= 2 && now.commitRunning >= 2) break;
      await sleep(25);
    }

    const redis = system.redis;
    if (!redis) throw new Error("the fault suite runs its own redis-server");
    const atFault = await countAtFault(commitIds);
    const faultAt = Date.now();
    if (fault === "flush") {
      const client = new Redis(redis.url);
      await client.flushall();
      client.disconnect();
    } else {
      await redis.restart();
    }
    await lock.release();

    for (const id of validateIds) {
      const done = await waitForJob(api, id, isFinal, 300_000, 250);
      expect(done).toMatchObject({ status: "validated", failure: null });
    }
    for (const id of commitIds) {
      const done = await waitForJob(
        api,
        id,
        (job) => ["success", "partial", "failed"].includes(job.status),
        300_000,
        250,
      );
      expect(done).toMatchObject({ status: "success", failure: null });
    }
    const recoverySeconds = Math.round((Date.now() - faultAt) / 100) / 10;
    const requeued = workerLogs(
      system,
      /(Lost job|Stranded commit) re-enqueued by the reaper/,
    ).filter((line) => [...validateIds, ...commitIds].includes(String(line.job_id))).length;
    trials.push({
      fault,
      atFault,
      jobs: validateIds.length + commitIds.length,
      ended: validateIds.length + commitIds.length,
      requeuedByReaper: requeued,
      recoverySeconds,
    });
    // The fault hit work in every state it is meant to.
    expect(atFault.validating).toBeGreaterThan(0);
    expect(atFault.pending).toBeGreaterThan(0);
    expect(atFault.commitWaiting + atFault.commitRunning).toBe(COMMITS);
    // Among them, a requested commit still waiting for a worker (validated, commit requested).
    expect(atFault.commitWaiting).toBeGreaterThan(0);
    expect(requeued).toBeGreaterThan(0);
  }

  it("FLUSHALL with jobs validating, pending and commit-requested: every job ends as without the fault", async () => {
    await trial("flush", 1);
  });

  it("a restart without persistence, the same: every job ends as without the fault", async () => {
    await trial("restart", 2);
  });

  it("restarted no process, and no process exited; no commit half-applied", async () => {
    expect(system.unexpectedExits().map((p) => p.name)).toEqual([]);
    expect([system.api, ...system.workers].map((p) => p?.pid)).toEqual(pids);
    // Both trials' jobs are checked, not an empty list.
    expect(all).toHaveLength(2 * (VALIDATIONS + COMMITS));
    expect(await halfApplied(database.db, all)).toEqual([]);
    // No job was failed by the reaper.
    const reaped = await database.db
      .selectFrom("ops_importjob")
      .select("id")
      .where("failure_code", "=", "STUCK_JOB_REAPED")
      .execute();
    expect(reaped).toEqual([]);
  });
});

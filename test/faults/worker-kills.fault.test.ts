/**
 * The kill suite: a worker process SIGKILLed at 26 places of a job's life
 * (validate; the report work after validation and after commit; commit before,
 * inside and waiting for its transaction; the work after COMMIT; revert), with
 * another worker running. Nothing here calls a
 * handler: killed work comes back through BullMQ's own redelivery (the lock
 * expires, a stalled check puts the job back), to whichever live worker takes it.
 *
 * Placing a kill. Each round starts one victim worker per place, armed with that
 * one failpoint (CATALOG_FAILPOINTS, packages/failpoints), and taking one job of
 * each kind at a time. The worker that survives every round is paused (SIGSTOP)
 * only while the round's work is handed out, so that each victim takes one job and
 * stops at its place; it runs again before the kill. The wait for the commit lock
 * is placed without a failpoint: the test holds the lock. Where each victim stopped
 * is then asserted from outside: its `failpoint reached` line names the point and
 * the job, and Postgres and S3 show what that point means (the commit transaction
 * open under `catalog-import-commit:<job>` on the backend the victim logged, the
 * tables it has written by the write locks it holds, its rows invisible outside;
 * validation's recording transaction and the report work's transaction by the
 * lock each holds and what it wrote; the job's status and report status; the
 * objects stored). A report round's victims take the report work of jobs they
 * validated or committed themselves while the survivor is paused; they start
 * only once the earlier rounds recovered, so no earlier job's report work
 * reaches a victim armed for reports. Then each victim is SIGKILLed, and the
 * backend of a transaction it held open must be gone (rolled back).
 *
 * Per kill: the job ends as without the kill (validated; success with db_verify;
 * reverted), exactly once (change-log rows = the plan's creates and updates), its
 * snapshot hashes to the recorded hash, its report is ready and in S3 as recorded
 * (after a commit: the report written after it); the queue
 * work completed after exactly one stall, run again by another process. At the
 * end the whole catalog equals a fault-free run of the same files (a second
 * system with a database of its own, run meanwhile) and no process exited unasked.
 * Recovery time: from the kill until the job is final and its queue work completed.
 */
import { FAILPOINT_NAMES, type FailpointName } from "@catalog/failpoints";
import { closeImportQueues, createImportQueues, type ImportQueues } from "@catalog/jobs";
import { createProducerConnection, type QueueKind, queueJobId } from "@catalog/queue";
import { getObjectBuffer } from "@catalog/storage";
import {
  createTestDatabase,
  dumpCatalog,
  type ManagedProcess,
  type RunningSystem,
  startSystem,
  type TestDatabase,
} from "@catalog/testing";
import {
  type ApiClient,
  apiClient,
  commitLockWaiters,
  FAULT_ENV,
  holdCommitLock,
  recordFigures,
  sleep,
} from "./support/fault-kit";
import {
  backendAlive,
  baseCsv,
  CREATED,
  changeKeys,
  createdVariantsOf,
  faultFreeRun,
  type JobRow,
  jobCsv,
  jobRow,
  median,
  objectHash,
  openTransactionOf,
  plannedChanges,
  type Reference,
  reportLockHolder,
  sha256,
  tablesWrittenBy,
  UPDATED,
  validationLockHolder,
} from "./support/kill-kit";

jest.setTimeout(30 * 60_000);

/** Redelivery within about lock + stalled interval; the lock is renewed every 1.5 s. */
const LOCK_DURATION_S = 3;
const STALLED_INTERVAL_S = 0.5;
const KILL_ENV: NodeJS.ProcessEnv = {
  ...FAULT_ENV,
  QUEUE_LOCK_DURATION_S: String(LOCK_DURATION_S),
  QUEUE_STALLED_INTERVAL_S: String(STALLED_INTERVAL_S),
};
/** A victim takes one job of each kind at a time, so it holds exactly the one it stops. */
const VICTIM_ENV: NodeJS.ProcessEnv = { VALIDATE_CONCURRENCY: "1", COMMIT_CONCURRENCY: "1" };
// (The report work runs with VALIDATE_CONCURRENCY: one at a time in a victim too.)

/** The one place killed without a failpoint: the commit's wait for the commit lock. */
const LOCK_WAIT = "commit.waiting-for-lock";
type KillPoint = FailpointName | typeof LOCK_WAIT;
type Work = Extract<QueueKind, "validate" | "commit" | "revert" | "report">;

/**
 * The rounds: the places of one round are killed at once, each in its own victim
 * holding its own job. A round holds at most one place inside a transaction (the
 * jobs' commits could run together, their rows are their own, but one open
 * transaction per round keeps each round's Postgres evidence its own), and places
 * after COMMIT never share a round with one. A report round hands out validations
 * (`after`) or commits, whose report work the victims then take.
 */
const ROUNDS: { work: Work; points: KillPoint[]; after?: "validate" | "commit" }[] = [
  {
    work: "validate",
    points: [
      "validate.started",
      "validate.downloading",
      "validate.rows-read",
      "validate.planned",
      "validate.record.job-locked",
    ],
  },
  {
    work: "validate",
    points: ["validate.record.snapshot-stored", "validate.record.marked", "validate.recorded"],
  },
  {
    work: "report",
    after: "validate",
    points: ["report.data-sheet-written", "report.stored", "report.recorded"],
  },
  { work: "commit", points: [LOCK_WAIT, "commit.claimed"] },
  { work: "commit", points: ["commit.tx.open", "commit.snapshot-read"] },
  { work: "commit", points: ["commit.tx.catalog-written"] },
  { work: "commit", points: ["commit.tx.change-logged"] },
  { work: "commit", points: ["commit.tx.finished"] },
  {
    work: "commit",
    points: ["post-commit.started", "post-commit.verified", "post-commit.recorded"],
  },
  { work: "report", after: "commit", points: ["report.data-sheet-written", "report.stored"] },
  { work: "revert", points: ["revert.tx.open"] },
  { work: "revert", points: ["revert.tx.catalog-restored"] },
  { work: "revert", points: ["revert.committed"] },
];

/**
 * Jobs: one per commit kill (the report work after commit included); the first
 * eleven are each killed while validating or while their validation's report is written.
 */
const TAGS = Array.from({ length: 12 }, (_, index) => `K${String(index + 1).padStart(2, "0")}`);
/** Jobs whose validation is not killed (validated before the rounds). */
const CLEAN_VALIDATIONS = ["K12"];
/** The first round of each kind of work, and the revert rounds. */
const FIRST_COMMIT_ROUND = 3;
const FIRST_REVERT_ROUND = 10;
/** Jobs reverted in the revert rounds (and in the fault-free run). */
const REVERTED = ["K01", "K02", "K03"];

type TransactionPoint = Extract<FailpointName, `commit.tx.${string}` | `revert.tx.${string}`>;

/** Tables validation's recording transaction has written at each place inside it. */
const RECORDING_WRITTEN_AT: Record<string, string[]> = {
  "validate.record.job-locked": [],
  "validate.record.snapshot-stored": [],
  "validate.record.marked": ["catalog_media", "ops_importjob"],
};

/** Tables the report work's transaction has written at each place inside it. */
const REPORT_WRITTEN_AT: Record<string, string[]> = {
  "report.data-sheet-written": [],
  "report.stored": ["catalog_media"],
};

/** Tables a commit or revert transaction has written (INSERT, UPDATE, DELETE) at each place inside it. */
const WRITTEN_AT: Record<TransactionPoint, string[]> = {
  "commit.tx.open": [],
  "commit.tx.catalog-written": ["catalog_variant", "ops_import_change"],
  "commit.tx.change-logged": ["catalog_variant", "ops_import_change"],
  "commit.tx.finished": ["catalog_variant", "ops_import_change", "ops_importjob"],
  "revert.tx.open": [],
  "revert.tx.catalog-restored": ["catalog_variant"],
};

/** One kill: where, which victim, which job, and what came of it. */
interface Trial {
  work: Work;
  /** A report round's: the work whose report is killed (a validation's, or a commit's). */
  after?: "validate" | "commit";
  point: KillPoint;
  victim: ManagedProcess;
  jobId: string;
  tag: string;
  queueJobId: string;
  /** What Postgres and S3 showed at the kill. */
  evidence: string;
  /** The backend of the transaction the kill left open (none outside a transaction). */
  backendPid?: number;
  /** Milliseconds from the kill until that backend was gone (its transaction rolled back). */
  rolledBackMs?: number;
  killedAt: number;
  recoveryMs: number;
  /** The process whose redelivered run finished the work. */
  recoveredBy: string;
}

describe("worker kills: SIGKILL at 26 places, recovered by BullMQ redelivery", () => {
  let database: TestDatabase;
  let system: RunningSystem;
  let api: ApiClient;
  let survivor: ManagedProcess;
  let producer: ReturnType<typeof createProducerConnection>;
  let queues: ImportQueues;
  let reference: Promise<Reference>;
  const jobs = new Map<string, string>();
  const tagOf = new Map<string, string>();
  const trials: Trial[] = [];
  /** Victims of the next round, started as soon as the previous round is killed. */
  let nextVictims: Promise<ManagedProcess[]> | undefined;
  /** Recoveries of the last round killed. */
  let recovering: Promise<void>[] = [];
  let catalogMatchesFaultFree = false;

  const db = () => database.db;

  beforeAll(async () => {
    reference = faultFreeRun(KILL_ENV, TAGS, REVERTED);
    reference.catch(() => undefined);
    database = await createTestDatabase();
    system = await startSystem({
      databaseUrl: database.url,
      db: database.db,
      env: KILL_ENV,
      workers: 1,
    });
    survivor = system.workers[0] as ManagedProcess;
    api = await apiClient(system);
    producer = createProducerConnection(system.env.REDIS_URL as string);
    queues = createImportQueues(producer, system.env.QUEUE_PREFIX as string);
  });

  afterAll(async () => {
    const recovered = trials.filter((trial) => trial.recoveryMs >= 0);
    const times = recovered.map((trial) => trial.recoveryMs);
    const figures = {
      settings: { lockDurationS: LOCK_DURATION_S, stalledIntervalS: STALLED_INTERVAL_S },
      kills: trials.length,
      byWork: {
        validate: trials.filter((trial) => trial.work === "validate").length,
        report: trials.filter((trial) => trial.work === "report").length,
        commit: trials.filter((trial) => trial.work === "commit").length,
        revert: trials.filter((trial) => trial.work === "revert").length,
      },
      // Killed with a transaction open (validate's recording one, the report's, commit's, revert's), asserted.
      insideTransaction: trials.filter(
        (trial) => trial.backendPid !== undefined && trial.point !== LOCK_WAIT,
      ).length,
      waitingForCommitLock: trials.filter((trial) => trial.point === LOCK_WAIT).length,
      rolledBackWithinMs: Math.max(0, ...trials.map((trial) => trial.rolledBackMs ?? 0)),
      recovered: recovered.length,
      recoveryMs: { median: Math.round(median(times)), max: Math.max(0, ...times) },
      catalogMatchesFaultFree,
      processExits: system?.unexpectedExits().map((process) => process.name) ?? [],
      points: trials.map((trial) => ({
        work: trial.work,
        point: trial.point,
        job: trial.tag,
        recoveryMs: trial.recoveryMs,
        recoveredBy: trial.recoveredBy,
        evidence: trial.evidence,
        rolledBackMs: trial.rolledBackMs,
      })),
    };
    printTable();
    recordFigures("worker-kills", figures);
    await Promise.allSettled(recovering);
    await nextVictims?.catch(() => undefined);
    if (queues) await closeImportQueues(queues).catch(() => undefined);
    producer?.disconnect();
    await system?.stop({ keepLogs: figures.processExits.length > 0 });
    await database?.drop();
    await reference?.catch(() => undefined);
  });

  function printTable() {
    const rows = trials.map(
      (trial, index) =>
        `${String(index + 1).padStart(2)} ${trial.work.padEnd(8)} ${trial.point.padEnd(32)} ${trial.tag} ${
          trial.recoveryMs >= 0
            ? `${(trial.recoveryMs / 1000).toFixed(1).padStart(5)} s`
            : "    -  "
        }  ${trial.recoveredBy.padEnd(9)} ${trial.evidence}${
          trial.rolledBackMs === undefined
            ? ""
            : `; backend gone ${trial.rolledBackMs} ms after the kill`
        }`,
    );
    const times = trials.filter((trial) => trial.recoveryMs >= 0).map((trial) => trial.recoveryMs);
    process.stdout.write(
      `\nworker kills (lock ${LOCK_DURATION_S} s, stalled check every ${STALLED_INTERVAL_S} s): ${trials.length} kills, recovery median ${(median(times) / 1000).toFixed(1)} s, max ${(Math.max(0, ...times) / 1000).toFixed(1)} s\n #  work     place                            job  recovery  run by    at the kill\n${rows.join("\n")}\n`,
    );
  }

  /** Uploads a job file, expecting 202; returns the job id. */
  async function upload(tag: string): Promise<string> {
    const response = await api.upload(jobCsv(tag), `kill-${tag}.csv`);
    expect(response.status).toBe(202);
    const { id } = response.body as { id: string };
    jobs.set(tag, id);
    tagOf.set(id, tag);
    return id;
  }

  async function waitFor(id: string, done: (row: JobRow) => boolean, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const row = await jobRow(db(), id);
      if (done(row)) return row;
      if (Date.now() > deadline) throw new Error(`job ${tagOf.get(id)} is still ${row.status}`);
      await sleep(50);
    }
  }

  const startVictims = (round: number): Promise<ManagedProcess[]> => {
    const spec = ROUNDS[round];
    if (!spec) return Promise.resolve([]);
    return Promise.all(
      spec.points.map((point) =>
        system.startWorker({ ...VICTIM_ENV, CATALOG_FAILPOINTS: point === LOCK_WAIT ? "" : point }),
      ),
    );
  };

  /** Waits until `victim` stopped where it should and returns the job it holds. */
  async function reached(victim: ManagedProcess, work: Work, point: KillPoint): Promise<string> {
    if (point === LOCK_WAIT) {
      await victim.waitForOutput(/"msg":"commit work started"/, 60_000);
      const started = victim.logLines().find((entry) => entry.msg === "commit work started");
      // Claimed, and its transaction waits for the lock the test holds.
      for (let i = 0; i < 600 && (await commitLockWaiters(db())).length === 0; i++) await sleep(50);
      return String(started?.job_id);
    }
    await victim.waitForOutput(/"msg":"failpoint reached"/, 60_000);
    const stops = victim.logLines().filter((entry) => entry.msg === "failpoint reached");
    expect(stops).toHaveLength(1);
    expect(stops[0]).toMatchObject({ failpoint: point, queue: work });
    return String(stops[0]?.job_id);
  }

  /**
   * The report's bytes in S3 and as the Media table records them (by SHA-256), and
   * whether that record was written after the job's commit (the rewritten report).
   */
  async function reportHashes(row: JobRow) {
    const key = row.report_key ?? `reports/import_report_${row.id}.xlsx`;
    const media = await db()
      .selectFrom("catalog_media")
      .select(["sha256", "created_at"])
      .where("object_key", "=", key)
      .executeTakeFirst();
    return {
      stored: await objectHash(system.store, key),
      recorded: media?.sha256.trim() ?? null,
      rewritten:
        media !== undefined &&
        row.completed_at !== null &&
        media.created_at.getTime() >= row.completed_at.getTime(),
    };
  }

  /**
   * Asserts from Postgres and S3 that the victim of `trial` stands where its point
   * says; returns what was seen, and the backend of the transaction it holds open.
   */
  async function position(
    trial: Pick<Trial, "work" | "after" | "point" | "jobId" | "tag" | "victim">,
  ): Promise<{ evidence: string; backendPid?: number }> {
    const { point, jobId, tag, victim } = trial;
    const row = await jobRow(db(), jobId);
    const queued = await queues[trial.work].getJob(queueId(trial.work, row));
    expect(await queued?.getState()).toBe("active");
    const transaction = await openTransactionOf(db(), jobId);
    const recording = await validationLockHolder(db(), jobId);

    if (trial.work === "validate") {
      if (point === "validate.recorded") {
        expect(row.status).toBe("validated");
        expect(recording).toBeUndefined();
        return { evidence: "validated (committed); its queue work still active" };
      }
      expect(row).toMatchObject({ status: "validating", snapshot_hash: null });
      const snapshot = await objectHash(system.store, `snapshots/import_snapshot_${jobId}.json`);
      const report = await reportHashes(row);
      // Validation never writes the report (its own work does, after): none at any place.
      expect(report.stored).toBeNull();
      if (!point.startsWith("validate.record.")) {
        expect(recording).toBeUndefined();
        expect(snapshot).toBeNull();
        return { evidence: "validating; no recording transaction, nothing stored" };
      }
      // Inside the recording transaction: its lock held by a backend idle in it, which wrote what the place says.
      expect(recording?.state).toBe("idle in transaction");
      const backendPid = recording?.pid as number;
      const written = await tablesWrittenBy(db(), backendPid);
      expect(written).toEqual(RECORDING_WRITTEN_AT[point]);
      const inside = `recording transaction open on backend ${backendPid}, wrote ${written.join(", ") || "nothing"}`;
      if (point === "validate.record.job-locked") {
        expect(snapshot).toBeNull();
        return { evidence: `${inside}; nothing stored`, backendPid };
      }
      expect(snapshot).not.toBeNull();
      return {
        evidence: `${inside}; snapshot in S3, hash not recorded${point === "validate.record.marked" ? "; validating outside" : ""}; no report`,
        backendPid,
      };
    }

    if (trial.work === "report") {
      // After validation (validated), or after the commit (success, db_verify recorded).
      expect(row.status).toBe(trial.after === "commit" ? "success" : "validated");
      const lock = await reportLockHolder(db(), jobId);
      const report = await reportHashes(row);
      const after = row.status === "success" ? "committed" : "validated";
      if (point === "report.recorded") {
        expect(lock).toBeUndefined();
        expect(row.report_status).toBe("ready");
        expect(report.stored).not.toBeNull();
        expect(report.stored).toBe(report.recorded);
        return { evidence: `${after}; report ready (committed); its queue work still active` };
      }
      expect(row.report_status).toBe("pending");
      expect(lock?.state).toBe("idle in transaction");
      const backendPid = lock?.pid as number;
      const written = await tablesWrittenBy(db(), backendPid);
      expect(written).toEqual(REPORT_WRITTEN_AT[point]);
      const inside = `${after}, report pending; report transaction open on backend ${backendPid}, wrote ${written.join(", ") || "nothing"}`;
      if (row.status === "success") {
        expect(row.db_verify).not.toBeNull();
        // The validation's report is what Media records (the rewrite is not committed).
        expect(report.rewritten).toBe(false);
        expect(report.recorded).not.toBeNull();
      } else {
        expect(report.recorded).toBeNull();
      }
      if (point === "report.data-sheet-written") {
        // Being written: what S3 holds is still the report before it (or none).
        expect(report.stored).toBe(report.recorded);
        return { evidence: `${inside}; the report being written, not in S3`, backendPid };
      }
      expect(report.stored).not.toBeNull();
      expect(report.stored).not.toBe(report.recorded);
      return { evidence: `${inside}; the new report in S3, not recorded`, backendPid };
    }

    if (point === LOCK_WAIT) {
      expect(row.status).toBe("running");
      const waiting = await commitLockWaiters(db());
      expect(waiting).toHaveLength(1);
      expect(transaction).toEqual([]);
      return {
        evidence: `running; backend ${waiting[0]} in its transaction, waiting for the commit lock (held by the test)`,
        backendPid: waiting[0],
      };
    }
    if (point === "commit.claimed" || point === "commit.snapshot-read") {
      expect(row.status).toBe("running");
      expect(transaction).toEqual([]);
      return { evidence: "running; no transaction open" };
    }
    if (point.startsWith("commit.tx.") || point.startsWith("revert.tx.")) {
      const opened = victim
        .logLines()
        .find((entry) => entry.msg === "Commit transaction open" && entry.job_id === jobId);
      expect(transaction).toHaveLength(1);
      expect(transaction[0]).toMatchObject({
        pid: opened?.backend_pid,
        state: "idle in transaction",
      });
      const pid = transaction[0]?.pid as number;
      const written = await tablesWrittenBy(db(), pid);
      expect(written).toEqual(WRITTEN_AT[point as TransactionPoint]);
      if (point.startsWith("revert.")) {
        expect(row.status).toBe("success");
        expect(await createdVariantsOf(db(), tag)).toBe(CREATED);
      } else {
        expect(row.status).toBe("running");
        // What the transaction wrote is not visible outside it.
        expect(await changeKeys(db(), jobId)).toEqual([]);
        expect(await createdVariantsOf(db(), tag)).toBe(0);
      }
      return {
        evidence: `transaction catalog-import-commit:<job> open on backend ${pid}, wrote ${written.join(", ") || "nothing"}; ${row.status} outside`,
        backendPid: pid,
      };
    }
    expect(transaction).toEqual([]);
    if (point === "revert.committed") {
      expect(row.status).toBe("reverted");
      expect(await createdVariantsOf(db(), tag)).toBe(0);
      return { evidence: "reverted (committed); its queue work still active" };
    }
    // After COMMIT: the result's report asked for (pending), the validation's still in S3.
    expect(row).toMatchObject({ status: "success", report_status: "pending" });
    const report = await reportHashes(row);
    expect(report.stored).toBe(report.recorded);
    expect(report.rewritten).toBe(false);
    if (point === "post-commit.recorded") {
      expect(row.db_verify).not.toBeNull();
      // Its report work was not enqueued: the reaper enqueues it from Postgres.
      expect(await queues.report.getJob(queueId("report", row))).toBeUndefined();
      return {
        evidence:
          "committed; db_verify recorded, report pending, its work not enqueued; queue work active",
      };
    }
    expect(row.db_verify).toBeNull();
    return { evidence: "committed; no db_verify, report pending (the validation's still in S3)" };
  }

  function queueId(work: Work, row: JobRow): string {
    const attempt =
      work === "commit" ? row.commit_attempts : work === "report" ? row.report_generation : 0;
    return queueJobId(work, row.id, attempt);
  }

  /** The job is where its work leaves it, its report (of the validation; after commit, of the result) ready. */
  const finished = (work: Work, row: JobRow) =>
    work === "validate"
      ? row.status === "validated" && row.snapshot_hash !== null && row.report_status === "ready"
      : work === "commit"
        ? row.status === "success" &&
          row.db_verify !== null &&
          row.report_status === "ready" &&
          row.report_generation >= 2
        : work === "report"
          ? row.report_status === "ready" && (row.status === "validated" || row.db_verify !== null)
          : row.status === "reverted";

  /** Polls until the job is final and its queue work completed; sets the recovery time. */
  async function recover(trial: Trial): Promise<void> {
    const deadline = trial.killedAt + 120_000;
    for (;;) {
      const row = await jobRow(db(), trial.jobId);
      const queued = await queues[trial.work].getJob(trial.queueJobId);
      const state = await queued?.getState();
      if (finished(trial.work, row) && state === "completed") {
        trial.recoveryMs = Date.now() - trial.killedAt;
        return;
      }
      if (row.status === "failed" || state === "failed")
        throw new Error(`${trial.point}: job ${trial.tag} ${row.status}, queue work ${state}`);
      if (Date.now() > deadline)
        throw new Error(
          `${trial.point}: job ${trial.tag} still ${row.status}, queue work ${state}`,
        );
      await sleep(50);
    }
  }

  /**
   * Runs round `index`: its victims take the work `handOut` asks for while the
   * survivor is paused, stop at their places (asserted), and are SIGKILLed; the
   * next round's victims start; the recoveries are left running.
   */
  async function runRound(index: number, handOut: () => Promise<void>): Promise<Trial[]> {
    const spec = ROUNDS[index] as (typeof ROUNDS)[number];
    // A report round's victims start only now: before, an earlier job's report work could reach them.
    await Promise.all(recovering);
    const victims = await (nextVictims ?? startVictims(index));
    nextVictims = undefined;
    const lock = spec.points.includes(LOCK_WAIT) ? await holdCommitLock(database.url) : undefined;
    const round: Trial[] = [];
    try {
      survivor.kill("SIGSTOP");
      try {
        await handOut();
        const held = await Promise.all(
          spec.points.map((point, at) => reached(victims[at] as ManagedProcess, spec.work, point)),
        );
        for (const [at, point] of spec.points.entries()) {
          const jobId = held[at] as string;
          round.push({
            work: spec.work,
            after: spec.after,
            point,
            victim: victims[at] as ManagedProcess,
            jobId,
            tag: tagOf.get(jobId) ?? "?",
            queueJobId: "",
            evidence: "",
            killedAt: 0,
            recoveryMs: -1,
            recoveredBy: "",
          });
        }
        expect(new Set(round.map((trial) => trial.jobId)).size).toBe(round.length);
      } finally {
        survivor.kill("SIGCONT");
      }
      for (const trial of round) {
        Object.assign(trial, await position(trial));
        trial.queueJobId = queueId(trial.work, await jobRow(db(), trial.jobId));
      }
      // Another worker runs at every kill.
      expect(survivor.child.exitCode).toBeNull();
      expect(survivor.child.signalCode).toBeNull();
      for (const trial of round) {
        trial.victim.kill("SIGKILL");
        trial.killedAt = Date.now();
      }
    } finally {
      await lock?.release();
    }
    trials.push(...round);
    recovering = round.map((trial) => recover(trial));
    for (const recovery of recovering) recovery.catch(() => undefined);
    await Promise.all(round.map((trial) => trial.victim.exited));
    // Postgres ends the dead worker's sessions, rolling back what they held open.
    for (const trial of round) {
      if (trial.backendPid === undefined) continue;
      while (await backendAlive(db(), trial.backendPid)) {
        if (Date.now() - trial.killedAt > 10_000)
          throw new Error(`${trial.point}: backend ${trial.backendPid} outlived its worker`);
        await sleep(10);
      }
      trial.rolledBackMs = Date.now() - trial.killedAt;
    }
    if (ROUNDS[index + 1]?.work !== "report") {
      nextVictims = startVictims(index + 1);
      nextVictims.catch(() => undefined);
    }
    return round;
  }

  /** The checks of one kill, once its job recovered. */
  async function check(trial: Trial): Promise<void> {
    const row = await jobRow(db(), trial.jobId);
    const expected = {
      validate: "validated",
      commit: "success",
      revert: "reverted",
      report: trial.after === "commit" ? "success" : "validated",
    }[trial.work];
    expect({ point: trial.point, status: row.status }).toEqual({
      point: trial.point,
      status: expected,
    });
    // The snapshot's bytes are the recorded ones.
    const snapshot = await getObjectBuffer(system.store, row.snapshot_key as string);
    expect(sha256(snapshot)).toBe(row.snapshot_hash?.trim());
    // The report is ready, in S3 as recorded.
    expect(row.report_status).toBe("ready");
    const report = await getObjectBuffer(system.store, row.report_key as string);
    const media = await db()
      .selectFrom("catalog_media")
      .select(["sha256", "created_at"])
      .where("object_key", "=", row.report_key as string)
      .executeTakeFirstOrThrow();
    expect(sha256(report)).toBe(media.sha256.trim());
    // Exactly once: the change log holds the plan, no more, no less.
    const changes = await changeKeys(db(), trial.jobId);
    if (trial.work === "validate" || (trial.work === "report" && row.status === "validated")) {
      expect(changes).toEqual([]);
      expect(await createdVariantsOf(db(), trial.tag)).toBe(0);
    } else {
      expect(plannedChanges(row)).toBe(2 * CREATED + UPDATED);
      expect(changes).toHaveLength(plannedChanges(row));
      expect(new Set(changes).size).toBe(changes.length);
      expect(row.db_verify?.created_entities_found_in_db).toBe(true);
      // The report was rewritten after the commit.
      expect(media.created_at.getTime()).toBeGreaterThanOrEqual(row.completed_at?.getTime() ?? 0);
      expect(row.report_generation).toBe(2);
      expect(await createdVariantsOf(db(), trial.tag)).toBe(trial.work === "revert" ? 0 : CREATED);
    }
    // BullMQ redelivered the work once (one stall), and another process ran it to the end.
    const queued = await queues[trial.work].getJob(trial.queueJobId);
    expect(queued?.stalledCounter).toBe(1);
    expect(await queued?.getState()).toBe("completed");
    const runners = system.workers.filter(
      (worker) =>
        worker !== trial.victim &&
        worker
          .logLines()
          .some(
            (entry) => entry.msg === `${trial.work} work started` && entry.job_id === trial.jobId,
          ),
    );
    expect(runners.length).toBeGreaterThan(0);
    trial.recoveredBy = runners
      .map((worker) => (worker === survivor ? "survivor" : worker.name))
      .join("+");
  }

  async function finishRounds(round: Trial[]): Promise<void> {
    await Promise.all(recovering);
    for (const trial of round) await check(trial);
  }

  it("prepares the catalog and a job whose validation is not killed", async () => {
    const response = await api.upload(baseCsv(TAGS), "kill-base.csv");
    expect(response.status).toBe(202);
    const { id: base } = response.body as { id: string };
    await waitFor(base, (row) => row.status === "validated");
    expect(await api.commit(base)).toBe(202);
    await waitFor(base, (row) => finished("commit", row));
    for (const tag of CLEAN_VALIDATIONS) await upload(tag);
    for (const tag of CLEAN_VALIDATIONS)
      await waitFor(jobs.get(tag) as string, (row) => finished("validate", row));
    nextVictims = startVictims(0);
  });

  it("kills validations at 8 places and their report work at 3: each ends validated, its snapshot stored once, its report ready", async () => {
    const killed: Trial[] = [];
    let next = 0;
    const validating = TAGS.filter((tag) => !CLEAN_VALIDATIONS.includes(tag));
    for (const index of [0, 1, 2]) {
      const count = ROUNDS[index]?.points.length ?? 0;
      const tags = validating.slice(next, next + count);
      next += count;
      killed.push(
        ...(await runRound(index, async () => void (await Promise.all(tags.map(upload))))),
      );
    }
    await finishRounds(killed);
    expect(killed).toHaveLength(11);
    expect(killed.filter((trial) => trial.work === "report")).toHaveLength(3);
  });

  it("kills commits at 10 places (2 before the transaction, 1 waiting for its lock, 4 inside it, 3 after COMMIT) and the report work after commit at 2: each applied exactly once, its result's report ready", async () => {
    const killed: Trial[] = [];
    let next = 0;
    for (let index = FIRST_COMMIT_ROUND; index < FIRST_REVERT_ROUND; index++) {
      const count = ROUNDS[index]?.points.length ?? 0;
      const tags = TAGS.slice(next, next + count);
      next += count;
      killed.push(
        ...(await runRound(index, async () => {
          for (const tag of tags) expect(await api.commit(jobs.get(tag) as string)).toBe(202);
        })),
      );
    }
    await finishRounds(killed);
    expect(killed).toHaveLength(12);
    expect(killed.filter((trial) => trial.work === "report")).toHaveLength(2);
    expect(new Set(killed.map((trial) => trial.tag))).toEqual(new Set(TAGS));
  });

  it("kills reverts at 3 places: each reverted exactly once", async () => {
    const killed: Trial[] = [];
    for (const [offset, tag] of REVERTED.entries()) {
      killed.push(
        ...(await runRound(FIRST_REVERT_ROUND + offset, async () => {
          expect(await api.revert(jobs.get(tag) as string)).toBe(202);
        })),
      );
    }
    await finishRounds(killed);
    expect(killed).toHaveLength(3);
  });

  it("covers every failpoint, ends with the catalog of a fault-free run, and no process exited unasked", async () => {
    expect(trials).toHaveLength(26);
    expect(new Set(trials.map((trial) => trial.point))).toEqual(
      new Set([...FAILPOINT_NAMES, LOCK_WAIT]),
    );
    const fresh = await reference;
    expect(await dumpCatalog(db())).toEqual(fresh.dump);
    for (const tag of TAGS)
      expect(await changeKeys(db(), jobs.get(tag) as string)).toEqual(fresh.changes[tag]);
    catalogMatchesFaultFree = true;
    expect(system.unexpectedExits().map((process) => process.name)).toEqual([]);
  });
});

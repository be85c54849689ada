/**
 * Periodic maintenance (the reaper, and any other task registered here), run
 * by exactly one worker process at a time and chosen through Postgres, not
 * Redis: the reaper repairs what Redis forgets, so it must not live in Redis.
 *
 * Every worker process runs this loop. Each tick, a process that is not the
 * leader tries `pg_try_advisory_lock` on a session of its own (outside the
 * pool); the one that gets it is the leader for as long as that session lives,
 * and runs each task whose interval has passed. When the leader dies, or its
 * session is cut (a Postgres restart, a terminated backend), the lock is
 * released with the session and another worker takes over at its next tick.
 * The old leader notices at its own next tick and reconnects as a follower.
 *
 * Tasks run on the process's pool, side by side (a long retention run does
 * not hold up the reaper), each never twice at once on one leader; a failed run
 * is logged, a run past its timeout too, and the task simply runs at its next
 * turn. For a moment around a change of leader two processes may run the same
 * task, so tasks must be safe to run concurrently (conditional updates,
 * idempotent enqueues).
 *
 * To add a task: give `startMaintenance` one more `{name, everyMs, run}`.
 */
import type { Logger } from "@catalog/observability";
import pg from "pg";

/** One periodic task. */
export interface MaintenanceTask {
  /** Short name, for logs. */
  name: string;
  /** Milliseconds between the starts of two runs. */
  everyMs: number;
  /**
   * Milliseconds after which a run still going is logged as late (it is not
   * stopped; the task's next run waits for it to end). Default: `everyMs`.
   */
  timeoutMs?: number;
  /** One run. Its errors are logged; the task runs again at its next turn. */
  run(): Promise<unknown>;
}

export interface MaintenanceOptions {
  /** The service's database: the leader is whoever holds the lock there. */
  databaseUrl: string;
  logger: Logger;
  tasks: readonly MaintenanceTask[];
  /**
   * Milliseconds between ticks: how soon a new leader is chosen, and how finely
   * tasks are timed (never more than the most frequent task's interval). Default 5 s.
   */
  tickMs?: number;
  /** The advisory lock's key; one per deployment database. */
  lockKey?: number;
}

/** The running loop. */
export interface Maintenance {
  /** Whether this process is the leader now. */
  isLeader(): boolean;
  /** Stops the loop (after the run in progress), releases the leadership and its session. */
  stop(): Promise<void>;
}

/** How long `stop()` waits for runs in progress. */
const STOP_WAIT_MS = 10_000;

/** Key of the advisory lock that makes one worker the maintenance leader ("mnt1"). */
export const MAINTENANCE_LOCK = 0x6d6e_7431;

/** Starts the loop; its first tick is immediate. */
export function startMaintenance(options: MaintenanceOptions): Maintenance {
  // At least as often as the most frequent task, or it would run late.
  const tickMs = Math.min(options.tickMs ?? 5_000, ...options.tasks.map((task) => task.everyMs));
  const lockKey = options.lockKey ?? MAINTENANCE_LOCK;
  const log = options.logger.child({ phase: "maintenance" });
  const lastRun = new Map<string, number>();
  /** Runs in progress, by task name. */
  const running = new Map<string, Promise<void>>();
  let session: pg.Client | undefined;
  let leader = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> = Promise.resolve();

  const dropSession = () => {
    const old = session;
    session = undefined;
    if (leader) log.warn("Maintenance leadership lost (its Postgres session ended)");
    leader = false;
    old?.end().catch(() => undefined);
  };

  const openSession = async (): Promise<pg.Client> => {
    const client = new pg.Client({
      connectionString: options.databaseUrl,
      application_name: "catalog-import-maintenance",
      connectionTimeoutMillis: Math.max(tickMs, 2_000),
      // A hung server must not hang the loop: the tick fails and the next one reconnects.
      query_timeout: Math.max(tickMs, 5_000),
      keepAlive: true,
    });
    // A cut session is noticed at the next tick; its error must not end the process.
    client.on("error", (error) => {
      log.warn({ err: error }, "Maintenance session lost");
      if (session === client) dropSession();
    });
    await client.connect();
    return client;
  };

  /** Whether this process is the leader, becoming it if the lock is free. */
  const lead = async (): Promise<boolean> => {
    if (!session) session = await openSession();
    if (leader) {
      // Still the same session, so still the lock's holder; this also notices a dead one.
      await session.query("SELECT 1");
      return true;
    }
    const { rows } = await session.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_lock($1) AS locked",
      [lockKey],
    );
    leader = rows[0]?.locked === true;
    if (leader) {
      lastRun.clear();
      log.info("This worker is now the maintenance leader");
    }
    return leader;
  };

  const runTask = async (task: MaintenanceTask) => {
    const timeoutMs = task.timeoutMs ?? task.everyMs;
    const late = setTimeout(
      () =>
        log.warn(
          { task: task.name, timeout_ms: timeoutMs },
          "Maintenance task still running past its timeout",
        ),
      timeoutMs,
    );
    try {
      await task.run();
    } catch (error) {
      log.error({ err: error, task: task.name }, "Maintenance task failed");
    } finally {
      clearTimeout(late);
    }
  };

  const tick = async () => {
    try {
      if (!(await lead())) return;
    } catch (error) {
      log.warn({ err: error }, "Maintenance leader election failed; trying again next tick");
      dropSession();
      return;
    }
    for (const task of options.tasks) {
      if (stopped || !leader) return;
      const now = Date.now();
      if (running.has(task.name)) continue;
      if (now - (lastRun.get(task.name) ?? Number.NEGATIVE_INFINITY) < task.everyMs) continue;
      lastRun.set(task.name, now);
      running.set(
        task.name,
        runTask(task).finally(() => running.delete(task.name)),
      );
    }
  };

  const loop = () => {
    if (stopped) return;
    ticking = tick().finally(() => {
      if (!stopped) timer = setTimeout(loop, tickMs);
    });
  };
  loop();

  return {
    isLeader: () => leader,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await ticking;
      // Runs in progress get a moment to end before the process closes its pool.
      await Promise.race([
        Promise.allSettled(running.values()),
        new Promise((done) => setTimeout(done, STOP_WAIT_MS).unref()),
      ]);
      const last = session;
      session = undefined;
      leader = false;
      // Ending the session releases the lock; no need to unlock first.
      await last?.end().catch(() => undefined);
    },
  };
}

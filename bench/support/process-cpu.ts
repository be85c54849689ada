/**
 * CPU time of other processes, read from /proc/<pid>/stat as the kernel accounts it
 * (user + system, every thread of the process: V8's compiler and GC threads included).
 * Used to say where a round's CPU went: the workers, Postgres, the API, the S3 server.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc's times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU seconds `pid` has used so far, or undefined once it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The fields after the command name (which may hold spaces) start at state.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** The pids of every running Postgres server process (backends and background workers). */
export function postgresPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === "postgres")
        pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Named groups of processes; a group's pids are asked for at each reading. */
export type ProcessGroups = Record<string, () => number[]>;

/**
 * CPU seconds each group used between {@link CpuAccount.start} and
 * {@link CpuAccount.stop}. A process started meanwhile counts from zero; one that
 * ended meanwhile is not counted (Postgres backends of a pool live through a round).
 */
export class CpuAccount {
  private before = new Map<string, Map<number, number>>();

  constructor(private readonly groups: ProcessGroups) {}

  private read(): Map<string, Map<number, number>> {
    const readings = new Map<string, Map<number, number>>();
    for (const [name, pids] of Object.entries(this.groups)) {
      const times = new Map<number, number>();
      for (const pid of pids()) {
        const seconds = cpuSeconds(pid);
        if (seconds !== undefined) times.set(pid, seconds);
      }
      readings.set(name, times);
    }
    return readings;
  }

  start(): void {
    this.before = this.read();
  }

  /** CPU seconds per group since start(). */
  stop(): Record<string, number> {
    const used: Record<string, number> = {};
    for (const [name, times] of this.read()) {
      let sum = 0;
      for (const [pid, seconds] of times) sum += seconds - (this.before.get(name)?.get(pid) ?? 0);
      used[name] = sum;
    }
    return used;
  }
}

/**
 * Resident memory of other processes (the workers), read from /proc/<pid>/status as
 * the kernel reports it: VmRSS, sampled often enough to catch a phase's peak.
 */
import { readFileSync } from "node:fs";

const MiB = 1024 * 1024;

/** VmRSS of `pid` in bytes, or 0 once the process is gone. */
export function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/**
 * The peak VmRSS, during a phase, of the process that did the phase's work: of the
 * processes watched, the one whose RSS rose the most. (The others may hold more,
 * kept from earlier work: V8 does not hand freed heap back at once.)
 */
export class PeakRssSampler {
  private start_ = new Map<number, number>();
  private peak = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;

  /** Samples the processes of `pids()` every `intervalMs` (default 10 ms) from now on. */
  start(pids: () => number[], intervalMs = 10): void {
    this.stop();
    this.start_ = new Map(pids().map((pid) => [pid, rssBytes(pid)]));
    this.peak = new Map(this.start_);
    const sample = () => {
      for (const pid of pids()) {
        this.peak.set(pid, Math.max(this.peak.get(pid) ?? 0, rssBytes(pid)));
      }
    };
    this.timer = setInterval(sample, intervalMs);
  }

  /** Stops sampling: the working process's peak and its RSS when the phase began, in MiB. */
  stop(): { peak: number; before: number } {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    let best = { peak: 0, before: 0, rise: -1 };
    for (const [pid, peak] of this.peak) {
      const before = this.start_.get(pid) ?? 0;
      if (peak - before > best.rise) best = { peak, before, rise: peak - before };
    }
    return { peak: best.peak / MiB, before: best.before / MiB };
  }
}

/**
 * The worker process's scratch folder: the inputs it validates and the snapshots it
 * writes live there while they are worked on (at 100k rows, 10 MB and 125 MB). A
 * handler removes its own files when it ends, but a process that is killed (OOM,
 * SIGKILL, a host restart of the container) cannot: its folder stays. The folder is
 * named after the process id, so a worker starting on the same host removes the
 * folders of processes that are gone, and never those of a sibling that still runs.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PREFIX = "catalog-worker-";
const NAME = /^catalog-worker-(\d+)-/;

/** Creates this process's scratch folder under `parent`. */
export function createScratchFolder(parent = tmpdir()): Promise<string> {
  return mkdtemp(join(parent, `${PREFIX}${process.pid}-`));
}

/** Whether a process with id `pid` runs on this host (one of another user counts). */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the scratch folders under `parent` left by worker processes that are
 * gone, and those named after this process's id other than `current` (a process
 * restarted as the same pid, as a container's first process is). Returns the
 * folders removed.
 */
export async function removeOrphanScratchFolders(
  parent = tmpdir(),
  current?: string,
  runs: (pid: number) => boolean = processRuns,
): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(parent)) {
    const pid = Number(NAME.exec(name)?.[1] ?? Number.NaN);
    if (!Number.isSafeInteger(pid)) continue;
    const folder = join(parent, name);
    const ours = pid === process.pid;
    if ((ours && folder === current) || (!ours && runs(pid))) continue;
    await rm(folder, { recursive: true, force: true });
    removed.push(folder);
  }
  return removed;
}

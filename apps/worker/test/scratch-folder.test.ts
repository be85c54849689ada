import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createScratchFolder,
  processRuns,
  removeOrphanScratchFolders,
} from "../src/scratch-folder";

describe("scratch folders", () => {
  let parent: string;
  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), "scratch-test-"));
  });
  afterEach(() => rm(parent, { recursive: true, force: true }));

  it("removes the folders of processes that are gone and this process's older ones, nothing else", async () => {
    // A process that ran and exited: its id names no process now.
    const gone = spawnSync(process.execPath, ["-e", ""]).pid as number;
    expect(processRuns(gone)).toBe(false);
    expect(processRuns(process.ppid)).toBe(true);
    const current = await createScratchFolder(parent);
    const folders = {
      gone: join(parent, `catalog-worker-${gone}-a1b2c3`),
      sibling: join(parent, `catalog-worker-${process.ppid}-d4e5f6`),
      earlierLife: join(parent, `catalog-worker-${process.pid}-g7h8i9`),
      unrelated: join(parent, "catalog-import-j0k1l2"),
    };
    for (const folder of Object.values(folders)) {
      await mkdir(join(folder, "catalog-snapshot-x"), { recursive: true });
    }

    const removed = await removeOrphanScratchFolders(parent, current);

    expect(removed.sort()).toEqual([folders.gone, folders.earlierLife].sort());
    expect((await readdir(parent)).sort()).toEqual(
      [current, folders.sibling, folders.unrelated]
        .map((folder) => folder.slice(parent.length + 1))
        .sort(),
    );
  });
});

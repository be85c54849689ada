/**
 * A worker killed while it validates leaves its scratch folder (the input it read,
 * the snapshot it wrote); the next worker process started on the host removes it
 * before it takes work, and takes the validation over through BullMQ's redelivery.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findImportJob } from "@catalog/jobs";
import { createProducerConnection, QUEUE_NAMES, queueJobId } from "@catalog/queue";
import { testRedisUrl, uniqueQueuePrefix } from "@catalog/testing";
import { Queue } from "bullmq";
import { createWorkerHarness, type WorkerHarness } from "./support/worker-harness";
import { spawnWorkerProcess } from "./support/worker-process";

jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

function csv(rows: number): Buffer {
  const lines = ["category,title_en,model_code,price"];
  for (let i = 0; i < rows; i++) lines.push(`Ocaklar,Scratch ${i},SCR-${i},${i + 1}.50`);
  return Buffer.from(`${lines.join("\n")}\n`);
}

interface Worker {
  process: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

describe("a killed worker's scratch folder", () => {
  let harness: WorkerHarness;
  let scratchParent: string;
  const prefix = uniqueQueuePrefix();
  const producer = createProducerConnection(testRedisUrl());
  const queue = new Queue(QUEUE_NAMES.validate, { connection: producer, prefix });
  const workers: Worker[] = [];

  function startWorker(env: NodeJS.ProcessEnv): Worker {
    const child = spawnWorkerProcess(
      harness,
      prefix,
      {
        // A killed worker's job is redelivered within seconds.
        QUEUE_LOCK_DURATION_S: "3",
        QUEUE_STALLED_INTERVAL_S: "0.5",
        TMPDIR: scratchParent,
        ...env,
      },
      ["ignore", "pipe", "pipe"],
    );
    let output = "";
    child.stdout?.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      output += chunk;
    });
    const worker: Worker = {
      process: child,
      output: () => output,
      exited: new Promise((done) => child.once("exit", (code, signal) => done({ code, signal }))),
    };
    workers.push(worker);
    return worker;
  }

  async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined) {
    for (let i = 0; i < 1200; i++) {
      const value = await probe();
      if (value !== undefined) return value;
      await sleep(50);
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  /** The scratch folders under the workers' temp folder (tsx keeps its cache there too). */
  const scratchFolders = async () =>
    (await readdir(scratchParent)).filter((name) => name.startsWith("catalog-worker-"));

  /** The files under `folder`, with their sizes, as paths relative to it. */
  async function files(folder: string): Promise<Record<string, number>> {
    const found: Record<string, number> = {};
    for (const name of (await readdir(folder, { recursive: true })) as string[]) {
      const info = await stat(join(folder, name));
      if (info.isFile()) found[name] = info.size;
    }
    return found;
  }

  beforeAll(async () => {
    harness = await createWorkerHarness();
    scratchParent = await mkdtemp(join(tmpdir(), "scratch-int-"));
  });
  afterAll(async () => {
    for (const worker of workers) worker.process.kill("SIGKILL");
    await queue.obliterate({ force: true });
    await queue.close();
    producer.disconnect();
    await harness.close();
    await rm(scratchParent, { recursive: true, force: true });
  });

  it("is removed by the next worker started on the host, which then validates the job", async () => {
    const job = await harness.submit(csv(2_000), "scratch.csv", "smart");
    const victim = startWorker({ CATALOG_FAILPOINTS: "validate.planned", LOG_LEVEL: "warn" });
    await queue.add("validate", { importId: job.id }, { jobId: queueJobId("validate", job.id) });
    await until("the failpoint", () =>
      victim.output().includes('"failpoint":"validate.planned"') ? true : undefined,
    );

    // The kill lands after the snapshot was written to the victim's scratch folder.
    const [victimFolder, ...others] = await scratchFolders();
    expect(others).toEqual([]);
    expect(victimFolder).toMatch(new RegExp(`^catalog-worker-${victim.process.pid}-`));
    const left = await files(join(scratchParent, victimFolder as string));
    const snapshots = Object.entries(left).filter(([name]) => name.endsWith("snapshot.json"));
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]?.[1]).toBeGreaterThan(100_000);
    victim.process.kill("SIGKILL");
    expect(await victim.exited).toEqual({ code: null, signal: "SIGKILL" });
    expect(existsSync(join(scratchParent, victimFolder as string))).toBe(true);
    expect((await findImportJob(harness.deps.db, job.id))?.status).toBe("validating");

    const next = startWorker({ LOG_LEVEL: "info" });
    await until("the next worker", () =>
      next.output().includes('"msg":"Worker started"') ? true : undefined,
    );
    expect(next.output()).toContain(
      "Removed the scratch folders of worker processes that are gone",
    );
    expect(existsSync(join(scratchParent, victimFolder as string))).toBe(false);
    const nextFolders = await scratchFolders();
    expect(nextFolders).toEqual([expect.stringMatching(`^catalog-worker-${next.process.pid}-`)]);

    const validated = await until("the redelivered validation", async () => {
      const current = await findImportJob(harness.deps.db, job.id);
      return current?.status === "validated" ? current : undefined;
    });
    expect(validated.total_rows).toBe(2_000);
    // The job's files went with it; the folder goes when the worker stops.
    expect(await files(join(scratchParent, nextFolders[0] as string))).toEqual({});
    next.process.kill("SIGTERM");
    expect(await next.exited).toEqual({ code: 0, signal: null });
    expect(await scratchFolders()).toEqual([]);
  });
});

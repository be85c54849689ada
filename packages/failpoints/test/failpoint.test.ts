import { armFailpoints, FAILPOINT_NAMES, failpoint, withFailpointWork } from "../src/failpoint";

const logged: { fields: Record<string, unknown>; message: string }[] = [];
const log = {
  warn: (fields: Record<string, unknown>, message: string) => logged.push({ fields, message }),
};

/** Whether `value` is still pending after the event loop had a few turns. */
async function pending(value: Promise<unknown> | undefined): Promise<boolean> {
  if (value === undefined) return false;
  const later = new Promise((done) => setTimeout(() => done("pending"), 20));
  return (await Promise.race([value, later])) === "pending";
}

const firstDelivery = { jobId: "job-1", queue: "commit", firstDelivery: true };

describe("failpoint", () => {
  afterEach(() => {
    armFailpoints([], log);
    logged.length = 0;
  });

  it("returns at once when nothing is armed, inside a job's work or not", async () => {
    expect(failpoint("commit.tx.finished")).toBeUndefined();
    await withFailpointWork(firstDelivery, async () => {
      expect(failpoint("commit.tx.finished")).toBeUndefined();
    });
    expect(logged).toEqual([]);
  });

  it("stops the first delivery of a job's work at an armed point and says where", async () => {
    armFailpoints(["commit.tx.finished"], log);
    let reached: Promise<never> | undefined;
    await withFailpointWork(firstDelivery, async () => {
      expect(failpoint("commit.tx.open")).toBeUndefined();
      reached = failpoint("commit.tx.finished");
    });
    expect(await pending(reached)).toBe(true);
    expect(logged).toEqual([
      {
        message: "failpoint reached",
        fields: {
          failpoint: "commit.tx.finished",
          job_id: "job-1",
          queue: "commit",
          pid: process.pid,
        },
      },
    ]);
  });

  it("lets a redelivery and work outside a job (the reaper) run through", async () => {
    armFailpoints(["post-commit.started"], log);
    await withFailpointWork({ ...firstDelivery, firstDelivery: false }, async () => {
      expect(failpoint("post-commit.started")).toBeUndefined();
    });
    expect(failpoint("post-commit.started")).toBeUndefined();
    expect(logged).toEqual([]);
  });

  it("names every point once, in the order a job passes them", () => {
    expect(new Set(FAILPOINT_NAMES).size).toBe(FAILPOINT_NAMES.length);
    expect(FAILPOINT_NAMES[0]).toBe("validate.started");
    expect(FAILPOINT_NAMES.at(-1)).toBe("revert.committed");
  });
});

import { EnvError, parseEnv } from "@catalog/config";
import { workerConcurrency, workerEnvShape } from "../src/env";

describe("worker settings", () => {
  it("redelivers a dead worker's work after BullMQ's 30 s lock and stalled check by default, with no failpoint armed", () => {
    const env = parseEnv(workerEnvShape, {});
    expect(env).toMatchObject({
      QUEUE_LOCK_DURATION_S: 30,
      QUEUE_STALLED_INTERVAL_S: 30,
      CATALOG_FAILPOINTS: [],
    });
  });

  it("takes short locks and a fractional stalled interval, and a list of failpoints", () => {
    const env = parseEnv(workerEnvShape, {
      QUEUE_LOCK_DURATION_S: "3",
      QUEUE_STALLED_INTERVAL_S: "0.5",
      CATALOG_FAILPOINTS: "commit.tx.finished, post-commit.started",
    });
    expect(env).toMatchObject({
      QUEUE_LOCK_DURATION_S: 3,
      QUEUE_STALLED_INTERVAL_S: 0.5,
      CATALOG_FAILPOINTS: ["commit.tx.finished", "post-commit.started"],
    });
  });

  it("refuses a failpoint that does not exist, naming the variable", () => {
    expect(() => parseEnv(workerEnvShape, { CATALOG_FAILPOINTS: "commit.tx.finishd" })).toThrow(
      EnvError,
    );
    expect(() => parseEnv(workerEnvShape, { CATALOG_FAILPOINTS: "commit.tx.finishd" })).toThrow(
      /CATALOG_FAILPOINTS/,
    );
  });

  it("refuses a lock shorter than a second", () => {
    expect(() => parseEnv(workerEnvShape, { QUEUE_LOCK_DURATION_S: "0.5" })).toThrow(
      /QUEUE_LOCK_DURATION_S/,
    );
  });

  describe("concurrency defaults from the machine", () => {
    const GiB = 1024 ** 3;
    const defaults = (env: Record<string, string>, cores: number, memoryGiB: number) =>
      workerConcurrency(parseEnv(workerEnvShape, env), { cores, memoryBytes: memoryGiB * GiB });

    it("one process takes the cores for validations and twice that for commits", () => {
      expect(defaults({}, 2, 24)).toEqual({ validate: 2, commit: 4 });
      expect(defaults({}, 8, 64)).toEqual({ validate: 8, commit: 16 });
    });

    it("processes on one host share its cores, never below one each", () => {
      expect(defaults({ WORKER_PROCESSES_PER_HOST: "2" }, 2, 24)).toEqual({
        validate: 1,
        commit: 2,
      });
      expect(defaults({ WORKER_PROCESSES_PER_HOST: "4" }, 2, 24)).toEqual({
        validate: 1,
        commit: 2,
      });
    });

    it("memory bounds them: one validation per 512 MiB, one commit per 256 MiB", () => {
      expect(defaults({}, 16, 2)).toEqual({ validate: 4, commit: 8 });
      expect(defaults({}, 16, 1)).toEqual({ validate: 2, commit: 4 });
      expect(defaults({}, 4, 0.25)).toEqual({ validate: 1, commit: 1 });
    });

    it("settings win over the defaults", () => {
      expect(defaults({ VALIDATE_CONCURRENCY: "3", COMMIT_CONCURRENCY: "1" }, 2, 24)).toEqual({
        validate: 3,
        commit: 1,
      });
    });
  });
});

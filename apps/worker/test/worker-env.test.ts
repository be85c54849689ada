import { EnvError, parseEnv } from "@catalog/config";
import { workerEnvShape } from "../src/env";

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
});

/** How `importctl import` maps the job it ends on to its exit code. */
import type { Job } from "@catalog/client";
import { EXIT_CODES, exitCodeFor } from "../src/commands/import";

const job = (patch: Partial<Job>): Job => ({ summary: null, failure: null, ...patch }) as Job;
const withErrors = (errors: number) => ({ errors }) as Job["summary"];

describe("exitCodeFor", () => {
  it.each([
    ["success", job({ status: "success" }), EXIT_CODES.success],
    ["validated, no errors", job({ status: "validated", summary: withErrors(0) }), 0],
    ["validated with errors", job({ status: "validated", summary: withErrors(2) }), 3],
    ["partial", job({ status: "partial" }), 3],
    [
      "failed SNAPSHOT_STALE",
      job({ status: "failed", failure: { code: "SNAPSHOT_STALE", message: "", details: null } }),
      4,
    ],
    [
      "failed SNAPSHOT_INTEGRITY_FAILED",
      job({
        status: "failed",
        failure: { code: "SNAPSHOT_INTEGRITY_FAILED", message: "", details: null },
      }),
      4,
    ],
    [
      "failed MISSING_COLUMN",
      job({ status: "failed", failure: { code: "MISSING_COLUMN", message: "", details: null } }),
      1,
    ],
    ["reverted", job({ status: "reverted" }), 1],
  ])("%s → %i", (_name, ended, code) => {
    expect(exitCodeFor(ended)).toBe(code);
  });
});

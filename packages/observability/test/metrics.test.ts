import { createMetrics, JOB_OUTCOMES_BY_PHASE, METRIC_MODES } from "../src/metrics";

/** The exposition lines of `name` with the value 0. */
function zeroSeries(text: string, name: string): string[] {
  return text.split("\n").filter((line) => line.startsWith(`${name}{`) && line.endsWith(" 0"));
}

describe("createMetrics", () => {
  it("exposes every phase/outcome/mode of import_jobs_total at 0 before anything happened", async () => {
    const text = await createMetrics().registry.metrics();
    const expected = Object.entries(JOB_OUTCOMES_BY_PHASE).flatMap(([phase, outcomes]) =>
      outcomes.flatMap((outcome) =>
        METRIC_MODES.map(
          (mode) => `import_jobs_total{phase="${phase}",outcome="${outcome}",mode="${mode}"} 0`,
        ),
      ),
    );
    expect(expected).toHaveLength(14);
    expect(zeroSeries(text, "import_jobs_total").sort()).toEqual(expected.sort());
  });

  it("starts the reaped, rows, duration and queue series at 0", async () => {
    const text = await createMetrics({
      queues: ["import-validate", "import-commit"],
    }).registry.metrics();
    expect(zeroSeries(text, "import_jobs_reaped_total").sort()).toEqual([
      'import_jobs_reaped_total{action="failed"} 0',
      'import_jobs_reaped_total{action="post_commit"} 0',
      'import_jobs_reaped_total{action="requeued"} 0',
    ]);
    expect(zeroSeries(text, "import_rows_total")).toHaveLength(2);
    expect(text).toContain('import_phase_duration_seconds_count{phase="validate"} 0');
    expect(text).toContain('import_phase_duration_seconds_bucket{le="60",phase="commit"} 0');
    expect(zeroSeries(text, "import_queue_jobs")).toHaveLength(8);
    expect(zeroSeries(text, "import_queue_oldest_waiting_seconds")).toHaveLength(2);
  });
});

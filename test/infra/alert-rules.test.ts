/**
 * The alert rules (infra/prometheus/alerts.yml): each alert has a summary, a
 * description and a runbook anchor that exists in docs/RUNBOOK.md; each has a
 * firing and a silent case in alerts.test.yml; and promtool accepts the rules
 * and passes every case.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { prometheusTool } from "@catalog/testing";
import { parse } from "yaml";

const root = resolve(__dirname, "../..");
const rulesPath = resolve(root, "infra/prometheus/alerts.yml");
const testsPath = resolve(root, "infra/prometheus/alerts.test.yml");

interface AlertRule {
  alert: string;
  expr: string;
  annotations?: Record<string, string>;
}

const rules = (
  parse(readFileSync(rulesPath, "utf8")) as { groups: { rules: AlertRule[] }[] }
).groups.flatMap((group) => group.rules);

const cases = (
  parse(readFileSync(testsPath, "utf8")) as {
    tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
  }
).tests.flatMap((test) => test.alert_rule_test ?? []);

/** GitHub's anchors of the runbook's headings. */
const anchors = new Set(
  readFileSync(resolve(root, "docs/RUNBOOK.md"), "utf8")
    .split("\n")
    .filter((line) => line.startsWith("#"))
    .map((line) =>
      line
        .replace(/^#+\s*/, "")
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s-]/gu, "")
        .replace(/\s/g, "-"),
    ),
);

describe("alert rules", () => {
  it("cover the runbook's thresholds and the operations alerts", () => {
    expect(rules.map((rule) => rule.alert).sort()).toEqual([
      "ImportCommitSlow",
      "ImportDbVerifyFailure",
      "ImportJobStuck",
      "ImportJobsReaped",
      "ImportQueueBacklogGrowing",
      "ImportQueueWaitLong",
      "ImportRowErrorRateHigh",
      "ImportSnapshotIntegrityFailure",
      "ImportSuccessRateLow",
      "ImportTargetDown",
      "ImportValidationSlow",
    ]);
  });

  it.each(rules.map((rule) => [rule.alert, rule]))(
    "%s has a summary, a description and a runbook anchor that exists",
    (_name, rule) => {
      expect(rule.annotations?.summary?.length).toBeGreaterThan(10);
      expect(rule.annotations?.description?.length).toBeGreaterThan(30);
      const [file, anchor] = (rule.annotations?.runbook_url ?? "").split("#");
      expect(file).toBe("docs/RUNBOOK.md");
      expect(anchors.has(anchor ?? "")).toBe(true);
    },
  );

  it.each(rules.map((rule) => [rule.alert]))(
    "%s has a firing case and a silent case in alerts.test.yml",
    (name) => {
      const own = cases.filter((test) => test.alertname === name);
      expect(own.filter((test) => test.exp_alerts.length > 0).length).toBeGreaterThan(0);
      expect(own.filter((test) => test.exp_alerts.length === 0).length).toBeGreaterThan(0);
    },
  );

  it("pass promtool check rules and promtool test rules", async () => {
    const promtool = prometheusTool("promtool");
    const run = promisify(execFile);
    const check = await run(promtool, ["check", "rules", rulesPath]);
    expect(check.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
    const test = await run(promtool, ["test", "rules", testsPath]);
    expect(test.stdout).toContain("SUCCESS");
  });
});

/**
 * The Prometheus server and promtool from the Debian `prometheus` package, for
 * tests of the alert rules and the dashboard. `scripts/ensure-prometheus.sh`
 * installs the package when they are missing (CI and `npm test` call it).
 */
import { execFileSync } from "node:child_process";

/** The path of `tool` (prometheus or promtool) on PATH; throws how to get it otherwise. */
export function prometheusTool(tool: "prometheus" | "promtool"): string {
  try {
    return execFileSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).trim();
  } catch {
    throw new Error(
      `${tool} is not installed: run scripts/ensure-prometheus.sh (Debian package "prometheus")`,
    );
  }
}

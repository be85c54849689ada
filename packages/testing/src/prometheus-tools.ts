/**
 * The Prometheus server and promtool from the Debian `prometheus` package, for
 * tests of the alert rules and the dashboard. `scripts/install-promtool-if-needed.sh`
 * installs the package when they are missing (CI and `npm test` source it).
 * {@link startPrometheus} runs a real Prometheus scraping a running system.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, type ManagedProcess, startProcess, waitForHttp } from "./system-harness";

/** The path of `tool` (prometheus or promtool) on PATH; throws how to get it otherwise. */
export function prometheusTool(tool: "prometheus" | "promtool"): string {
  try {
    return execFileSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).trim();
  } catch {
    throw new Error(
      `${tool} is not installed: run scripts/install-promtool-if-needed.sh (Debian package "prometheus")`,
    );
  }
}

/** A Prometheus server of a test's own. */
export interface PrometheusServer {
  url: string;
  process: ManagedProcess;
  /** An instant query; throws unless Prometheus answers `success`. */
  query(expr: string, time?: Date): Promise<PromSample[]>;
  /** The alerts as Prometheus evaluates them now. */
  alerts(): Promise<{ labels: Record<string, string>; state: string }[]>;
  stop(): Promise<void>;
}

/** One series of an instant query's answer. */
export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

/**
 * Starts the Debian package's Prometheus on a free loopback port with its data
 * in a temp folder under `logDir`, scraping `targets` (job name → host:port
 * list) every `scrapeIntervalS` seconds and evaluating `ruleFiles` as often;
 * resolves once every target has been scraped.
 */
export async function startPrometheus(options: {
  logDir: string;
  targets: Record<string, string[]>;
  scrapeIntervalS?: number;
  ruleFiles?: string[];
}): Promise<PrometheusServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(options.logDir, "prometheus-"));
  const interval = `${options.scrapeIntervalS ?? 1}s`;
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval },
    rule_files: options.ruleFiles ?? [],
    scrape_configs: Object.entries(options.targets).map(([job, targets]) => ({
      job_name: job,
      static_configs: [{ targets }],
    })),
  };
  const configFile = join(dataDir, "prometheus.yml");
  // JSON is YAML: no YAML writer needed.
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const managed = startProcess(
    "prometheus",
    prometheusTool("prometheus"),
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dataDir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { logDir: options.logDir },
  );
  const url = `http://127.0.0.1:${port}`;
  await Promise.race([
    waitForHttp(`${url}/-/ready`, 30_000),
    managed.exited.then(() => {
      throw new Error(`Prometheus exited at start:\n${managed.output().slice(-2000)}`);
    }),
  ]);
  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${url}${path}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== "success") throw new Error(`Prometheus ${path}: ${body.error}`);
    return body.data;
  };
  const server: PrometheusServer = {
    url,
    process: managed,
    query: async (expr, time = new Date()) => {
      const params = new URLSearchParams({ query: expr, time: String(time.getTime() / 1000) });
      const data = await api<{
        result: { metric: Record<string, string>; value: [number, string] }[];
      }>(`/api/v1/query?${params}`);
      return data.result.map((series) => ({
        metric: series.metric,
        value: Number(series.value[1]),
      }));
    },
    alerts: async () =>
      (await api<{ alerts: { labels: Record<string, string>; state: string }[] }>("/api/v1/alerts"))
        .alerts,
    stop: async () => {
      await managed.stop(10_000);
    },
  };
  // Scraping starts seconds after /-/ready (target discovery is applied in
  // batches): wait until every target was scraped once, so nothing that
  // happens next falls before the first sample.
  const expected = Object.values(options.targets).flat().length;
  for (let attempt = 0; ; attempt++) {
    const [up] = await server.query("count(up == 1)");
    if (up?.value === expected) break;
    if (attempt > 300) throw new Error("Prometheus did not scrape every target within 60 s");
    await new Promise((done) => setTimeout(done, 200));
  }
  return server;
}

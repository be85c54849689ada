/**
 * `npm run bench`: runs every benchmark in this folder, one process each (so
 * their memory figures do not mix), and prints what each prints.
 * `npm run bench -- report-write` runs the ones whose name contains the words;
 * `name=value` arguments reach every benchmark as `BENCH_NAME=value`
 * (`npm run bench -- import-scale scenarios=10k reps=1`).
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const args = process.argv.slice(2);
const filters = args.filter((arg) => !arg.includes("="));
const settings = Object.fromEntries(
  args
    .filter((arg) => arg.includes("="))
    .map((arg) => {
      const [name = "", ...value] = arg.split("=");
      return [`BENCH_${name.toUpperCase()}`, value.join("=")];
    }),
);
const benches = readdirSync(__dirname)
  .filter((name) => name.endsWith(".ts") && name !== "run.ts")
  .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort();

let failed = 0;
for (const bench of benches) {
  console.log(`\n== ${bench}`);
  const result = spawnSync(process.execPath, ["--import", "tsx", join(__dirname, bench)], {
    stdio: "inherit",
    env: {
      ...process.env,
      ...settings,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
  });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);

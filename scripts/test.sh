#!/usr/bin/env bash
# Runs the whole test suite (unit and integration) against the local Postgres and
# Redis and an S3 server the tests start themselves, and the console's browser
# tests in Chromium (installed when missing). Extra arguments go to jest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/install-if-needed.sh
# promtool and prometheus (the Debian package) for the alert-rule and dashboard tests.
source scripts/install-promtool-if-needed.sh
source scripts/install-redis-if-needed.sh
source scripts/install-chromium-if-needed.sh
mkdir -p .data
# The SDK warns that Node 20 support ends in 2027; known (see README), noise in test logs.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
status=0
npx jest --json --outputFile=.data/jest-results.json "$@" || status=$?
# One closing line with the totals, whatever the reporter printed above.
node -e '
  const r = require("./.data/jest-results.json");
  // A suite that fails to load or crashes counts no failed test: name it apart.
  const broken = r.testResults.filter((t) => t.status === "failed" && t.assertionResults.every((a) => a.status !== "failed"));
  const suites = broken.length ? `, ${broken.length} suites failed to run` : "";
  console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped${suites}`);
' | tee .data/jest-summary.txt || true
exit "$status"

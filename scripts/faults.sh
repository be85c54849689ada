#!/usr/bin/env bash
# The fault suite: every scenario of test/faults against the whole system as real
# processes (API, workers, the embedded S3 server in its own process, a
# redis-server of its own): Postgres, Redis and S3 outages, and workers SIGKILLed
# at the failpoints of a job's life; then each scenario's figures. Needs Postgres and the
# redis-server binary, installed here when missing (the shared Redis is never
# touched: the suite starts its own on a free port). FAULT_REPEATS (default 5)
# sets how often each Postgres fault is repeated; extra arguments go to jest
# (e.g. a scenario's file name).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/install-if-needed.sh
source scripts/install-redis-if-needed.sh
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
rm -rf .data/faults
mkdir -p .data/faults
started=$(date +%s)
status=0
npx jest -c jest.faults.config.ts "$@" || status=$?
echo "== fault suite figures (FAULT_REPEATS=${FAULT_REPEATS:-5}, $(( $(date +%s) - started )) s)"
for file in .data/faults/*.json; do
  [ -e "$file" ] && cat "$file"
done
exit "$status"

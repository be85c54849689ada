#!/usr/bin/env bash
# Brings the whole system up on local defaults: installs dependencies, creates and
# migrates the database, starts the embedded S3 server (unless S3_ENDPOINT is set),
# the API and two workers. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/install-if-needed.sh
exec node --import tsx scripts/start.ts

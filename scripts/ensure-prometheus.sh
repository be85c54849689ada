#!/usr/bin/env bash
# Installs the Debian "prometheus" package (the Prometheus server and promtool)
# when either is missing: the alert-rule tests run promtool, and the dashboard
# test runs a real Prometheus. Needs root and apt (CI machines and the
# development containers have both); elsewhere it says what to install.
set -euo pipefail
if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "promtool/prometheus missing: install the Debian package 'prometheus' (apt-get install prometheus)." >&2
  exit 1
fi
echo "Installing the Debian prometheus package (promtool, prometheus)..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null

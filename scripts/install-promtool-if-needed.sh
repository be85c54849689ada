# Sourced by the test script and CI: the alert-rule tests evaluate
# infra/prometheus/alerts.yml with `promtool test rules`. promtool comes with
# Debian's `prometheus` package; install it when it is missing and the machine
# can (apt-get, as root or through sudo). Otherwise say so: those tests fail
# with the same message.
if ! command -v promtool >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "Installing promtool (Debian package prometheus)..."
    as_root=""
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && as_root="sudo"
    # The package's service is not wanted: only its promtool binary is used.
    $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus >/dev/null 2>&1 ||
      { $as_root apt-get update >/dev/null 2>&1 &&
        $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus >/dev/null 2>&1; } ||
      echo "Could not install promtool; the alert-rule tests need it (apt-get install prometheus)." >&2
  else
    echo "promtool is missing; the alert-rule tests need it (Debian/Ubuntu: apt-get install prometheus)." >&2
  fi
fi

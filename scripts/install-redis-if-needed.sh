# Sourced by the test script and CI: tests that flush, restart or cluster Redis
# start redis-server processes of their own (a 3-master Redis Cluster among them,
# joined with redis-cli) instead of touching the shared one. Both come with
# Debian's `redis-server` package; install it when missing and the machine can
# (apt-get, as root or through sudo). Otherwise say so: those tests fail with
# the same message.
if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "Installing redis-server and redis-cli (Debian package redis-server)..."
    as_root=""
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && as_root="sudo"
    # RUNLEVEL=1: the package must not start a service of its own (on 6379).
    $as_root env RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server >/dev/null 2>&1 ||
      { $as_root apt-get update >/dev/null 2>&1 &&
        $as_root env RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server >/dev/null 2>&1; } ||
      echo "Could not install redis-server; the tests with a Redis of their own need it (apt-get install redis-server)." >&2
  else
    echo "redis-server is missing; the tests with a Redis of their own need it (Debian/Ubuntu: apt-get install redis-server)." >&2
  fi
fi

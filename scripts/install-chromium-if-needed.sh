# Sourced by the test script: the console's browser tests drive Debian's
# chromium package through playwright-core (which downloads no browser of its
# own). Install it when it is missing and the machine can (apt-get, as root or
# through sudo); otherwise say so: the browser tests fail with the same message.
# CHROMIUM_PATH points the tests at another Chromium binary.
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  if [ -z "${CHROMIUM_PATH:-}" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Chromium for the browser tests (Debian package chromium)..."
    as_root=""
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && as_root="sudo"
    $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/dev/null 2>&1 ||
      { $as_root apt-get update >/dev/null 2>&1 &&
        $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/dev/null 2>&1; } ||
      echo "Could not install chromium; the console's browser tests need it (apt-get install chromium)." >&2
  else
    echo "No Chromium at ${CHROMIUM_PATH:-/usr/bin/chromium}: the console's browser tests need it" \
      "(Debian/Ubuntu: apt-get install chromium, or set CHROMIUM_PATH)." >&2
  fi
fi

# Sourced by the test script: the console's browser tests drive Debian's
# chromium package through playwright-core (which downloads no browser of its
# own). When it is missing and we are root (CI, containers), it is installed
# with apt-get; otherwise the browser tests fail saying how to get it.
# CHROMIUM_PATH points the tests at another Chromium binary.
chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$chromium_path" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Chromium for the browser tests (apt-get install chromium)..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "No Chromium at $chromium_path: the console's browser tests will fail." >&2
    echo "Install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH." >&2
  fi
fi

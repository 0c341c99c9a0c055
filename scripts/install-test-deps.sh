#!/bin/sh
# The Debian packages the test suite needs, installed with apt-get (as root, or with sudo):
#   chromium    the real-browser tests (Playwright drives Debian's Chromium; its own
#               browser download is not used)
#   postgresql  the class store's tests start a throwaway PostgreSQL server (tests/pg.py)
#   haproxy     the replica test runs deploy/haproxy.cfg in front of two app servers
#               (tests/browser/test_replicas.py)
#   caddy       the HTTPS example deploy/Caddyfile is validated and run in front of the app
#               (tests/test_deploy_manifests.py)
# Packages already present are skipped; with everything there it does nothing.
set -eu
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing="$missing postgresql"
[ -x /usr/sbin/haproxy ] || missing="$missing haproxy"
command -v caddy >/dev/null 2>&1 || missing="$missing caddy"
if [ -z "$missing" ]; then
    echo "test packages already installed (chromium, postgresql, haproxy, caddy)"
    exit 0
fi
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing

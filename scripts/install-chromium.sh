#!/bin/sh
# Debian's Chromium for the browser tests (Playwright's own browser download is not used).
# Does nothing if /usr/bin/chromium is already there.
set -eu
if [ -x /usr/bin/chromium ]; then
    echo "chromium already installed"
    exit 0
fi
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

#!/usr/bin/env bash
# Installs the real peers the tests talk to (Debian): Docker engine, sshd, PostgreSQL, Chromium.
set -euo pipefail
need=()
command -v dockerd >/dev/null || need+=(docker.io)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v sshd >/dev/null || [ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh-keyscan >/dev/null || need+=(openssh-client)
[ -d /usr/lib/postgresql ] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null || need+=(chromium)
command -v redis-server >/dev/null || need+=(redis-server)
[ -x /usr/bin/prometheus ] || need+=(prometheus)
[ -x /usr/bin/prometheus-alertmanager ] || need+=(prometheus-alertmanager)
command -v kubectl >/dev/null || need+=(kubernetes-client)   # the real client; no API server runs in tests
command -v sudo >/dev/null || need+=(sudo)   # bff runbooks restart through sudo -n
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "peers ready: dockerd sshd postgres chromium redis kubectl"

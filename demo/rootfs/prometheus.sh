#!/bin/sh
# The demo's real Prometheus or Alertmanager (Debian's binaries). Its configuration comes in
# $DEMO_CONFIG, Prometheus's alerting rules in $DEMO_RULES; data stays in the container.
set -e
mkdir -p /etc/demo /var/lib/demo
printf '%s\n' "$DEMO_CONFIG" > /etc/demo/config.yml
printf '%s\n' "${DEMO_RULES:-groups: []}" > /etc/demo/rules.yml
# demo:break unhealthy freezes this process (SIGSTOP), as it does PostgreSQL's postmaster.
echo $$ > /run/demo/service.pid
listen="$DEMO_ADDR:$DEMO_PORT"
case "$DEMO_KIND" in
  prometheus)
    exec /usr/bin/prometheus --config.file=/etc/demo/config.yml --storage.tsdb.path=/var/lib/demo \
      --storage.tsdb.retention.time=1d --web.listen-address="$listen" ;;
  alertmanager)
    exec /usr/bin/prometheus-alertmanager --config.file=/etc/demo/config.yml --storage.path=/var/lib/demo \
      --web.listen-address="$listen" --cluster.listen-address= ;;
esac
echo "unknown DEMO_KIND: $DEMO_KIND" >&2
exit 2
